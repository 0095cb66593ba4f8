"""Issue 8's leftover: a holiday is not a business day in the partner's response time
(US federal by default, from the `holidays` package; PARTNER_RESPONSE_HOLIDAYS sets
another calendar, e.g. a state's, or none)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.config import get_settings
from api.referrals import escalation

LA = "America/Los_Angeles"
# Wednesday 25 November 2026, 10:00 in Los Angeles: Thanksgiving is the next day.
BEFORE_THANKSGIVING = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def _local_day(value: datetime) -> str:
    return value.astimezone(escalation.ZoneInfo(LA)).date().isoformat()


def test_thanksgiving_is_not_a_business_day_by_default() -> None:
    end = escalation.add_business_days(BEFORE_THANKSGIVING, 2, LA)
    assert _local_day(end) == "2026-11-30"  # Friday 27, Monday 30; not Thursday 26


def test_no_holidays_counts_weekdays_only() -> None:
    end = escalation.add_business_days(BEFORE_THANKSGIVING, 2, LA, holidays_of="")
    assert _local_day(end) == "2026-11-27"


def test_a_state_calendar_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "partner_response_holidays", "US-CA")
    end = escalation.add_business_days(BEFORE_THANKSGIVING, 2, LA)
    assert _local_day(end) == "2026-12-01"  # California also rests the day after


def test_a_start_on_a_holiday_counts_from_the_next_business_day() -> None:
    new_year = datetime(2027, 1, 1, 17, 0, tzinfo=UTC)  # a Friday, a federal holiday
    end = escalation.add_business_days(new_year, 1, LA)
    assert end.astimezone(escalation.ZoneInfo(LA)).isoformat() == "2027-01-05T00:00:00-08:00"


def test_an_observed_holiday_counts_too() -> None:
    # 4 July 2026 is a Saturday: the federal holiday is observed on Friday 3 July.
    thursday = datetime(2026, 7, 2, 17, 0, tzinfo=UTC)
    end = escalation.add_business_days(thursday, 1, LA)
    assert _local_day(end) == "2026-07-06"
