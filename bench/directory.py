"""Partner matching and slot expansion over a large directory, and the demo's match share.

A synthetic HSDS 3.0 directory of 2,000 services with 10,000 schedules (five each) across
San Diego County's ZIP codes is imported through the real importer into a temporary SQLite
database. Then, for 500 participants (a ZIP, one of our five languages, one to three
positive domains), the time from "we have the ZIP" to "these are the slots to offer" is
measured: the directory snapshot is warm, as in the running app, and every call expands the
HSDS schedules with dateutil.rrule in the location's zone. Printed: p50/p99 (target p99 <
100 ms in-process), the cost of expanding every schedule of the directory for 14 days, the
import and snapshot times, and the share of demo screenings (all domains x all five
languages x five ZIPs) that found a partner.

Run alone with `python -m bench.directory`; `make bench` runs it too.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SERVICES = 2_000
SCHEDULES_PER_SERVICE = 5
PARTICIPANTS = 500
TARGET_P99_MS = 100.0
LANGUAGES = ("en", "es", "zh", "vi", "ar")
DEMO_ZIPS = ("92101", "92113", "92105", "91910", "92054")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA")


def _environment() -> Path:
    """A temporary folder for the bench's own SQLite databases (never the app's)."""
    os.environ.setdefault("FIRSTCALL_ENV", "development")
    return Path(tempfile.mkdtemp(prefix="firstcall-bench-directory-"))


def _uuid(rng: random.Random) -> str:
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def synthetic(rng: random.Random, zips: list[Any]) -> dict[str, Any]:
    """2,000 HSDS service documents, five weekly schedules each, spread over the county."""
    from api.screening.instrument import DOMAINS

    services = []
    for n in range(SERVICES):
        place = rng.choice(zips)
        sid, org, loc = _uuid(rng), _uuid(rng), _uuid(rng)
        schedules = []
        for _ in range(SCHEDULES_PER_SERVICE):
            opens = rng.randrange(7, 17)
            schedules.append(
                {"id": _uuid(rng), "freq": "WEEKLY", "dtstart": "2026-01-05",
                 "byday": ",".join(sorted(rng.sample(DAYS, rng.randint(1, 3)))),
                 "interval": rng.choice((1, 1, 1, 2)),
                 "opens_at": f"{opens:02d}:00", "closes_at": f"{opens + rng.randint(1, 3):02d}:00"}
            )  # fmt: skip
        services.append(
            {
                "id": sid,
                "organization_id": org,
                "name": f"Service {n:04d}",
                "status": "active",
                "organization": {"id": org, "name": f"Organization {n:04d}", "description": "-"},
                "languages": [
                    {"id": _uuid(rng), "code": code}
                    for code in rng.sample(LANGUAGES, rng.randint(1, 3))
                ],
                "interpretation_services": "Telephone" if rng.random() < 0.3 else None,
                "schedules": schedules,
                "service_at_locations": [
                    {
                        "id": _uuid(rng),
                        "location": {
                            "id": loc,
                            "location_type": "physical",
                            "name": f"Site {n:04d}",
                            "latitude": float(place["lat"]),
                            "longitude": float(place["long"]),
                            "addresses": [
                                {
                                    "id": _uuid(rng),
                                    "address_1": f"{n} Main St",
                                    "city": place["city"],
                                    "state_province": "CA",
                                    "postal_code": place["zip_code"],
                                    "country": "US",
                                    "address_type": "physical",
                                }
                            ],
                            "x_firstcall": {"timezone": "America/Los_Angeles"},
                        },
                    }
                ],  # fmt: skip
                "x_firstcall": {
                    "domains": rng.sample(list(DOMAINS), rng.randint(1, 2)),
                    "capacity_per_slot": rng.randint(1, 4),
                    "slot_minutes": rng.choice((30, 60)),
                    "referral_method": "email",
                    "referral_target": f"intake{n}@example.org",
                },
            }
        )
    for service in services:  # HSDS leaves out what it doesn't have
        if service["interpretation_services"] is None:
            del service["interpretation_services"]
    return {"contents": services}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_large(tmp: Path, rng: random.Random, now: datetime) -> None:
    import zipcodes
    from sqlalchemy.orm import Session

    from api import migrate
    from api.db import make_engine
    from api.directory import importer, matching, snapshot
    from api.directory.slots import expand
    from api.screening.instrument import DOMAINS

    url = f"sqlite:///{tmp / 'directory.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    zips = [z for z in zipcodes.filter_by(state="CA", county="San Diego County") if z["lat"]]
    document = synthetic(rng, zips)
    started = time.perf_counter()
    with Session(engine) as db:
        result = importer.import_document(document, "synthetic", db_session=db)
        assert result.ok, result.found.errors[:3]
        db.commit()
    imported = time.perf_counter() - started
    with Session(engine) as db:
        started = time.perf_counter()
        directory = snapshot.cached(db)
        loaded = time.perf_counter() - started
    engine.dispose()
    schedules = sum(len(c.rules) for c in directory.cards.values())
    print(f"directory: {len(directory.cards)} services, {schedules} schedules; "
          f"import {imported:.1f} s, snapshot {loaded * 1000:.0f} ms")  # fmt: skip

    started = time.perf_counter()
    slots = sum(
        len(expand(c.id, c.rules, capacity=c.capacity, slot_minutes=c.slot_minutes, start=now,
                   exceptions=c.exceptions))
        for c in directory.cards.values()
    )  # fmt: skip
    print(f"expanding every schedule for 14 days: {(time.perf_counter() - started) * 1000:.0f} ms"
          f" ({slots} slots)")  # fmt: skip

    times, matched, asked = [], 0, 0
    for _ in range(PARTICIPANTS):
        person = matching.Participant(
            rng.choice(zips)["zip_code"], (rng.choice(LANGUAGES),), homeless=rng.random() < 0.1
        )
        domains = rng.sample(list(DOMAINS), rng.randint(1, 3))
        started = time.perf_counter()
        results = matching.match(directory, domains, person, now=now)
        times.append((time.perf_counter() - started) * 1000)
        asked += len(results)
        matched += sum(1 for r in results if r.offers)
    p50, p99 = _percentile(times, 0.50), _percentile(times, 0.99)
    verdict = "ok" if p99 < TARGET_P99_MS else "OVER TARGET"
    print(f"time to offer slots after the ZIP ({PARTICIPANTS} participants, 1-3 domains): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (target p99 < {TARGET_P99_MS:.0f} ms: {verdict}); "
          f"{matched}/{asked} domains matched")  # fmt: skip


def run_demo_share(tmp: Path, now: datetime) -> None:
    from sqlalchemy.orm import Session

    from api import migrate
    from api.db import make_engine
    from api.directory import demo, matching, snapshot
    from api.screening.instrument import DOMAINS

    url = f"sqlite:///{tmp / 'demo.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        demo.load(db_session=db, now=now)
        db.commit()
        directory = snapshot.load(db)
    engine.dispose()
    found, total, gaps = 0, 0, []
    for domain in DOMAINS:
        for language in LANGUAGES:
            for zip_ in DEMO_ZIPS:
                person = matching.Participant(zip_, (language,))
                result = matching.match_domain(directory, domain, person, now=now)
                total += 1
                found += bool(result.offers)
                if result.no_match:
                    gaps.append(result.no_match)
    print(f"demo screenings with a match (13 domains x 5 languages x 5 ZIPs): {found}/{total} "
          f"= {100 * found / total:.0f} %")  # fmt: skip
    for gap in gaps[:5]:
        print(f"  e.g. {gap}")


def main() -> None:
    tmp = _environment()
    rng = random.Random(8)
    now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    run_large(tmp, rng, now)
    run_demo_share(tmp, now)


if __name__ == "__main__":
    main()
