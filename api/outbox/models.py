"""The durable outbox: every outbound message is a row before anything is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, utcnow

# status: pending -> sending (claimed, with a lease) -> sent -> delivered | failed ; cancelled ;
# dropped (never sent, on purpose: past `not_after`, or quiet hours until then; `status_reason`)
PENDING, SENDING, SENT, DELIVERED, FAILED, CANCELLED, DROPPED = (
    "pending",
    "sending",
    "sent",
    "delivered",
    "failed",
    "cancelled",
    "dropped",
)
# The one kind that is sent to a participant who has opted out: the confirmation of it.
OPT_OUT_CONFIRMATION = "opt_out_confirmation"
COMPLIANCE = "compliance"  # the answer to HELP (and START's confirmation)


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    participant_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # sms | web | staff
    kind: Mapped[str] = mapped_column(String(32), default="reply")
    body: Mapped[str] = mapped_column(Text)
    # A recipient who is not a participant (a partner's referral line), Fernet-encrypted.
    recipient_encrypted: Mapped[str | None] = mapped_column(Text)
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    segments: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A claim: which moment a sender took the row, and until when no other sender may.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Planned messages (reminders): one row per key, however often it is planned again.
    idempotency_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    appointment_id: Mapped[str | None] = mapped_column(
        ForeignKey("booking_appointments.id"), index=True
    )
    # Never sent after this moment: dropped instead, with the reason (the misfire policy).
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The recipient's IANA zone when quiet hours apply at send time; None = exempt (a reply
    # to a message the participant just sent).
    quiet_zone: Mapped[str | None] = mapped_column(String(64))
    status_reason: Mapped[str | None] = mapped_column(String(200))
