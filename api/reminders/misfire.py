"""What to do with a planned reminder at send time (pure; the worker calls it).

On time (within ``grace`` of its planned time) a reminder is sent unless quiet hours have
begun in the recipient's zone. Late (a misfire: the worker was down) it is sent only if the
appointment is still more than ``min_lead`` away and it is not quiet hours now. A day-offset
("tomorrow") reminder is never sent on the appointment's own day in the recipient's zone.
Every drop carries a reason for the audit trail. See docs/REMINDERS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from api.reminders.quiet import DEFAULT_QUIET, QuietHours, is_quiet
from api.reminders.schedule import (
    APPOINTMENT_DAY,
    DEFAULT_MIN_LEAD,
    Dropped,
    PlannedReminder,
    before_appointment_day,
)

DEFAULT_GRACE = timedelta(minutes=10)

APPOINTMENT_PASSED = "appointment_passed"
QUIET_NOW = "quiet_hours_now"
MISFIRE_TOO_LATE = "misfire_under_min_lead"


@dataclass(frozen=True)
class Send:
    kind: str
    late: bool  # True when it went out after its grace (a misfire that was still useful)


@dataclass(frozen=True)
class Wait:
    kind: str
    until_utc: datetime


def due_action(
    planned: PlannedReminder,
    *,
    now: datetime,
    start_utc: datetime,
    recipient_zone: str,
    quiet: QuietHours = DEFAULT_QUIET,
    min_lead: timedelta = DEFAULT_MIN_LEAD,
    grace: timedelta = DEFAULT_GRACE,
) -> Send | Wait | Dropped:
    if now.tzinfo is None or start_utc.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    kind = planned.kind
    if now < planned.send_at_utc:
        return Wait(kind, planned.send_at_utc)
    if now >= start_utc:
        return Dropped(kind, APPOINTMENT_PASSED)
    if not before_appointment_day(now, start_utc, recipient_zone, planned.days_before):
        return Dropped(kind, APPOINTMENT_DAY)
    if is_quiet(now, recipient_zone, quiet):
        return Dropped(kind, QUIET_NOW)
    late = now - planned.send_at_utc > grace
    if late and start_utc - now <= min_lead:
        return Dropped(kind, MISFIRE_TOO_LATE)
    return Send(kind, late=late)
