"""Booking through the service: offers, book, cancel, reschedule, decline (SQLite and
PostgreSQL, inside the test's transaction)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.booking import service, states
from api.booking.models import Appointment, Seat
from tests.support.booking import FIRST_SLOT, NOW, ZIP, food_partner, participant


def _seats(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Seat)) or 0)


def test_offers_are_open_slots_in_the_location_zone(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=2, slots=4)
    person = participant(db, "+16195550111", org_id=org.id)

    offers = service.offers(person, "food", ZIP, NOW, db_session=db)

    assert [o.start for o in offers] == [FIRST_SLOT + timedelta(days=n) for n in range(3)]
    first = offers[0]
    assert first.timezone == "America/Los_Angeles"
    assert first.local_start.isoformat() == "2026-12-02T09:00:00-08:00"
    assert first.service == "Harbor Pantry" and first.address == "1 Harbor Dr, San Diego 92101"


def test_book_creates_appointment_and_requested_booked_referral(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    person = participant(db, "+16195550112", org_id=org.id, language="es")
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]

    booking = service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW,
                           contact=service.Contact(name="Ana"))  # fmt: skip

    appointment, referral = booking.appointment, booking.referral
    assert (appointment.status, appointment.seat, appointment.start) == ("booked", 1, FIRST_SLOT)
    assert appointment.timezone == "America/Los_Angeles" and appointment.confirmed_at == NOW
    assert (referral.status, referral.business_status) == ("requested", "booked")
    assert referral.org_id == org.id and referral.language == "es"
    assert referral.shared == {"name": "Ana", "phone": "+16195550112", "zip": ZIP}
    assert referral.reason["domain"] == "food"
    assert [(e.status, e.by) for e in referral.events] == [("requested", "participant")]
    assert "+16195550112" not in (referral.shared_encrypted or "")  # encrypted at rest


def test_book_shares_nothing_without_partner_consent(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    person = participant(db, "+16195550113", org_id=org.id, share=False)
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]

    contact = service.Contact(name="Ana", phone="+16195550199")
    booking = service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW, contact=contact)
    referral = booking.referral

    assert referral.shared == {} and referral.shared_encrypted is None


def test_slot_taken_meanwhile_gets_fresh_options_sequentially(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=3, slots=2)
    people = [participant(db, f"+1619555012{n}", org_id=org.id) for n in range(5)]
    offer = service.offers(people[0], "food", ZIP, NOW, db_session=db)[0]
    assert offer.start == FIRST_SLOT

    won, lost = [], []
    for person in people:
        try:
            won.append(service.book(person, offer, db_session=db, now=NOW))
        except service.SlotTaken as taken:
            lost.append(taken)

    assert sorted(b.appointment.seat for b in won) == [1, 2, 3]
    assert len(lost) == 2
    assert [o.start for o in lost[0].offers] == [FIRST_SLOT + timedelta(days=1)]
    assert db.scalar(select(func.count()).select_from(Appointment)) == 3  # no orphan rows
    assert service.offers(people[4], "food", ZIP, NOW, db_session=db)[0].start != FIRST_SLOT


def test_cancel_frees_the_seat_and_cancels_the_referral(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=1)
    a, b = (participant(db, f"+1619555013{n}", org_id=org.id) for n in range(2))
    offer = service.offers(a, "food", ZIP, NOW, db_session=db)[0]
    booking = service.book(a, offer, db_session=db, now=NOW)
    assert service.offers(b, "food", ZIP, NOW, db_session=db) == []

    service.cancel(booking.appointment, db_session=db, reason="can't make it")

    assert booking.referral.status == "cancelled" and booking.appointment.status == "cancelled"
    assert booking.appointment.seat is None and _seats(db) == 0
    assert booking.referral.events[-1].reason == "can't make it"
    assert service.book(b, offer, db_session=db, now=NOW).appointment.seat == 1


def test_partner_decline_frees_the_seat_and_offers_other_partners(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=1)
    food_partner(db, service_id="svc-b1-food2", name="Bay Pantry", lat=32.72, lon=-117.16)
    person = participant(db, "+16195550141", org_id=org.id)
    offer = next(o for o in service.offers(person, "food", ZIP, NOW, db_session=db)
                 if o.service_id == "svc-b1-food")  # fmt: skip
    booking = service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW)

    fresh = service.decline(booking.referral, db_session=db, reason="not taking new clients",
                            now=NOW)  # fmt: skip

    assert booking.referral.status == "rejected" and booking.appointment.status == "declined"
    assert _seats(db) == 0
    assert fresh and {o.service_id for o in fresh} == {"svc-b1-food2"}
    assert booking.referral.events[-1].by == "partner"


def test_reschedule_moves_the_seat_and_records_it(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=1, slots=3)
    person = participant(db, "+16195550151", org_id=org.id)
    first, second, _ = service.offers(person, "food", ZIP, NOW, db_session=db)
    booking = service.book(person, first, db_session=db, now=NOW)

    moved = service.reschedule(booking.appointment, second, db_session=db, now=NOW)

    assert moved.appointment.id == booking.appointment.id
    assert moved.appointment.start == second.start
    assert db.scalars(select(Seat.slot_start)).all() == [second.start]
    assert moved.referral.events[-1].reason == (
        "rescheduled from 2026-12-02T09:00:00-08:00 to 2026-12-03T09:00:00-08:00")  # fmt: skip
    other = participant(db, "+16195550152", org_id=org.id)
    assert service.offers(other, "food", ZIP, NOW, db_session=db)[0].start == first.start


def test_reschedule_to_a_full_slot_keeps_the_old_seat(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=1, slots=2)
    a, b = (participant(db, f"+1619555016{n}", org_id=org.id) for n in range(2))
    first, second = service.offers(a, "food", ZIP, NOW, db_session=db)
    mine = service.book(a, first, db_session=db, now=NOW)
    service.book(b, second, db_session=db, now=NOW)

    with pytest.raises(service.SlotTaken):
        service.reschedule(mine.appointment, second, db_session=db, now=NOW)

    assert mine.appointment.start == first.start and mine.appointment.seat == 1
    assert sorted(db.scalars(select(Seat.slot_start))) == [first.start, second.start]


def test_cancelled_appointment_cannot_be_rescheduled(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=1, slots=2)
    person = participant(db, "+16195550171", org_id=org.id)
    first, second = service.offers(person, "food", ZIP, NOW, db_session=db)
    booking = service.book(person, first, db_session=db, now=NOW)
    service.cancel(booking.appointment, db_session=db)

    with pytest.raises(service.AppointmentClosed):
        service.reschedule(booking.appointment, second, db_session=db, now=NOW)
    with pytest.raises(states.InvalidTransition):
        states.transition(booking.referral, "accepted", by="partner")


def test_attended_and_no_show_are_shown_on_the_appointment(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=2)
    a, b = (participant(db, f"+1619555018{n}", org_id=org.id) for n in range(2))
    offer = service.offers(a, "food", ZIP, NOW, db_session=db)[0]
    came, missed = (service.book(p, offer, db_session=db, now=NOW) for p in (a, b))
    for booking in (came, missed):
        states.transition(booking.referral, "accepted", by="partner")

    states.transition(came.referral, "completed", "attended", by="partner")
    states.transition(missed.referral, "failed", "no-show", by="partner")

    assert came.appointment.status == "attended" and came.appointment.seat == 1
    assert missed.appointment.status == "no-show"


def test_booking_the_same_slot_twice_is_one_booking(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=3)
    person = participant(db, "+16195550191", org_id=org.id)
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]

    first = service.book(person, offer, db_session=db, now=NOW)
    again = service.book(person, offer, db_session=db, now=NOW)  # e.g. a retried message

    assert again.appointment.id == first.appointment.id
    assert again.referral.id == first.referral.id
    assert _seats(db) == 1 and len(first.referral.events) == 1
