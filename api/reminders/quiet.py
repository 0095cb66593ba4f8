"""Quiet hours in the recipient's local time (pure functions, no DB).

Quiet hours are a half-open window ``[start, end)`` of local wall-clock time; by default
21:00-08:00, so 08:00:00 is allowed and 21:00:00 is quiet (the TCPA window is 8 a.m. to
9 p.m. in the recipient's time zone). A window whose start equals its end means no quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        return cls(time.fromisoformat(start), time.fromisoformat(end))


DEFAULT_QUIET = QuietHours()


def local_wall_time(day: date, at: time, zone: str) -> datetime:
    """The instant (UTC) of a wall-clock time on a day in a zone.

    An ambiguous time (the repeated hour when clocks fall back) is the first one (fold=0); a
    time that does not exist (the hour skipped when clocks spring forward) is read with the
    offset before the change, so 02:30 becomes 03:30.
    """
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone)).replace(fold=0)
    return local.astimezone(ZoneInfo("UTC"))


def is_quiet(instant_utc: datetime, zone: str, quiet: QuietHours = DEFAULT_QUIET) -> bool:
    """Whether an instant falls inside quiet hours in the given zone."""
    if quiet.start == quiet.end:
        return False
    t = instant_utc.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        return quiet.start <= t < quiet.end
    return t >= quiet.start or t < quiet.end


def quiet_period(
    instant_utc: datetime, zone: str, quiet: QuietHours = DEFAULT_QUIET
) -> tuple[datetime, datetime]:
    """The quiet period (its start and its end, UTC) that contains an instant.

    The instant must be quiet (``is_quiet``). For 21:00-08:00, 23:30 on a Saturday gives
    Saturday 21:00 .. Sunday 08:00; 06:00 on a Sunday gives the same period.
    """
    if not is_quiet(instant_utc, zone, quiet):
        raise ValueError("instant is not in quiet hours")
    local = instant_utc.astimezone(ZoneInfo(zone))
    day = local.date()
    t = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        start_day, end_day = day, day
    elif t >= quiet.start:
        start_day, end_day = day, day + timedelta(days=1)
    else:
        start_day, end_day = day - timedelta(days=1), day
    return local_wall_time(start_day, quiet.start, zone), local_wall_time(end_day, quiet.end, zone)
