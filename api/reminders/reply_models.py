"""Answers to reminders: one row per message answered (a reminder, a "did you make it?", or
the notice of a partner's decline), with what the answer was and the booking session it
opened when new times were offered. A reminder with a row is answered: a later "1" is not
taken for it again, and the turn that answered it is recorded once.

A booking session named here was started by the app (not by the engine's booking form), so
the participant's pick from its menu is taken by api/reminders/replies.py too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, utcnow

# kind: what was answered ; answer: what it meant
REMINDER, FOLLOWUP, DECLINED = "reminder", "followup", "declined"
CONFIRM, CHANGE, CANCEL = "confirm", "change", "cancel"
YES, NO, RESCHEDULE, OFFERED = "yes", "no", "reschedule", "offered"
# the history row's reason when the participant confirms (the partner's page shows it)
CONFIRMED_BY_PARTICIPANT = "confirmed by the participant"


class ReminderReply(Base):
    __tablename__ = "reminder_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    # the message answered (a reminder or follow-up row; the decline notice); one answer each
    outbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbound_messages.id"), unique=True
    )
    # the participant's message that answered it (None for a decline's offer)
    inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id"), unique=True
    )
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("booking_appointments.id"))
    referral_id: Mapped[str | None] = mapped_column(ForeignKey("booking_referrals.id"))
    kind: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str] = mapped_column(String(16))
    booking_session_id: Mapped[str | None] = mapped_column(
        ForeignKey("booking_sessions.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
