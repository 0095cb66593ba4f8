"""Reschedule and cancel by message, at any time: the participant's next booked appointment
is cancelled (its seat freed) or offered new times through the booking conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import service
from api.booking.conversation import Say, active, note, prompt, start
from api.booking.models import BOOKED, Appointment
from api.conversations.models import Conversation, Participant
from api.db import utcnow
from api.directory import snapshot


def upcoming(participant: Participant, now: datetime, *, db_session: Session) -> Appointment | None:
    """The participant's next booked appointment."""
    return db_session.scalars(
        select(Appointment)
        .where(
            Appointment.participant_id == participant.id,
            Appointment.status == BOOKED,
            Appointment.start > now,
        )  # fmt: skip
        .order_by(Appointment.start)
        .limit(1)
    ).first()


def _appointment_data(appointment: Appointment, *, db_session: Session) -> dict[str, Any]:
    card = snapshot.cached(db_session).cards.get(appointment.service_id)
    return {"service": card.name if card else "", "start": appointment.start.isoformat(),
            "timezone": appointment.timezone}  # fmt: skip


def cancel(
    participant: Participant, *, db_session: Session, now: datetime | None = None
) -> list[Say]:
    """Cancel the next appointment (its seat is freed); say so, or that there is none."""
    now = now or utcnow()
    appointment = upcoming(participant, now, db_session=db_session)
    if appointment is None:
        return [note("booking.nothing_to_change")]
    data = _appointment_data(appointment, db_session=db_session)
    service.cancel(appointment, db_session=db_session, by="participant",
                   reason="cancelled by message", now=now)  # fmt: skip
    return [note("booking.cancelled", offer=data)]


def reschedule(
    participant: Participant, channel: str, *, db_session: Session,
    conversation: Conversation | None = None, now: datetime | None = None,
) -> list[Say]:  # fmt: skip
    """Offer new times for the next appointment's domain; a pick moves it."""
    now = now or utcnow()
    appointment = upcoming(participant, now, db_session=db_session)
    if appointment is None:
        return [note("booking.nothing_to_change")]
    previous = active(participant, db_session=db_session)
    zip_code = previous.zip_code if previous else None
    referral = service.referral_of(appointment, db_session=db_session)
    if zip_code is None and referral is not None:
        zip_code = referral.shared.get("zip")
    session = start(participant, [appointment.domain], channel, db_session=db_session,
                    zip_code=zip_code, max_referrals=1)  # fmt: skip
    assert session is not None
    session.rescheduling_id = appointment.id
    session.seen = [f"{appointment.service_id}@{appointment.start.isoformat()}"]
    if session.zip_code:
        session.step = "offer"
    return prompt(session, participant, db_session=db_session, conversation=conversation,
                  now=now, lead="booking.reschedule")  # fmt: skip
