"""Demo partners for `make run`: the fictional San Diego County directory (partners.yml),
imported through the same importer as any HSDS file, with this fortnight's full and closed
days added (a pantry fully booked on Mondays, another closed on its next Thursday)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.directory import importer
from api.directory.demo import build

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _days(now: datetime, weekday: str) -> list[datetime]:
    """Local midnights of that weekday in the next 14 days."""
    zone = ZoneInfo(build.ZONE)
    today = now.astimezone(zone).date()
    index = WEEKDAYS.index(weekday)
    return [
        datetime.combine(today + timedelta(days=d), time(0), zone)
        for d in range(15)
        if (today + timedelta(days=d)).weekday() == index
    ]


def document(now: datetime) -> dict[str, Any]:
    doc = build.document()
    items = {
        build.uid("service", s["name"]): s
        for org in build.spec()["organizations"]
        for s in org["services"]
    }
    for service in doc["contents"]:
        item = items[service["id"]]
        exceptions = []
        for kind, days in (("capacity", item.get("full", [])), ("closure", item.get("closed", []))):
            for weekday in days:
                for day in _days(now, weekday)[: 1 if kind == "closure" else 2]:
                    exceptions.append(
                        {"kind": kind, "start": day.isoformat(),
                         "end": (day + timedelta(days=1)).isoformat(),
                         "capacity": 0 if kind == "capacity" else None,
                         "note": "fully booked" if kind == "capacity" else "closed (demo)"}
                    )  # fmt: skip
        if exceptions:
            service["x_firstcall"]["slot_exceptions"] = exceptions
    return doc


def load(*, db_session: Session, now: datetime | None = None) -> importer.Result:
    result = importer.import_document(
        document(now or datetime.now(UTC)), str(build.SPEC), db_session=db_session
    )
    if not result.ok:
        raise ValueError("demo partners: " + "; ".join(str(p) for p in result.found.errors))
    return result
