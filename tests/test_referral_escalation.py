"""A partner that doesn't answer in PARTNER_RESPONSE_BUSINESS_DAYS (default 2) business days:
escalated to the case manager by the worker, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import states
from api.config import get_settings
from api.handoff.models import Handoff, HandoffEvent
from api.referrals import escalation, jobs
from tests.support.referrals import booked_referral

FRIDAY_10_PT = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


def _notified_friday(db: Session):  # type: ignore[no-untyped-def]
    referral = booked_referral(db)
    states.transition(
        referral, states.REQUESTED, states.PARTNER_NOTIFIED, by="system", at=FRIDAY_10_PT
    )
    db.flush()
    return referral


def _flags(db: Session) -> list[str]:
    return [e.reason or "" for e in db.scalars(select(HandoffEvent)).all()]


def test_partner_no_answer_escalates_after_two_business_days_once(db: Session) -> None:
    referral = _notified_friday(db)
    monday = FRIDAY_10_PT + timedelta(days=3)
    assert jobs.escalate(monday) == 0  # one business day (the weekend does not count)
    assert jobs.escalate(monday + timedelta(days=1) - timedelta(minutes=1)) == 0
    tuesday = monday + timedelta(days=1, minutes=1)
    assert jobs.escalate(tuesday) == 1
    db.expire_all()
    assert referral.status == states.ON_HOLD
    assert referral.events[-1].by == "system"
    assert (referral.events[-1].reason or "").startswith("partner_no_answer")
    [handoff] = db.scalars(select(Handoff)).all()
    assert "partner_no_answer" in handoff.reasons
    assert handoff.summary["partner_no_answer"]["referral_id"] == referral.id
    assert jobs.escalate(tuesday + timedelta(hours=1)) == 0  # idempotent
    assert jobs.run(now=tuesday + timedelta(days=3)) == 0
    assert _flags(db) == ["partner_no_answer"]


def test_partner_answer_in_time_is_not_escalated(db: Session) -> None:
    referral = _notified_friday(db)
    states.transition(referral, states.ACCEPTED, by="partner", at=FRIDAY_10_PT + timedelta(hours=2))
    db.flush()
    assert jobs.escalate(FRIDAY_10_PT + timedelta(days=10)) == 0
    assert _flags(db) == []


def test_partner_response_time_is_configurable(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _notified_friday(db)
    monkeypatch.setattr(get_settings(), "partner_response_business_days", 1)
    assert jobs.escalate(FRIDAY_10_PT + timedelta(days=3, minutes=1)) == 1  # Monday


def test_business_days_skip_weekends_in_the_location_zone() -> None:
    friday_evening_pt = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # Fri 19:00 in San Diego
    end = escalation.add_business_days(friday_evening_pt, 2, "America/Los_Angeles")
    assert end.isoformat() == "2026-12-08T19:00:00-08:00"  # Tuesday
