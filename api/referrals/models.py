"""Deliveries of a referral to its partner: durable rows the worker sends, never
fire-and-forget.

One row per referral message (the first referral, a new time, ...). `method` is the
partner's: `email`, `sms` (handed to the outbox), `webhook` (a signed JSON POST), or
`phone` (a task for staff: the row stays `open` until someone records the call's outcome).
The content holds the participant's consented details, so it is encrypted at rest.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api import crypto
from api.db import Base, UTCDateTime, utcnow

# status: pending -> sending (claimed, leased) -> sent | failed ; phone tasks: open -> done
PENDING, SENDING, SENT, FAILED, OPEN, DONE = "pending", "sending", "sent", "failed", "open", "done"
CANCELLED = "cancelled"  # the referral was closed before it was sent
METHODS = ("email", "sms", "webhook", "phone")


class ReferralDelivery(Base):
    __tablename__ = "referral_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("booking_referrals.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="referral")  # referral | update
    method: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(500))  # the partner's address, not the person's
    # the message as sent (subject, text, payload), a Fernet token of its JSON ({} until sent)
    content_encrypted: Mapped[str] = mapped_column(Text)
    # stable across retries: the Message-ID of an email, the webhook-id of a webhook
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(64))  # a code, never a message
    outbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id"))
    outcome: Mapped[str | None] = mapped_column(String(32))  # a phone task's outcome
    outcome_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def content(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(crypto.decrypt(self.content_encrypted))
        return data

    @content.setter
    def content(self, value: dict[str, Any]) -> None:
        self.content_encrypted = crypto.encrypt(json.dumps(value, sort_keys=True))
