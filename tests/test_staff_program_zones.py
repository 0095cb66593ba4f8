"""The program page's days are the program's local days: a screening at 23:30 in Los Angeles
counts on that day, not on the next UTC day, and the 25-hour day when DST ends is one day.
On SQLite (UTC offsets per DST segment) and PostgreSQL (AT TIME ZONE)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.staff import program
from api.staff.web.reports import filters_from
from tests.test_staff_program import Builder

LA = ZoneInfo("America/Los_Angeles")


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _started(db: Session, org_id: str, *times: datetime) -> None:
    b = Builder(db, org_id)
    for t in times:
        b.screening(b.person("en", "sms", None), t, None)
    db.flush()


def _days(org_id: str, f: program.Filters, db: Session) -> dict[date, int]:
    return {p.bucket: p.started for p in program.report(org_id, f, db_session=db).screenings}


def test_a_day_runs_from_local_midnight_to_local_midnight(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    _started(
        db,
        org.id,
        utc(11, 3, 7, 59),  # 11-02 23:59 PST: before the period
        utc(11, 4, 3, 0),  # 11-03 19:00 PST: UTC's 11-04
        utc(11, 4, 7, 30),  # 11-03 23:30 PST: UTC's 11-04
        utc(11, 4, 8, 0),  # 11-04 00:00 PST
        utc(11, 5, 7, 59),  # 11-04 23:59 PST, the period's last minute
        utc(11, 5, 8, 0),  # 11-05 00:00 PST: after the period
    )
    local = program.Filters(date(2026, 11, 3), date(2026, 11, 4), zone=LA)
    assert (local.since, local.until) == (utc(11, 3, 8), utc(11, 5, 8))
    assert _days(org.id, local, db) == {date(2026, 11, 3): 2, date(2026, 11, 4): 2}
    in_utc = program.Filters(date(2026, 11, 3), date(2026, 11, 4))
    assert _days(org.id, in_utc, db) == {date(2026, 11, 3): 1, date(2026, 11, 4): 3}
    assert _days(org.id, program.Filters(date(2026, 11, 5), date(2026, 11, 5)), db) == {
        date(2026, 11, 5): 2  # 11-05 07:59 and 08:00 UTC are one UTC day, two local ones
    }


def test_the_day_dst_ends_has_25_hours(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    # 2026-11-01 in Los Angeles: 00:00 PDT = 07:00 UTC to 24:00 PST = 08:00 UTC next day
    _started(
        db,
        org.id,
        utc(11, 1, 6, 59),  # 10-31 23:59 PDT
        utc(11, 1, 7, 0),  # 11-01 00:00 PDT
        utc(11, 1, 9, 30),  # 01:30 PST, the second 01:30 of the day
        utc(11, 2, 7, 30),  # 11-01 23:30 PST
        utc(11, 2, 8, 0),  # 11-02 00:00 PST
    )
    f = program.Filters(date(2026, 10, 31), date(2026, 11, 2), zone=LA)
    assert [offset for _, offset in f.offsets()] == [-7 * 3600, -8 * 3600]
    assert f.offsets()[1][0] == utc(11, 1, 9)  # 02:00 PDT becomes 01:00 PST
    assert _days(org.id, f, db) == {
        date(2026, 10, 31): 1,
        date(2026, 11, 1): 3,
        date(2026, 11, 2): 1,
    }


def test_weeks_start_on_the_local_monday(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    _started(
        db,
        org.id,
        utc(11, 9, 7, 30),  # Sunday 11-08 23:30 PST: the week of Monday 11-02
        utc(11, 9, 8, 30),  # Monday 11-09 00:30 PST
        utc(3, 9, 6, 30),  # Sunday 03-08 23:30 PDT, the day DST began: week of 03-02
    )
    f = program.Filters(date(2026, 3, 1), date(2026, 11, 15), zone=LA)
    assert f.bucket == "week"
    weeks = _days(org.id, f, db)
    assert all(w.weekday() == 0 for w in weeks)
    assert (weeks[date(2026, 11, 2)], weeks[date(2026, 11, 9)]) == (1, 1)
    assert (weeks[date(2026, 3, 2)], weeks[date(2026, 3, 9)]) == (1, 0)


def test_the_page_filters_carry_the_zone() -> None:
    f, problem = filters_from({"start": "2026-11-01", "end": "2026-11-01"}, date(2026, 11, 5), LA)
    assert problem is None and f.zone == LA
    assert (f.since, f.until) == (utc(11, 1, 7), utc(11, 2, 8))
    default, _ = filters_from({}, date(2026, 11, 5), LA)
    assert (default.end, default.zone) == (date(2026, 11, 5), LA)
