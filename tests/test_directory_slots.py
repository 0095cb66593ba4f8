"""Slots: HSDS schedules expanded with dateutil.rrule in the location's named zone, times a
capacity per slot, with extra slots, closures, full days and seats taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from api.directory.slots import Exception_, expand, parse_rule

LA = ZoneInfo("America/Los_Angeles")


def rule(**fields: object):  # type: ignore[no-untyped-def]
    parsed = parse_rule({"freq": "WEEKLY", "dtstart": "2026-01-05", **fields})
    assert parsed.rule is not None, parsed.error
    return parsed.rule


def test_weekly_schedule_keeps_local_hours_across_the_dst_change() -> None:
    # Mondays 9-10 in San Diego; DST ends on Sunday 1 November 2026
    monday = rule(byday="MO", opens_at="09:00", closes_at="10:00")
    start = datetime(2026, 10, 25, tzinfo=UTC)

    slots = expand("s", [(monday, LA)], capacity=2, slot_minutes=60, start=start)

    assert [s.start for s in slots] == [
        datetime(2026, 10, 26, 16, 0, tzinfo=UTC),  # 09:00 PDT (UTC-7)
        datetime(2026, 11, 2, 17, 0, tzinfo=UTC),  # 09:00 PST (UTC-8)
    ]
    assert {s.start.astimezone(LA).hour for s in slots} == {9}
    assert all(s.capacity == 2 and s.open == 2 for s in slots)


def test_hours_are_cut_into_slots_times_capacity_less_seats_taken() -> None:
    hours = rule(byday="TU,TH", opens_at="09:00", closes_at="11:00")
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday 1 December, midnight in LA
    first = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)

    slots = expand("s", [(hours, LA)], capacity=3, slot_minutes=30, start=start, days=7,
                   taken={first: 3, first + timedelta(minutes=30): 1})  # fmt: skip

    assert len(slots) == 2 * 4  # Tue and Thu, four half hours each
    assert [s.open for s in slots[:3]] == [0, 2, 3]
    assert sum(s.open for s in slots) == 8 * 3 - 4


def test_closures_full_days_and_extra_slots() -> None:
    hours = rule(byday="MO,TU,WE", opens_at="13:00", closes_at="15:00")
    start = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Monday 7 December, midnight in LA
    day = timedelta(days=1)
    closed_monday = Exception_("closure", start, start + day)
    full_tuesday = Exception_("capacity", start + day, start + 2 * day, 0)
    saturday = datetime(2026, 12, 12, 18, 0, tzinfo=UTC)  # 10:00 in LA
    extra = Exception_("extra", saturday, saturday + timedelta(hours=1), 5)

    slots = expand("s", [(hours, LA)], capacity=2, slot_minutes=60, start=start, days=7,
                   exceptions=[closed_monday, full_tuesday, extra])  # fmt: skip

    by_day = {}
    for s in slots:
        by_day.setdefault(s.start.astimezone(LA).strftime("%a"), []).append(s.open)
    assert by_day == {"Tue": [0, 0], "Wed": [2, 2], "Sat": [5]}


def test_every_other_week_and_monthly_nth_weekday() -> None:
    fortnightly = rule(byday="SA", interval=2, opens_at="09:00", closes_at="10:00")
    first_saturday = rule(freq="MONTHLY", byday="1SA", opens_at="09:00", closes_at="10:00")
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    every_other = expand("a", [(fortnightly, LA)], capacity=1, slot_minutes=60, start=start,
                         days=28)  # fmt: skip
    monthly = expand("b", [(first_saturday, LA)], capacity=1, slot_minutes=60, start=start,
                     days=40)  # fmt: skip

    # the series starts on Saturday 2026-01-10 (the week of dtstart): 2026-12-12 is 48 weeks on
    assert [s.start.astimezone(LA).date().isoformat() for s in every_other] == [
        "2026-12-12",
        "2026-12-26",
    ]
    assert [s.start.astimezone(LA).date().isoformat() for s in monthly] == [
        "2026-12-05",
        "2027-01-02",
    ]


def test_unusable_schedules_say_why() -> None:
    assert parse_rule({"byday": "MO"}).error == "no opens_at/closes_at"
    assert parse_rule({"freq": "YEARLY", "opens_at": "9:00", "closes_at": "10:00"}).error == (
        "freq 'YEARLY' is not WEEKLY or MONTHLY"
    )
    assert parse_rule({"byday": "MO", "opens_at": "10:00", "closes_at": "09:00"}).error == (
        "closes_at is not after opens_at"
    )
    # an offset after the time is read as local time of the named zone
    parsed = parse_rule({"byday": "MO", "opens_at": "09:00-08:00", "closes_at": "10:00Z"})
    assert parsed.rule is not None and parsed.rule.opens.hour == 9
