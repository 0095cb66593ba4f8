"""Availability: HSDS schedules (RFC 5545 RRULE fields) expanded with dateutil.rrule in the
location's named zone, cut into slots of `slot_minutes`, times a capacity per slot; then
extra slots, closures and capacity changes, less the seats already taken."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateutil import rrule
from dateutil.relativedelta import relativedelta

FREQS: dict[str, Literal[0, 1, 2, 3, 4, 5, 6]] = {
    "WEEKLY": rrule.WEEKLY,
    "MONTHLY": rrule.MONTHLY,
    "DAILY": rrule.DAILY,
}
DAYS = {"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR,
        "SA": rrule.SA, "SU": rrule.SU}  # fmt: skip
HORIZON_DAYS = 14


@dataclass(frozen=True)
class Rule:
    freq: Literal[0, 1, 2, 3, 4, 5, 6]
    interval: int
    opens: time
    closes: time
    byweekday: tuple[rrule.weekday, ...] | None = None
    bymonthday: tuple[int, ...] | None = None
    dtstart: date | None = None
    until: date | None = None
    count: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    wkst: rrule.weekday | None = None


@dataclass(frozen=True)
class Parsed:
    rule: Rule | None = None
    error: str | None = None


@dataclass(frozen=True)
class Exception_:
    kind: str  # extra | closure | capacity
    start: datetime
    end: datetime
    capacity: int | None = None


@dataclass(frozen=True)
class Slot:
    service_id: str
    start: datetime  # UTC
    end: datetime
    capacity: int
    taken: int = 0

    @property
    def open(self) -> int:
        return max(0, self.capacity - self.taken)


def _time(value: Any) -> time:
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1]
    for sign in ("+", "-"):  # an offset after the time: the location's zone decides
        if sign in text[1:]:
            text = text[: text.index(sign, 1)]
    parts = [int(p) for p in text.split(":")]
    return time(parts[0], parts[1] if len(parts) > 1 else 0)


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value)[:10])


def _weekday(token: str) -> rrule.weekday:
    token = token.strip().upper()
    day, nth = DAYS[token[-2:]], token[:-2]
    return day(int(nth)) if nth else day


def parse_rule(data: Mapping[str, Any]) -> Parsed:
    """An HSDS schedule's RRULE fields as a Rule, or why it can't be one."""
    if not data.get("opens_at") or not data.get("closes_at"):
        return Parsed(error="no opens_at/closes_at")
    freq = str(data.get("freq") or ("WEEKLY" if data.get("byday") else "")).upper()
    if freq not in FREQS:
        return Parsed(error=f"freq {data.get('freq')!r} is not WEEKLY or MONTHLY")
    try:
        opens, closes = _time(data["opens_at"]), _time(data["closes_at"])
        byday = str(data.get("byday") or "")
        weekdays = tuple(_weekday(t) for t in byday.split(",") if t.strip()) or None
        monthdays = str(data.get("bymonthday") or "")
        bymonthday = tuple(int(d) for d in monthdays.split(",") if d.strip()) or None
        rule = Rule(
            freq=FREQS[freq],
            interval=max(1, int(data.get("interval") or 1)),
            opens=opens,
            closes=closes,
            byweekday=weekdays,
            bymonthday=bymonthday,
            dtstart=_date(data.get("dtstart")),
            until=_date(data.get("until")),
            count=int(data["count"]) if data.get("count") else None,
            valid_from=_date(data.get("valid_from")),
            valid_to=_date(data.get("valid_to")),
            wkst=DAYS[str(data["wkst"]).upper()] if data.get("wkst") else None,
        )
    except (KeyError, ValueError, TypeError) as exc:
        return Parsed(error=f"unreadable field ({exc})")
    if closes <= opens:
        return Parsed(error="closes_at is not after opens_at")
    return Parsed(rule=rule)


def _first(rule: Rule, day: date) -> date:
    """dtstart moved forward in whole periods to just before `day` (same phase, fewer steps)."""
    start = rule.dtstart or day
    if rule.count is not None or start >= day:
        return start
    if rule.freq == rrule.WEEKLY:
        step = 7 * rule.interval
        return start + timedelta(days=((day - start).days // step) * step)
    if rule.freq == rrule.MONTHLY:
        months = (day.year - start.year) * 12 + day.month - start.month - 1
        if months > 0 and not (rule.bymonthday is None and rule.byweekday is None):
            return start + relativedelta(months=(months // rule.interval) * rule.interval)
        return start
    return start + timedelta(days=((day - start).days // rule.interval) * rule.interval)


def windows(
    rule: Rule, zone: ZoneInfo, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """(opens, closes) of each occurrence that starts in [start, end), both UTC."""
    local_start = start.astimezone(zone)
    first = _first(rule, local_start.date() - timedelta(days=1))
    until = datetime.combine(rule.until, time(23, 59), zone) if rule.until else None
    recurrence = rrule.rrule(
        rule.freq,
        dtstart=datetime.combine(first, rule.opens, zone),
        interval=rule.interval,
        byweekday=rule.byweekday,
        bymonthday=rule.bymonthday,
        until=until,
        count=rule.count,
        wkst=rule.wkst,
        cache=False,
    )
    length = datetime.combine(date.min, rule.closes) - datetime.combine(date.min, rule.opens)
    for opens in recurrence.between(local_start - length, end.astimezone(zone), inc=True):
        day = opens.date()
        if (rule.valid_from and day < rule.valid_from) or (rule.valid_to and day > rule.valid_to):
            continue
        closes = datetime.combine(day, rule.closes, zone)
        yield opens.astimezone(UTC), closes.astimezone(UTC)


def _cut(
    service_id: str, opens: datetime, closes: datetime, minutes: int, capacity: int
) -> Iterator[Slot]:
    step = timedelta(minutes=minutes)
    at = opens
    while at + step <= closes:
        yield Slot(service_id, at, at + step, capacity)
        at += step


def expand(
    service_id: str,
    rules: Iterable[tuple[Rule, ZoneInfo]],
    *,
    capacity: int,
    slot_minutes: int,
    start: datetime,
    days: int = HORIZON_DAYS,
    exceptions: Sequence[Exception_] = (),
    taken: Mapping[datetime, int] | None = None,
) -> list[Slot]:
    """Every slot of the service from `start` for `days` days, in time order."""
    end = start + timedelta(days=days)
    slots: dict[datetime, Slot] = {}
    for rule, zone in rules:
        for opens, closes in windows(rule, zone, start, end):
            for slot in _cut(service_id, opens, closes, slot_minutes, capacity):
                slots.setdefault(slot.start, slot)
    for exc in exceptions:
        if exc.end <= start or exc.start >= end:
            continue
        if exc.kind == "extra":
            extra = capacity if exc.capacity is None else exc.capacity
            for slot in _cut(service_id, exc.start, exc.end, slot_minutes, extra):
                slots[slot.start] = slot
            continue
        for key, slot in list(slots.items()):
            if slot.start < exc.end and slot.end > exc.start:
                if exc.kind == "closure":
                    del slots[key]
                elif exc.kind == "capacity":
                    slots[key] = Slot(service_id, slot.start, slot.end, exc.capacity or 0)
    taken = {} if taken is None else taken
    return [
        Slot(service_id, s.start, s.end, s.capacity, taken.get(s.start, 0))
        for _, s in sorted(slots.items())
        if start <= s.start < end
    ]
