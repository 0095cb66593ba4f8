"""Reminders planned as outbox rows when an appointment is booked, cancelled with it, planned
again when it moves (frozen clock: every call passes `now=`). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.booking import service
from api.booking.models import Appointment
from api.conversations import service as conversations
from api.outbox.models import CANCELLED, DROPPED, PENDING, OutboundMessage
from api.referrals import partner_actions
from api.reminders import planner
from tests.support.booking import FIRST_SLOT, NOW, ZIP, food_partner, participant


def _rows(db: Session, appointment_id: str) -> list[OutboundMessage]:
    return list(
        db.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.appointment_id == appointment_id)
            .order_by(OutboundMessage.next_attempt_at)
        )
    )


def _live(db: Session, appointment_id: str) -> list[tuple[str, datetime]]:
    return [
        (row.kind, row.next_attempt_at)
        for row in _rows(db, appointment_id)
        if row.status == PENDING
    ]


def _book(db: Session, org, phone: str, *, language: str = "en", zip_code: str = ZIP):  # type: ignore[no-untyped-def]
    food_partner(db, slots=3)
    person = participant(db, phone, org_id=org.id, language=language)
    conversations.current_conversation(person, "sms", db_session=db)
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]
    return person, service.book(person, offer, db_session=db, zip_code=zip_code, now=NOW)


def test_booking_plans_the_day_before_two_hours_and_followup_rows(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    # booked Tue 08:00 San Diego for Wed 09:00: Tue 10:00, Wed 08:00 (07:00 is quiet: moved to
    # the 08:00 edge, still 1 h before), and "did you make it?" Thu 10:00
    person, booking = _book(db, org, "+16195550301")
    rows = _rows(db, booking.appointment.id)

    assert [(r.kind, r.status, r.next_attempt_at) for r in rows] == [
        ("reminder", PENDING, datetime(2026, 12, 1, 18, 0, tzinfo=UTC)),
        ("reminder", PENDING, datetime(2026, 12, 2, 16, 0, tzinfo=UTC)),
        ("followup", PENDING, datetime(2026, 12, 3, 18, 0, tzinfo=UTC)),
    ]
    day_before, two_hours, followup = rows
    assert day_before.not_after == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # Wed 00:00 local
    assert two_hours.not_after == FIRST_SLOT.replace(hour=16)  # an hour before the start
    assert followup.not_after == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)  # Thu 21:00 local
    assert {r.quiet_zone for r in rows} == {"America/Los_Angeles"}
    assert {r.channel for r in rows} == {"sms"} and {r.participant_id for r in rows} == {person.id}
    key = f"reminder:day_before:{booking.appointment.id}:20261202T1700Z"
    assert day_before.idempotency_key == key
    assert day_before.body == (
        "Reminder: your appointment with Harbor Pantry is tomorrow, Wed, Dec 2 9:00 AM. "
        "Reply 1 to confirm, 2 to change, 3 to cancel."
    )
    assert "coming up" in two_hours.body and "Did you make it" in followup.body


def test_planning_again_makes_no_second_row(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    _, booking = _book(db, org, "+16195550302")
    before = _rows(db, booking.appointment.id)

    again = planner.plan_appointment(booking.appointment, db_session=db, now=NOW)

    assert again == []
    assert [r.id for r in _rows(db, booking.appointment.id)] == [r.id for r in before]


def test_the_body_is_in_the_participants_language(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    _, booking = _book(db, org, "+16195550303", language="es")
    day_before = _rows(db, booking.appointment.id)[0]
    assert day_before.body.startswith(
        "Recordatorio: su cita con Harbor Pantry es mañana, mié, 2 de dic 9:00 a.m.; responda 1"
    )


def test_a_participant_in_phoenix_sees_the_time_in_phoenix(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    # a San Diego appointment at 09:00 PST is 10:00 MST in Phoenix; quiet hours are Phoenix's
    _, booking = _book(db, org, "+16025550304", zip_code="85004")
    rows = _rows(db, booking.appointment.id)
    assert {r.quiet_zone for r in rows} == {"America/Phoenix"}
    assert "tomorrow, Wed, Dec 2 10:00 AM MST." in rows[0].body
    # 2 h before is 08:00 MST in Phoenix (allowed), though it is 07:00 in San Diego
    assert rows[1].next_attempt_at == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


def test_cancel_cancels_the_waiting_reminders(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    _, booking = _book(db, org, "+16195550305")
    service.cancel(booking.appointment, db_session=db, now=NOW)
    rows = _rows(db, booking.appointment.id)
    assert {(r.status, r.status_reason) for r in rows} == {(CANCELLED, "appointment_cancelled")}


def test_reschedule_cancels_and_plans_the_new_time(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, booking = _book(db, org, "+16195550306")
    new_offer = service.offers(person, "food", ZIP, NOW, db_session=db)[1]

    service.reschedule(booking.appointment, new_offer, db_session=db, now=NOW)

    assert _live(db, booking.appointment.id) == [
        ("reminder", datetime(2026, 12, 2, 18, 0, tzinfo=UTC)),
        ("reminder", datetime(2026, 12, 3, 16, 0, tzinfo=UTC)),
        ("followup", datetime(2026, 12, 4, 18, 0, tzinfo=UTC)),
    ]
    cancelled = [r for r in _rows(db, booking.appointment.id) if r.status == CANCELLED]
    assert len(cancelled) == 3 and {r.status_reason for r in cancelled} == {"appointment_moved"}


def test_moving_back_to_the_first_time_plans_it_again(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, booking = _book(db, org, "+16195550307")
    first, second = service.offers(person, "food", ZIP, NOW, db_session=db)[:2]
    service.reschedule(booking.appointment, second, db_session=db, now=NOW)
    first = next(o for o in service.offers(person, "food", ZIP, NOW, db_session=db)
                 if o.start == FIRST_SLOT)  # fmt: skip
    service.reschedule(booking.appointment, first, db_session=db, now=NOW)
    assert [k for k, _ in _live(db, booking.appointment.id)] == ["reminder", "reminder", "followup"]
    assert _live(db, booking.appointment.id)[0][1] == datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def test_the_partners_new_time_plans_the_reminders_again(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    _, booking = _book(db, org, "+16195550308")
    partner_actions.act(booking.referral, "propose", new_time="2027-03-10T14:00",
                        db_session=db)  # fmt: skip
    assert _live(db, booking.appointment.id) == [
        ("reminder", datetime(2027, 3, 9, 18, 0, tzinfo=UTC)),  # 10:00 PST
        ("reminder", datetime(2027, 3, 10, 20, 0, tzinfo=UTC)),  # 12:00 PST
        ("followup", datetime(2027, 3, 11, 18, 0, tzinfo=UTC)),
    ]


def test_a_partners_decline_cancels_the_reminders(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    _, booking = _book(db, org, "+16195550309")
    partner_actions.act(booking.referral, "decline", reason="full", db_session=db)
    assert _live(db, booking.appointment.id) == []


def test_a_reminder_whose_time_passed_before_booking_is_recorded_dropped(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    person = participant(db, "+16195550310", org_id=org.id)
    late = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # Wed 06:00: the day-before time is past
    offer = service.offers(person, "food", ZIP, late, db_session=db)[0]
    booking = service.book(person, offer, db_session=db, zip_code=ZIP, now=late)
    rows = _rows(db, booking.appointment.id)
    assert [(r.kind, r.status, r.status_reason) for r in rows] == [
        ("reminder", DROPPED, "send_time_passed_at_planning"),
        ("reminder", PENDING, None),
        ("followup", PENDING, None),
    ]


def test_stop_cancels_pending_reminders(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, booking = _book(db, org, "+16195550311")
    conversations.opt_out_of_sms(person, db_session=db)
    assert _live(db, booking.appointment.id) == []
    statuses = {(r.status, r.error_code) for r in _rows(db, booking.appointment.id)}
    assert statuses == {(CANCELLED, "opted_out")}


def test_no_sms_and_no_web_chat_is_a_staff_call(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    from api.handoff.models import Handoff

    person, booking = _book(db, org, "+16195550312")
    service.cancel(booking.appointment, db_session=db, now=NOW)
    person.sms_opted_out = True
    appointment = Appointment(org_id=org.id, participant_id=person.id,
                              service_id=booking.appointment.service_id, domain="food",
                              start=FIRST_SLOT, end=FIRST_SLOT.replace(hour=18),
                              timezone="America/Los_Angeles")  # fmt: skip
    db.add(appointment)
    db.flush()

    planner.plan_appointment(appointment, db_session=db, now=NOW)

    rows = _rows(db, appointment.id)
    assert {(r.status, r.status_reason) for r in rows} == {(DROPPED, "no_working_channel")}
    handoff = db.scalars(select(Handoff).where(Handoff.participant_id == person.id)).one()
    assert "reminder_call:no_working_channel" in handoff.reasons
    assert db.scalar(select(func.count()).select_from(Handoff)) == 1
