"""Reminder rows across DST and quiet hours, frozen clock (`now=`), in Los Angeles, Phoenix
(no DST) and New York: what the planner writes to the outbox. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking.models import Appointment
from api.outbox.models import OutboundMessage
from api.reminders import planner
from tests.support.booking import food_partner, participant

Z = UTC
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=Z)  # well before every appointment below


def _plan(db: Session, org, start: datetime, location: str, recipient: str, phone: str):  # type: ignore[no-untyped-def]
    service_id = food_partner(db, service_id=f"svc-{phone[-4:]}")
    person = participant(db, phone, org_id=org.id)
    person.timezone = recipient
    appointment = Appointment(org_id=org.id, participant_id=person.id, service_id=service_id,
                              domain="food", start=start, end=start.replace(minute=59),
                              timezone=location)  # fmt: skip
    db.add(appointment)
    db.flush()
    planner.plan_appointment(appointment, db_session=db, now=NOW)
    rows = db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.appointment_id == appointment.id)
        .order_by(OutboundMessage.id)
    ).all()
    return [(r.kind, r.status, r.next_attempt_at, r.not_after) for r in rows]


def test_spring_forward_weekend_in_new_york(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    # Sun 2026-03-08 11:00 EDT (clocks went 02:00 -> 03:00 that night): the day before is
    # Sat 10:00 EST, 2 h before is 09:00 EDT
    rows = _plan(db, org, datetime(2026, 3, 8, 15, 0, tzinfo=Z), "America/New_York",
                 "America/New_York", "+12125550401")  # fmt: skip
    assert rows[:2] == [
        ("reminder", "pending", datetime(2026, 3, 7, 15, 0, tzinfo=Z),
         datetime(2026, 3, 8, 5, 0, tzinfo=Z)),  # never on the day: Sun 00:00 EST
        ("reminder", "pending", datetime(2026, 3, 8, 13, 0, tzinfo=Z),
         datetime(2026, 3, 8, 14, 0, tzinfo=Z)),
    ]  # fmt: skip


def test_a_10am_reminder_on_the_spring_forward_day(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    rows = _plan(db, org, datetime(2026, 3, 9, 18, 0, tzinfo=Z), "America/New_York",
                 "America/New_York", "+12125550402")  # fmt: skip
    assert rows[0][2] == datetime(2026, 3, 8, 14, 0, tzinfo=Z)  # Sun 10:00 EDT


def test_a_10am_reminder_on_the_fall_back_day(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    # Mon 2026-11-02 14:00 PST: the day before is Sun 11-01 10:00 PST (after 02:00 -> 01:00)
    rows = _plan(db, org, datetime(2026, 11, 2, 22, 0, tzinfo=Z), "America/Los_Angeles",
                 "America/Los_Angeles", "+16195550403")  # fmt: skip
    assert rows[0][2] == datetime(2026, 11, 1, 18, 0, tzinfo=Z)


def test_an_appointment_at_0130_on_fall_back_day(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    # 01:30 happens twice on 2026-11-01 in Los Angeles; the booking's start is the first
    # (PDT, 08:30Z). The day before is Sat 10:00 PDT; 2 h before (23:30 Sat) is quiet, so it
    # moves to 20:45 Sat (the 08:00 edge is after the start); follow-up Mon 10:00 PST.
    start = datetime(2026, 11, 1, 8, 30, tzinfo=Z)
    rows = _plan(db, org, start, "America/Los_Angeles", "America/Los_Angeles", "+16195550404")
    assert rows == [
        ("reminder", "pending", datetime(2026, 10, 31, 17, 0, tzinfo=Z),
         datetime(2026, 11, 1, 7, 0, tzinfo=Z)),
        ("reminder", "pending", datetime(2026, 11, 1, 3, 45, tzinfo=Z),
         datetime(2026, 11, 1, 7, 30, tzinfo=Z)),
        ("followup", "pending", datetime(2026, 11, 2, 18, 0, tzinfo=Z),
         datetime(2026, 11, 3, 5, 0, tzinfo=Z)),
    ]  # fmt: skip


def test_phoenix_keeps_its_clock_when_the_others_change(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    # Mon 2026-03-09 09:00 MST: 10:00 the day before is 17:00Z as in winter; 2 h before
    # (07:00) is quiet and moves to the 08:00 edge, exactly the minimum hour before
    rows = _plan(db, org, datetime(2026, 3, 9, 16, 0, tzinfo=Z), "America/Phoenix",
                 "America/Phoenix", "+16025550405")  # fmt: skip
    assert [r[2] for r in rows[:2]] == [
        datetime(2026, 3, 8, 17, 0, tzinfo=Z),
        datetime(2026, 3, 9, 15, 0, tzinfo=Z),
    ]


@pytest.mark.parametrize(
    ("recipient", "day_before", "two_hours"),
    [
        # 10:00 and 08:00 in New York are 07:00 and 05:00 in Los Angeles: quiet there
        ("America/Los_Angeles", datetime(2026, 1, 12, 16, 0, tzinfo=Z),
         datetime(2026, 1, 13, 4, 45, tzinfo=Z)),
        ("America/New_York", datetime(2026, 1, 12, 15, 0, tzinfo=Z),
         datetime(2026, 1, 13, 13, 0, tzinfo=Z)),
        ("America/Phoenix", datetime(2026, 1, 12, 15, 0, tzinfo=Z),
         datetime(2026, 1, 13, 3, 45, tzinfo=Z)),
    ],
)  # fmt: skip
def test_quiet_hours_are_the_recipients(db: Session, org, recipient, day_before, two_hours) -> None:  # type: ignore[no-untyped-def]
    # Tue 2026-01-13 10:00 EST in New York, the participant in each zone
    rows = _plan(db, org, datetime(2026, 1, 13, 15, 0, tzinfo=Z), "America/New_York",
                 recipient, f"+121255504{len(recipient)}")  # fmt: skip
    assert [r[2] for r in rows[:2]] == [day_before, two_hours]
