"""Reminder planning as pure functions: when each reminder of an appointment is sent.

The schedule is data (``defaults.yml`` or a program's own list of the same shape). Send times
are computed in the appointment location's named zone; quiet hours are applied in the
recipient's zone. The rules are written in docs/REMINDERS.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml

from api.reminders.quiet import DEFAULT_QUIET, QuietHours, is_quiet, local_wall_time, quiet_period

Unit = Literal["days", "hours", "minutes"]
UNITS: tuple[Unit, ...] = ("days", "hours", "minutes")
SAME_TIME = "same time"
DEFAULTS_PATH = Path(__file__).with_name("defaults.yml")
DEFAULT_MIN_LEAD = timedelta(hours=1)
# A reminder moved out of quiet hours goes this long before the quiet start, so that the
# worker, the throttle and the carrier deliver it before 21:00.
DEFAULT_EDGE_MARGIN = timedelta(minutes=15)

# Reasons a reminder is dropped (stable strings, for the audit trail).
AFTER_START = "after_start"
APPOINTMENT_DAY = "day_offset_on_appointment_day"
QUIET_NO_ALLOWED_TIME = "quiet_hours_no_allowed_time"

_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Rule:
    """One campaign event: ``offset`` ``unit`` before the start, at ``at`` local (or the same
    time of day when ``at`` is None)."""

    kind: str
    offset: int
    unit: Unit
    at: time | None = None

    def __post_init__(self) -> None:
        if not _KIND.match(self.kind):
            raise ValueError(f"reminder kind {self.kind!r}: lowercase letters, digits, _")
        if self.unit not in UNITS:
            raise ValueError(f"reminder {self.kind}: unit must be one of {', '.join(UNITS)}")
        if isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0:
            raise ValueError(f"reminder {self.kind}: offset must be a whole number >= 0")
        if self.at is not None and self.unit != "days":
            raise ValueError(f"reminder {self.kind}: a delivery time needs unit: days")

    @property
    def days_before(self) -> int:
        """Calendar days before the appointment day that this reminder speaks of (1 for a
        'tomorrow' reminder); 0 for hour and minute offsets."""
        return self.offset if self.unit == "days" else 0


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    send_at_utc: datetime
    idempotency_key: str
    days_before: int = 0
    moved_from_utc: datetime | None = None  # set when quiet hours moved it


@dataclass(frozen=True)
class Dropped:
    kind: str
    reason: str


def rule_from_mapping(raw: Mapping[str, Any]) -> Rule:
    unknown = set(raw) - {"kind", "offset", "unit", "at"}
    if unknown:
        raise ValueError(f"reminder rule: unknown keys {sorted(unknown)}")
    at_raw = raw.get("at", SAME_TIME)
    at = None if at_raw in (None, SAME_TIME) else time.fromisoformat(str(at_raw))
    return Rule(kind=str(raw["kind"]), offset=raw["offset"], unit=raw["unit"], at=at)


def rules_from_list(raw: Iterable[Mapping[str, Any]]) -> list[Rule]:
    rules = [rule_from_mapping(item) for item in raw]
    kinds = [rule.kind for rule in rules]
    if len(set(kinds)) != len(kinds):
        raise ValueError("reminder kinds must be unique")
    return rules


def load_rules(path: Path = DEFAULTS_PATH) -> list[Rule]:
    """The schedule in a YAML file shaped like defaults.yml (``reminders: [...]``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return rules_from_list(data["reminders"])


def nominal_send_time(rule: Rule, start_utc: datetime, location_zone: str) -> datetime:
    """The rule's send time before quiet hours, UTC.

    Day offsets count calendar days in the location's zone and keep the wall-clock time
    (``at``, or the start's own time of day), so they stay right across DST. Hour and minute
    offsets are elapsed time.
    """
    _require_aware(start_utc)
    if rule.unit != "days":
        return start_utc - timedelta(**{rule.unit: rule.offset})
    local_start = start_utc.astimezone(ZoneInfo(location_zone))
    at = rule.at or local_start.time().replace(tzinfo=None)
    return local_wall_time(local_start.date() - timedelta(days=rule.offset), at, location_zone)


def before_appointment_day(
    instant_utc: datetime, start_utc: datetime, recipient_zone: str, days_before: int
) -> bool:
    """False when a day-offset reminder would go out on the appointment's own day (or later)
    in the recipient's zone; always True for hour and minute offsets."""
    if days_before == 0:
        return True
    zone = ZoneInfo(recipient_zone)
    return instant_utc.astimezone(zone).date() < start_utc.astimezone(zone).date()


def plan(
    *,
    appointment_id: str | int,
    start_utc: datetime,
    location_zone: str,
    recipient_zone: str,
    rules: Iterable[Rule],
    now: datetime,
    quiet: QuietHours = DEFAULT_QUIET,
    min_lead: timedelta = DEFAULT_MIN_LEAD,
    edge_margin: timedelta = DEFAULT_EDGE_MARGIN,
) -> list[PlannedReminder | Dropped]:
    """Each rule's reminder, in rule order: when to send it, or why it is not sent.

    A send time already past ``now`` is kept as planned; the send-time check (``due_action``)
    decides it. See docs/REMINDERS.md for the quiet-hours move.
    """
    _require_aware(start_utc)
    _require_aware(now)
    out: list[PlannedReminder | Dropped] = []
    for rule in rules:
        nominal = nominal_send_time(rule, start_utc, location_zone)
        if nominal >= start_utc:
            out.append(Dropped(rule.kind, AFTER_START))
            continue
        if not is_quiet(nominal, recipient_zone, quiet):
            if not before_appointment_day(nominal, start_utc, recipient_zone, rule.days_before):
                out.append(Dropped(rule.kind, APPOINTMENT_DAY))
                continue
            out.append(_planned(appointment_id, rule, nominal))
            continue
        moved = _move_out_of_quiet(
            nominal, rule, start_utc, recipient_zone, now, quiet, min_lead, edge_margin
        )
        if moved is None:
            out.append(Dropped(rule.kind, QUIET_NO_ALLOWED_TIME))
        else:
            out.append(_planned(appointment_id, rule, moved, moved_from=nominal))
    return out


def _move_out_of_quiet(
    nominal: datetime,
    rule: Rule,
    start_utc: datetime,
    recipient_zone: str,
    now: datetime,
    quiet: QuietHours,
    min_lead: timedelta,
    edge_margin: timedelta,
) -> datetime | None:
    """The nearest allowed edge of the quiet period (its start less the margin, or its end)
    that is not before ``now``, leaves ``min_lead`` before the start, and keeps a day-offset
    reminder before the appointment's day. Ties go to the earlier edge."""
    period_start, period_end = quiet_period(nominal, recipient_zone, quiet)
    candidates = [period_start - edge_margin, period_end]
    valid = [
        c
        for c in candidates
        if c >= now
        and start_utc - c >= min_lead
        and before_appointment_day(c, start_utc, recipient_zone, rule.days_before)
    ]
    if not valid:
        return None
    return min(valid, key=lambda c: (abs(c - nominal), c))


def _planned(
    appointment_id: str | int, rule: Rule, at: datetime, moved_from: datetime | None = None
) -> PlannedReminder:
    return PlannedReminder(
        kind=rule.kind,
        send_at_utc=at.astimezone(ZoneInfo("UTC")),
        idempotency_key=f"{appointment_id}:{rule.kind}",
        days_before=rule.days_before,
        moved_from_utc=moved_from,
    )


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("times must be timezone-aware")
