"""US ZIP codes from the bundled `zipcodes` data (no network): centre, county and time zone."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

ZIP_RE = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


@dataclass(frozen=True)
class Zip:
    code: str
    latitude: float
    longitude: float
    county: str
    state: str
    timezone: str | None


def normalize_zip(text: str | None) -> str | None:
    match = ZIP_RE.match(text or "")
    return match.group(1) if match else None


@lru_cache(maxsize=65536)
def lookup(text: str | None) -> Zip | None:
    """The ZIP's facts, or None for a malformed or unknown ZIP."""
    code = normalize_zip(text)
    if code is None:
        return None
    try:
        rows = zipcodes.matching(code)
    except (TypeError, ValueError):
        return None
    if not rows:
        return None
    row = rows[0]
    try:
        lat, lon = float(row["lat"]), float(row["long"])
    except (KeyError, TypeError, ValueError):
        return None
    return Zip(code, lat, lon, row.get("county") or "", row.get("state") or "", row.get("timezone"))


def miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 3958.8 * 2 * math.asin(math.sqrt(min(1.0, a)))
