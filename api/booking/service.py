"""Booking: offer times, book one (appointment + referral, in one unit of work), cancel,
reschedule, and the partner's decline. Thin adapters (actions, routes, the partner page)
call these; they never commit.

`book()` is safe under concurrency: the seat is an insert the database refuses twice
(api/booking/seats.py). When the slot is full by then, `SlotTaken` carries fresh offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import crypto
from api.booking import offers as offering
from api.booking import seats, states
from api.booking.models import BOOKED, CANCELLED, Appointment, Referral
from api.booking.offers import BookingOffer, offers
from api.conversations.models import Participant
from api.db import utcnow
from api.screening.consent import current_consents
from api.screening.models import COMPLETED, ScreeningSession
from api.screening.results import results
from api.staff import service as staff

__all__ = ["Booking", "BookingOffer", "SlotTaken", "book", "cancel", "decline", "offers",
           "moved_in_place", "reschedule", "shared_fields"]  # fmt: skip


class SlotTaken(Exception):
    """Every seat of the slot went (or the slot closed) before this booking: here are others."""

    def __init__(self, offer: BookingOffer, fresh: list[BookingOffer]) -> None:
        super().__init__(f"slot {offer.service_id} at {offer.start.isoformat()} is taken")
        self.offer = offer
        self.offers = fresh


class _Full(Exception):
    """Inside a savepoint: no seat left, roll the savepoint back."""


class AppointmentClosed(ValueError):
    """The appointment was cancelled, declined or has happened: it can't be moved."""


@dataclass(frozen=True)
class Contact:
    """What the conversation collected for the partner (already validated), both optional."""

    name: str | None = None
    phone: str | None = None  # E.164


@dataclass(frozen=True)
class Booking:
    appointment: Appointment
    referral: Referral


def _org_id(participant: Participant, *, db_session: Session) -> str:
    org_id = participant.org_id or staff.default_org_id(db_session=db_session)
    if org_id is None:
        raise RuntimeError("the participant has no organization and PROGRAM_ORG_SLUG names none")
    return org_id


def shared_fields(
    participant: Participant, contact: Contact | None, zip_code: str | None, *, db_session: Session
) -> dict[str, Any]:
    """Only what the participant agreed to share with a partner (purpose share_partner)."""
    if not current_consents(participant, db_session=db_session).get("share_partner"):
        return {}
    fields: dict[str, Any] = {}
    if contact and contact.name:
        fields["name"] = contact.name
    phone = contact.phone if contact and contact.phone else None
    if phone is None and participant.phone_encrypted:
        phone = crypto.decrypt(participant.phone_encrypted)
    if phone:
        fields["phone"] = phone
    if zip_code:
        fields["zip"] = zip_code
    return fields


def screening_reason(
    participant: Participant, domain: str, *, db_session: Session
) -> dict[str, Any]:
    """The domain and its coded result from the latest completed screening (no free text)."""
    reason: dict[str, Any] = {"domain": domain}
    session = db_session.scalars(
        select(ScreeningSession)
        .where(
            ScreeningSession.participant_id == participant.id, ScreeningSession.status == COMPLETED
        )
        .order_by(ScreeningSession.completed_at.desc())
        .limit(1)
    ).first()
    if session is None:
        return reason
    for result in results(session, db_session=db_session):
        if result.domain == domain:
            reason.update(status=result.status, loinc=result.loinc, score=result.score,
                          urgent=result.urgent, questions=list(result.questions))  # fmt: skip
            break
    return reason


def _fresh(participant: Participant, offer: BookingOffer, zip_code: str | None, now: datetime,
           *, db_session: Session) -> list[BookingOffer]:  # fmt: skip
    return offers(participant, offer.domain, zip_code, now, db_session=db_session,
                  exclude=frozenset({offer.key}))  # fmt: skip


def _hold(appointment: Appointment, offer: BookingOffer, *, db_session: Session) -> int | None:
    capacity = offering.slot_capacity(offer.service_id, offer.start, db_session=db_session)
    if not capacity:
        return None
    return seats.claim(offer.service_id, offer.start, capacity, appointment.id,
                       db_session=db_session)  # fmt: skip


def _already_booked(
    participant: Participant, offer: BookingOffer, *, db_session: Session
) -> Booking | None:
    appointment = db_session.scalars(
        select(Appointment).where(
            Appointment.participant_id == participant.id,
            Appointment.service_id == offer.service_id,
            Appointment.start == offer.start,
            Appointment.status == BOOKED,
        )
    ).first()
    referral = referral_of(appointment, db_session=db_session) if appointment else None
    return Booking(appointment, referral) if appointment and referral else None


def book(
    participant: Participant,
    offer: BookingOffer,
    *,
    db_session: Session,
    zip_code: str | None = None,
    contact: Contact | None = None,
    reason: dict[str, Any] | None = None,
    by: str = "participant",
    now: datetime | None = None,
) -> Booking:
    """Take a seat of the offered slot: an appointment and its referral (requested, booked).
    Raises SlotTaken, with fresh offers, when no seat is left."""
    now = now or utcnow()
    existing = _already_booked(participant, offer, db_session=db_session)
    if existing is not None:  # the same pick again (a retried message): the same booking
        return existing
    org_id = _org_id(participant, db_session=db_session)
    appointment = Appointment(
        org_id=org_id, participant_id=participant.id, service_id=offer.service_id,
        location_id=offer.location_id, domain=offer.domain, start=offer.start, end=offer.end,
        timezone=offer.timezone, status=BOOKED, confirmed_at=now,
    )  # fmt: skip
    try:
        with db_session.begin_nested():
            db_session.add(appointment)
            db_session.flush()
            seat = _hold(appointment, offer, db_session=db_session)
            if seat is None:
                raise _Full
    except _Full:  # the savepoint is rolled back: no appointment row is left
        seat = None
    if seat is None:
        raise SlotTaken(offer, _fresh(participant, offer, zip_code, now, db_session=db_session))
    appointment.seat = seat
    referral = Referral(
        org_id=org_id, participant_id=participant.id, appointment=appointment,
        service_id=offer.service_id, domain=offer.domain,
        language=participant.language or "en",
        reason=reason or screening_reason(participant, offer.domain, db_session=db_session),
        events=[],
    )  # fmt: skip
    referral.shared = shared_fields(participant, contact, zip_code, db_session=db_session)
    states.transition(referral, states.REQUESTED, states.BOOKED, by=by,
                      reason=f"booked {offer.local_start.isoformat()}", at=now)  # fmt: skip
    db_session.add(referral)
    db_session.flush()
    from api.referrals import delivery  # the first call: the referral goes to the partner

    delivery.queue_after_booking(referral, db_session=db_session)
    _reminders().plan_appointment(appointment, db_session=db_session, now=now, zip_code=zip_code)
    return Booking(appointment, referral)


def _reminders() -> Any:
    from api.reminders import planner  # reminders are planned, cancelled, moved with the booking

    return planner


def referral_of(appointment: Appointment, *, db_session: Session) -> Referral | None:
    return db_session.scalars(
        select(Referral).where(Referral.appointment_id == appointment.id).limit(1)
    ).first()


def cancel(
    appointment: Appointment, *, db_session: Session, by: str = "participant",
    reason: str | None = None, now: datetime | None = None,
) -> None:  # fmt: skip
    """The participant (or staff) cancels: the seat is free again, the referral cancelled."""
    _reminders().cancel_appointment(appointment, reason="appointment_cancelled",
                                    db_session=db_session)  # fmt: skip
    referral = referral_of(appointment, db_session=db_session)
    if referral is not None and referral.status not in states.FINAL:
        states.transition(referral, states.TASK_CANCELLED, by=by,
                          reason=reason or "appointment cancelled", at=now)  # fmt: skip
        _tell_partner(referral, "cancelled", db_session=db_session)
    else:
        seats.release(appointment.id, db_session=db_session)
        appointment.seat = None
        if appointment.status == BOOKED:
            appointment.status = CANCELLED
    db_session.flush()


def reschedule(
    appointment: Appointment, new_offer: BookingOffer, *, db_session: Session,
    by: str = "participant", zip_code: str | None = None, now: datetime | None = None,
) -> Booking:  # fmt: skip
    """Move to another time of the same service in place (the new seat is taken before the
    old one is given back, so a full slot changes nothing); another service is a new booking
    and the old one is cancelled. Raises SlotTaken with fresh offers."""
    now = now or utcnow()
    referral = referral_of(appointment, db_session=db_session)
    if appointment.status != BOOKED or referral is None or referral.status in states.FINAL:
        raise AppointmentClosed(f"appointment {appointment.id} is {appointment.status}")
    participant = db_session.get(Participant, appointment.participant_id)
    assert participant is not None
    if new_offer.service_id != appointment.service_id:
        booking = book(participant, new_offer, db_session=db_session, zip_code=zip_code,
                       reason=dict(referral.reason or {}), by=by, now=now)  # fmt: skip
        booking.referral.shared_encrypted = referral.shared_encrypted
        cancel(appointment, db_session=db_session, by=by, reason="rescheduled with another partner",
               now=now)  # fmt: skip
        return booking
    old = appointment.start.astimezone(new_offer.local_start.tzinfo).isoformat()
    try:
        with db_session.begin_nested():
            seats.release(appointment.id, db_session=db_session)
            seat = _hold(appointment, new_offer, db_session=db_session)
            if seat is None:
                raise _Full
    except _Full:  # rolled back: the old seat stays held
        seat = None
    if seat is None:
        raise SlotTaken(
            new_offer, _fresh(participant, new_offer, zip_code, now, db_session=db_session)
        )
    appointment.start, appointment.end, appointment.seat = new_offer.start, new_offer.end, seat
    appointment.confirmed_at = now
    why = f"rescheduled from {old} to {new_offer.local_start.isoformat()}"
    if referral.business_status != states.BOOKED:
        states.transition(referral, referral.status, states.BOOKED, by=by, reason=why, at=now)
    else:
        states.record(referral, by=by, reason=why, at=now)
    _tell_partner(referral, "update", db_session=db_session)
    db_session.flush()
    moved_in_place(appointment, db_session=db_session, now=now)
    return Booking(appointment, referral)


def moved_in_place(appointment: Appointment, *, db_session: Session,
                   now: datetime | None = None) -> None:  # fmt: skip
    """The appointment has a new time (rescheduled, or the partner's new time): its
    reminders are planned again for it."""
    _reminders().replan_appointment(appointment, db_session=db_session, now=now or utcnow(),
                                    reason="appointment_moved")  # fmt: skip


def _tell_partner(referral: Referral, kind: str, *, db_session: Session) -> None:
    from api.referrals import delivery  # the partner hears of a new time or a cancellation

    delivery.tell_partner(referral, kind, db_session=db_session)


def decline(
    referral: Referral, *, db_session: Session, by: str = "partner", reason: str | None = None,
    zip_code: str | None = None, now: datetime | None = None,
) -> list[BookingOffer]:  # fmt: skip
    """The partner declines: the seat is free, and here are other times for the participant."""
    now = now or utcnow()
    states.transition(referral, states.REJECTED, by=by, reason=reason, at=now)
    if referral.appointment is not None:
        _reminders().cancel_appointment(referral.appointment, reason="partner_declined",
                                        db_session=db_session)  # fmt: skip
    db_session.flush()
    participant = db_session.get(Participant, referral.participant_id)
    assert participant is not None
    where = zip_code or referral.shared.get("zip")
    return offers(participant, referral.domain, where, now, db_session=db_session,
                  exclude_services=frozenset({referral.service_id}))  # fmt: skip
