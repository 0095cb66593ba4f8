"""Reschedule and cancel by message, at any time: the participant's next booked appointment
is cancelled (its seat freed) or offered new times through the booking conversation. And a
new booking for a referral's domain when its appointment is gone (a no-show, a partner's
decline): `offer_again`, straight at the menu of times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import crypto
from api.booking import service
from api.booking.conversation import Say, active, menu_of, note, prompt, start
from api.booking.models import BOOKED, Appointment, Referral
from api.booking.offers import BookingOffer
from api.booking.sessions import BookingSession
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
    appointment: Appointment | None = None,
) -> list[Say]:  # fmt: skip
    """Offer new times for the next appointment's domain (or `appointment`'s, e.g. the one
    a reminder was about); a pick moves it."""
    now = now or utcnow()
    appointment = appointment or upcoming(participant, now, db_session=db_session)
    if appointment is None or appointment.status != BOOKED:
        return [note("booking.nothing_to_change")]
    referral = service.referral_of(appointment, db_session=db_session)
    zip_code = _known_zip(participant, referral, db_session=db_session)
    session = start(participant, [appointment.domain], channel, db_session=db_session,
                    zip_code=zip_code, max_referrals=1)  # fmt: skip
    assert session is not None
    session.rescheduling_id = appointment.id
    session.seen = [f"{appointment.service_id}@{appointment.start.isoformat()}"]
    if session.zip_code:
        session.step = "offer"
    return prompt(session, participant, db_session=db_session, conversation=conversation,
                  now=now, lead="booking.reschedule")  # fmt: skip


def _known_zip(
    participant: Participant, referral: Referral | None, *, db_session: Session
) -> str | None:
    previous = active(participant, db_session=db_session)
    zip_code = previous.zip_code if previous else None
    if zip_code is None and referral is not None:
        zip_code = referral.shared.get("zip")
    return zip_code


def offer_again(
    participant: Participant, referral: Referral, channel: str, *, db_session: Session,
    conversation: Conversation | None = None, now: datetime | None = None,
    found: list[BookingOffer] | None = None, lead: str | None = None,
) -> tuple[BookingSession, list[Say]]:  # fmt: skip
    """A new booking for the referral's domain, at its menu of times: `found` when the caller
    has them (a decline's other times), else computed without the referral's old time. The
    name shared for the old referral is kept for the new one. An empty menu says what the
    booking conversation says then (and a person is asked to find a time)."""
    now = now or utcnow()
    zip_code = _known_zip(participant, referral, db_session=db_session)
    session = start(participant, [referral.domain], channel, db_session=db_session,
                    zip_code=zip_code, max_referrals=1)  # fmt: skip
    assert session is not None
    session.step = "offer"
    name = referral.shared.get("name")
    if name:
        session.name_encrypted = crypto.encrypt(str(name))
    if referral.appointment is not None:
        old = referral.appointment
        session.seen = [f"{old.service_id}@{old.start.isoformat()}"]
    if found:
        return session, [menu_of(session, found, lead)]
    return session, prompt(session, participant, db_session=db_session,
                           conversation=conversation, now=now, lead=lead)  # fmt: skip
