"""Send-time gates for a planned message (pure; the sender asks right before each send).

A row's `not_after` is its last useful moment (the misfire policy, planned in
api/reminders): past it, the row is dropped, never sent, with a reason the row keeps for the
audit trail. A row with a `quiet_zone` is not sent during quiet hours in that zone: it waits
for the end of them, or is dropped when that end is past its `not_after`. A row without a
`quiet_zone` is exempt (a reply to a message the participant just sent: they asked).
The opt-out check is `sender.may_text`. See docs/REMINDERS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from api.reminders.quiet import DEFAULT_QUIET, QuietHours, is_quiet, quiet_period


@dataclass(frozen=True)
class Send:
    pass


@dataclass(frozen=True)
class Drop:
    reason: str


@dataclass(frozen=True)
class Defer:
    until: datetime
    reason: str


SEND = Send()


def _minutes(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def check(
    *,
    now: datetime,
    not_after: datetime | None,
    quiet_zone: str | None,
    quiet: QuietHours = DEFAULT_QUIET,
) -> Send | Drop | Defer:
    if not_after is not None and now >= not_after:
        late = _minutes((now - not_after).total_seconds())
        return Drop(f"misfire: {late} past its last useful time ({not_after:%Y-%m-%d %H:%M}Z)")
    if quiet_zone is None:
        return SEND
    try:
        ZoneInfo(quiet_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return Drop(f"unknown quiet zone {quiet_zone[:40]!r}")
    if not is_quiet(now, quiet_zone, quiet):
        return SEND
    _, end = quiet_period(now, quiet_zone, quiet)
    local_end = end.astimezone(ZoneInfo(quiet_zone))
    if not_after is not None and end >= not_after:
        return Drop(
            f"quiet hours in {quiet_zone} until {local_end:%H:%M}, past its last useful time"
        )
    return Defer(end, f"quiet hours in {quiet_zone}: deferred to {local_end:%Y-%m-%d %H:%M}")
