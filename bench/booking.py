"""The booking transaction's latency, on PostgreSQL when one is given.

The demo partners are loaded into a database of the bench's own (a fresh PostgreSQL schema
from `BENCH_DATABASE_URL` or `TEST_DATABASE_URL`, else a temporary SQLite file). Then, for
300 participants with partner-sharing consent, one unit of work each: `offers()` (matching,
slots, seats taken) and `book()` of the first offer (the appointment, the seat insert in its
SAVEPOINT, the referral and its history) and the commit. Printed: p50/p99 of the offers, of
the booking transaction (book + commit), and of the same booking with 8 threads at once
racing for the same few slots (the losers' SlotTaken and fresh offers included).

Run alone with `python -m bench.booking`; `make bench` runs it too.
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

PARTICIPANTS = 300
RACERS = 8
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
DOMAINS = ("food", "housing", "employment", "child_care", "legal")
ZIPS = ("92101", "92113", "92105", "91910")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@contextmanager
def _database() -> Iterator[tuple[str, str]]:
    """(url, label): a PostgreSQL schema of our own, dropped after; else SQLite."""
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        folder = Path(tempfile.mkdtemp(prefix="firstcall-bench-booking-"))
        yield f"sqlite:///{folder / 'booking.db'}", "SQLite (set TEST_DATABASE_URL for PostgreSQL)"
        return
    import psycopg

    admin = base.replace("postgresql+psycopg://", "postgresql://")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in admin else "?"
    try:
        yield f"{admin}{sep}options=-csearch_path%3D{schema}", "PostgreSQL"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _summary(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: none"
    p50, p99 = _percentile(values, 0.50), _percentile(values, 0.99)
    return f"{label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms (n={len(values)})"


def run(url: str, label: str) -> None:
    from sqlalchemy.orm import Session

    from api import migrate
    from api.booking import service
    from api.config import get_settings
    from api.conversations.models import Participant
    from api.db import make_engine
    from api.directory import demo
    from api.screening.consent import record_consent
    from api.staff import service as staff

    migrate.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(8)
    with Session(engine) as db:
        org = staff.create_org(get_settings().program_org_slug, "Bench program", db_session=db)
        demo.load(db_session=db, now=NOW)
        people = []
        for n in range(PARTICIPANTS + RACERS * 10):
            person = Participant(org_id=org.id, language=rng.choice(("en", "es")))
            db.add(person)
            db.flush()
            record_consent(person, ("share_partner",), True, channel="sms", db_session=db)
            people.append((person.id, rng.choice(DOMAINS), rng.choice(ZIPS), n))
        db.commit()

    offering, booking, taken = [], [], 0
    for person_id, domain, zip_code, _ in people[:PARTICIPANTS]:
        with Session(engine) as db:
            person = db.get(Participant, person_id)
            assert person is not None
            started = time.perf_counter()
            offers = service.offers(person, domain, zip_code, NOW, db_session=db)
            offered = time.perf_counter()
            offering.append((offered - started) * 1000)
            if not offers:
                continue
            try:
                service.book(person, offers[0], db_session=db, zip_code=zip_code, now=NOW)
                db.commit()
            except service.SlotTaken:
                taken += 1
                db.rollback()
            booking.append((time.perf_counter() - offered) * 1000)

    racing: list[float] = []
    lock = threading.Lock()
    racers = people[PARTICIPANTS:]
    with Session(engine) as db:
        first = db.get(Participant, racers[0][0])
        assert first is not None
        target = service.offers(first, "food", "92101", NOW, db_session=db)[0]

    def race(batch: list[tuple[str, str, str, int]], gate: threading.Barrier) -> None:
        gate.wait()
        for person_id, _, _, _ in batch:
            with Session(engine) as db:
                person = db.get(Participant, person_id)
                assert person is not None
                started = time.perf_counter()
                try:
                    service.book(person, target, db_session=db, zip_code="92101", now=NOW)
                    db.commit()
                except service.SlotTaken:
                    db.rollback()
                with lock:
                    racing.append((time.perf_counter() - started) * 1000)

    gate = threading.Barrier(RACERS)
    threads = [threading.Thread(target=race, args=(racers[i::RACERS], gate)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    print(f"booking on {label}, demo directory:")
    print("  " + _summary("offers (matching + slots + seats taken)", offering))
    print("  " + _summary("booking transaction (book + commit)", booking)
          + f", {taken} slot(s) taken meanwhile")  # fmt: skip
    print("  " + _summary(f"same slot, {RACERS} threads at once (incl. SlotTaken)", racing))


def main() -> None:
    os.environ.setdefault("FIRSTCALL_ENV", "development")
    with _database() as (url, label):
        run(url, label)


if __name__ == "__main__":
    main()
