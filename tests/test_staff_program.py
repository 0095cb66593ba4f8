"""The program page's figures against a small dataset whose every number is worked out by
hand (below, next to each row), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from api.booking.models import Appointment, Referral, ReferralEvent
from api.conversations.models import Conversation, InboundMessage, Participant
from api.directory.models import HsdsService
from api.outbox.models import OutboundMessage
from api.screening.models import ScreeningSession
from api.staff import program
from api.staff import service as staff

PERIOD = program.Filters(date(2026, 11, 1), date(2026, 11, 7))


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _results(**domains: str) -> dict[str, Any]:
    return {"domains": [{"domain": d, "status": s} for d, s in domains.items()]}


class Builder:
    def __init__(self, db: Session, org_id: str) -> None:
        self.db, self.org_id = db, org_id
        self.service = db.get(HsdsService, "svc-program") or HsdsService(
            id="svc-program", name="Pantry", status="active"
        )
        db.add(self.service)
        db.flush()

    def person(self, language: str, channel: str, first: datetime | None) -> Participant:
        p = Participant(org_id=self.org_id, language=language)
        self.db.add(p)
        self.db.flush()
        c = Conversation(participant_id=p.id, channel=channel)
        self.db.add(c)
        self.db.flush()
        if first is not None:
            for minutes in (0, 5):  # the first message counts, not the later ones
                received = first.replace(minute=first.minute + minutes)
                self.db.add(
                    InboundMessage(
                        conversation_id=c.id, channel=channel, text="hi", received_at=received
                    )
                )
        return p

    def screening(
        self, p: Participant, started: datetime, completed: datetime | None, **domains: str
    ) -> None:
        self.db.add(
            ScreeningSession(
                participant_id=p.id,
                modules=["ahc_core"],
                versions={},
                status="completed" if completed else "active",
                started_at=started,
                completed_at=completed,
                results=_results(**domains) if completed else None,
            )
        )

    def appointment(self, p: Participant, created: datetime, start: datetime, status: str) -> str:
        a = Appointment(
            org_id=self.org_id,
            participant_id=p.id,
            service_id=self.service.id,
            domain="food",
            start=start,
            end=start,
            timezone="America/Los_Angeles",
            status=status,
            created_at=created,
        )
        self.db.add(a)
        self.db.flush()
        return a.id

    def referral(
        self, p: Participant, created: datetime, path: list[str], business: str | None = None
    ) -> None:
        r = Referral(
            org_id=self.org_id,
            participant_id=p.id,
            service_id=self.service.id,
            domain="food",
            status=path[-1],
            business_status=business,
            language="en",
            created_at=created,
        )
        self.db.add(r)
        self.db.flush()
        for status in path:
            self.db.add(ReferralEvent(referral_id=r.id, status=status, at=created, by="system"))

    def reminder(
        self, p: Participant, status: str, sent: datetime | None, planned: datetime,
        kind: str = "reminder",
    ) -> None:  # fmt: skip
        self.db.add(
            OutboundMessage(
                participant_id=p.id, channel="sms", kind=kind, body="Reminder", status=status,
                sent_at=sent, next_attempt_at=planned,
            )
        )  # fmt: skip


def build(db: Session, org_id: str) -> None:
    """The hand-computed dataset for the period 2026-11-01..07 (UTC)."""
    b = Builder(db, org_id)
    # p1 en/sms: first message 11-02 10:00, booked 12:00 (7,200 s), attended 11-05
    p1 = b.person("en", "sms", at(11, 2, 10))
    b.screening(p1, at(11, 2, 10, 1), at(11, 2, 10, 20), food="positive", housing="negative")
    b.appointment(p1, at(11, 2, 12), at(11, 5, 17), "attended")
    b.referral(p1, at(11, 2, 12), ["requested", "accepted", "completed"], "attended")
    b.reminder(p1, "delivered", at(11, 4), at(11, 4))
    # p2 es/sms: first message 11-03 09:00, booked 13:00 (14,400 s), no-show 11-06
    p2 = b.person("es", "sms", at(11, 3, 9))
    b.screening(p2, at(11, 3, 9, 5), at(11, 3, 9, 30), food="positive", housing="positive")
    b.appointment(p2, at(11, 3, 13), at(11, 6, 17), "no-show")
    b.referral(p2, at(11, 3, 13), ["requested", "accepted", "failed"], "no-show")
    b.reminder(p2, "failed", at(11, 5), at(11, 5))
    # p3 en/web: first message 11-04 08:00, booked 11-05 08:00 (86,400 s), starts after the
    # period; the screening is not finished; the referral was never accepted
    p3 = b.person("en", "web", at(11, 4, 8))
    b.screening(p3, at(11, 4, 8, 10), None)
    b.appointment(p3, at(11, 5, 8), at(11, 10, 17), "booked")
    b.referral(p3, at(11, 5, 8), ["requested"])
    b.reminder(p3, "delivered", at(11, 6), at(11, 6))
    b.reminder(p3, "dropped", None, at(11, 7))
    # p4 es/sms: started before the period, completed in it (11-01 00:30); books nothing
    p4 = b.person("es", "sms", at(10, 31, 23))
    b.screening(p4, at(10, 31, 23, 30), at(11, 1, 0, 30), employment="positive")
    # p5 en/sms: first booked 10-20 (before the period: not in the median); the second
    # appointment, in the period, was cancelled (not marked); a reminder before the period
    p5 = b.person("en", "sms", at(10, 19, 9))
    b.appointment(p5, at(10, 20, 9), at(10, 22, 9), "booked")
    b.appointment(p5, at(11, 6, 9), at(11, 7, 9), "cancelled")
    b.reminder(p5, "delivered", at(10, 30), at(10, 30))
    b.reminder(p5, "delivered", at(11, 3), at(11, 3), kind="reply")  # not a reminder
    # p6 en/sms: first message 11-06 09:00, booked 10:00 (3,600 s); referral entered in error
    p6 = b.person("en", "sms", at(11, 6, 9))
    b.appointment(p6, at(11, 6, 10), at(11, 7, 17), "booked")
    b.referral(p6, at(11, 6, 10), ["requested", "entered-in-error"])
    # another organization's participant, active in the period: never counted
    other = staff.create_org("other-program", "Other program", db_session=db)
    o = Builder(db, other.id)
    q = o.person("en", "sms", at(11, 2, 8))
    o.screening(q, at(11, 2, 8), at(11, 2, 9), food="positive")
    o.appointment(q, at(11, 2, 10), at(11, 3, 10), "no-show")
    o.referral(q, at(11, 2, 10), ["requested", "accepted"])
    o.reminder(q, "failed", at(11, 2), at(11, 2))
    db.flush()


@pytest.fixture
def built(db: Session, org) -> str:  # type: ignore[no-untyped-def]
    build(db, org.id)
    return str(org.id)


def test_every_figure_matches_the_hand_computed_dataset(db: Session, built: str) -> None:
    r = program.report(built, PERIOD, db_session=db)
    days = {p.bucket: (p.started, p.completed) for p in r.screenings}
    assert list(days) == [date(2026, 11, d) for d in range(1, 8)]
    assert days == {
        date(2026, 11, 1): (0, 1),
        date(2026, 11, 2): (1, 1),
        date(2026, 11, 3): (1, 1),
        date(2026, 11, 4): (1, 0),
        date(2026, 11, 5): (0, 0),
        date(2026, 11, 6): (0, 0),
        date(2026, 11, 7): (0, 0),
    }
    assert (r.started, r.completed) == (3, 3)
    assert r.needs == [("food", 2), ("employment", 1), ("housing", 1)]
    assert r.funnel == program.Funnel(made=3, accepted=2, attended=1)
    assert r.no_shows == program.NoShows(attended=1, no_show=1)
    assert r.no_shows.rate == 0.5
    assert r.reminders == {"delivered": 2, "failed": 1, "dropped": 1}
    # 3,600 7,200 14,400 86,400: the median is (7,200 + 14,400) / 2
    assert r.booked == 4
    assert r.median_to_booking == pytest.approx(10_800, abs=0.01)


def test_the_language_filter_counts_only_those_participants(db: Session, built: str) -> None:
    f = program.Filters(PERIOD.start, PERIOD.end, language="es")
    r = program.report(built, f, db_session=db)
    assert (r.started, r.completed) == (1, 2)
    assert r.needs == [("employment", 1), ("food", 1), ("housing", 1)]
    assert r.funnel == program.Funnel(made=1, accepted=1, attended=0)
    assert r.no_shows == program.NoShows(attended=0, no_show=1)
    assert r.no_shows.rate == 1.0
    assert r.reminders == {"failed": 1}
    assert (r.booked, r.median_to_booking) == (1, pytest.approx(14_400, abs=0.01))


def test_the_channel_filter_counts_only_those_participants(db: Session, built: str) -> None:
    f = program.Filters(PERIOD.start, PERIOD.end, channel="web")
    r = program.report(built, f, db_session=db)
    assert (r.started, r.completed) == (1, 0)
    assert r.needs == []
    assert r.funnel == program.Funnel(made=1, accepted=0, attended=0)
    assert r.no_shows.rate is None
    assert r.reminders == {"delivered": 1, "dropped": 1}
    assert (r.booked, r.median_to_booking) == (1, pytest.approx(86_400, abs=0.01))


def test_a_long_period_counts_by_week_from_monday(db: Session, built: str) -> None:
    f = program.Filters(date(2026, 9, 1), date(2026, 11, 7))
    r = program.report(built, f, db_session=db)
    weeks = {p.bucket: (p.started, p.completed) for p in r.screenings}
    assert min(weeks) == date(2026, 8, 31) and all(w.weekday() == 0 for w in weeks)
    assert weeks[date(2026, 10, 26)] == (1, 1)  # p4 started 10-31, completed 11-01 (Sunday)
    assert weeks[date(2026, 11, 2)] == (3, 2)
    assert sum(s for s, _ in weeks.values()) == 4


def test_an_empty_period_has_zeros_and_no_median(db: Session, built: str) -> None:
    f = program.Filters(date(2025, 1, 1), date(2025, 1, 3))
    r = program.report(built, f, db_session=db)
    assert [(p.started, p.completed) for p in r.screenings] == [(0, 0)] * 3
    assert r.needs == [] and r.reminders == {}
    assert r.funnel == program.Funnel(0, 0, 0)
    assert (r.median_to_booking, r.booked, r.no_shows.rate) == (None, 0, None)


def test_two_filtered_reports_in_one_transaction_agree(db: Session, built: str) -> None:
    """The filtered participant set is made once per report (a temporary table on
    PostgreSQL): a second report in the same transaction makes its own."""
    spanish = program.Filters(PERIOD.start, PERIOD.end, language="es")
    web = program.Filters(PERIOD.start, PERIOD.end, channel="web")
    first = program.report(built, spanish, db_session=db)
    assert program.report(built, web, db_session=db).funnel == program.Funnel(1, 0, 0)
    assert program.report(built, spanish, db_session=db).funnel == first.funnel
