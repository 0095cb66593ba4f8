"""The program page (/staff/program) with 100,000 handoffs, on PostgreSQL.

A database of the bench's own (a fresh schema from `BENCH_DATABASE_URL` or
`TEST_DATABASE_URL`, else a temporary SQLite file) gets one organization and, spread over
the year before NOW: 100,000 participants, each with a conversation, three inbound
messages, a screening (80% completed, with domain results) and a handoff; 40% of them an
appointment, a referral with its history (accepted, then attended or no-show for most) and
two reminder rows in the outbox. Another organization gets 10,000 more, never counted.

Then the page is fetched through the app (a logged-in case manager, the whole request:
session check, every SQL aggregate, the SVG charts, the template), REPEAT times each for
the default 30 days, a 90-day period with the language and channel filters, and the whole
year (weekly buckets). Printed: p50/p95 per period (target < 500 ms), and each figure's SQL
time for the whole year.

Run with `python -m bench.program_page` (about 6 minutes, most of it seeding: not in
`make bench`). The 1-minute load average is printed before and after the timed requests.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.booking import _database, _percentile

HANDOFFS = int(os.environ.get("PROGRAM_BENCH_HANDOFFS", "100000"))
OTHER_ORG = HANDOFFS // 10
REPEAT = 20
TARGET_MS = 500.0
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
DOMAINS = ("food", "housing", "utilities", "transportation", "safety", "employment")
BATCH = 5000
PASSWORD = "bench-password-123"  # noqa: S105 (a throwaway schema's bench user)


def _id() -> str:
    return uuid.uuid4().hex


def _rows(org_id: str, count: int, service_ids: list[str], rng: random.Random) -> Any:
    """Rows per table for `count` participants of one organization, in batches."""
    out: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, row: dict[str, Any]) -> None:
        out.setdefault(table, []).append(row)

    for n in range(count):
        first = NOW - timedelta(seconds=rng.uniform(0, 365 * 86400))
        pid, cid, hid = _id(), _id(), _id()
        language = rng.choices(("en", "es", "zh", "vi", "ar"), (60, 25, 6, 6, 3))[0]
        channel = "sms" if rng.random() < 0.85 else "web"
        add("participants", {"id": pid, "org_id": org_id, "language": language,
                             "created_at": first})  # fmt: skip
        add("conversations", {"id": cid, "participant_id": pid, "channel": channel,
                              "created_at": first, "last_activity_at": first})  # fmt: skip
        for k in range(3):
            add("inbound_messages", {"conversation_id": cid, "channel": channel, "text": "hi",
                                     "status": "done", "received_at": first + timedelta(minutes=k),
                                     "next_attempt_at": first})  # fmt: skip
        done = rng.random() < 0.8
        finished = first + timedelta(minutes=rng.uniform(5, 40))
        results = {"domains": [{"domain": d, "status": "positive" if rng.random() < 0.3
                                else "negative"} for d in DOMAINS]} if done else None  # fmt: skip
        add("screening_sessions", {
            "id": _id(), "participant_id": pid, "conversation_id": cid, "modules": ["ahc_core"],
            "versions": {}, "status": "completed" if done else "active", "step": 0, "misses": 0,
            "language": language, "results": results, "started_at": first + timedelta(minutes=1),
            "updated_at": finished, "completed_at": finished if done else None,
        })  # fmt: skip
        add("handoffs", {
            "id": hid, "org_id": org_id, "participant_id": pid, "conversation_id": cid,
            "urgent": rng.random() < 0.05, "reasons": ["screening_complete"], "summary": {},
            "status": rng.choice(("open", "acknowledged", "closed")), "created_at": finished,
            "updated_at": finished, "last_event_at": finished,
        })  # fmt: skip
        if rng.random() >= 0.4:
            continue
        aid, rid = _id(), _id()
        booked = finished + timedelta(minutes=rng.uniform(1, 600))
        start = booked + timedelta(days=rng.uniform(1, 10))
        outcome = rng.choices(("attended", "no-show", "booked"), (60, 20, 20))[0]
        add("booking_appointments", {
            "id": aid, "org_id": org_id, "participant_id": pid, "domain": "food",
            "service_id": rng.choice(service_ids), "start": start,
            "end": start + timedelta(hours=1), "timezone": "America/Los_Angeles",
            "status": outcome, "created_at": booked, "updated_at": booked,
        })  # fmt: skip
        final = {"attended": ("completed", "attended"), "no-show": ("failed", "no-show"),
                 "booked": ("accepted", "partner-notified")}[outcome]  # fmt: skip
        add("booking_referrals", {
            "id": rid, "org_id": org_id, "participant_id": pid, "appointment_id": aid,
            "service_id": rng.choice(service_ids), "domain": "food", "status": final[0],
            "business_status": final[1], "language": language, "reason": {},
            "created_at": booked, "updated_at": booked, "status_changed_at": booked,
        })  # fmt: skip
        for status in ("requested", "accepted", final[0]):
            add("booking_referral_events", {"referral_id": rid, "status": status, "at": booked,
                                            "by": "system"})  # fmt: skip
        for hours in (24, 2):
            planned = start - timedelta(hours=hours)
            status = rng.choices(("delivered", "failed", "dropped"), (90, 7, 3))[0]
            add("outbound_messages", {
                "participant_id": pid, "conversation_id": cid, "channel": "sms",
                "kind": "reminder", "body": "Reminder", "status": status,
                "next_attempt_at": planned, "created_at": booked, "attempts": 1, "segments": 1,
                "sent_at": None if status == "dropped" else planned,
                "idempotency_key": f"{aid}:{hours}", "appointment_id": aid,
            })  # fmt: skip
        if n % BATCH == BATCH - 1:
            yield out
            out = {}
    yield out


ORDER = ("participants", "conversations", "inbound_messages", "screening_sessions",
         "handoffs", "booking_appointments", "booking_referrals", "booking_referral_events",
         "outbound_messages")  # fmt: skip


def seed(engine: Any, rng: random.Random) -> tuple[str, str]:
    """The two organizations and their rows; returns (org id, a case manager's email)."""
    from sqlalchemy import insert, select
    from sqlalchemy.orm import Session

    from api.config import get_settings
    from api.db import Base
    from api.directory import demo
    from api.directory.models import HsdsService
    from api.staff import service as staff

    tables = Base.metadata.tables
    with Session(engine) as db:
        org = staff.create_org(get_settings().program_org_slug, "Bench program", db_session=db)
        other = staff.create_org("bench-other", "Other program", db_session=db)
        staff.create_user(org, "bench@example.org", "Bench Manager", db_session=db,
                          password=PASSWORD)  # fmt: skip
        demo.load(db_session=db, now=NOW)
        services = list(db.scalars(select(HsdsService.id)))
        db.commit()
        org_id, other_id = org.id, other.id
    for owner, count in ((org_id, HANDOFFS), (other_id, OTHER_ORG)):
        for batch in _rows(owner, count, services, rng):
            with engine.begin() as conn:
                for name in ORDER:
                    if batch.get(name):
                        conn.execute(insert(tables[name]), batch[name])
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return org_id, "bench@example.org"


def _summary(label: str, values: list[float]) -> str:
    p50, p95 = _percentile(values, 0.50), _percentile(values, 0.95)
    verdict = "under" if p95 < TARGET_MS else "OVER"
    target = f"{verdict} {TARGET_MS:.0f} ms, n={len(values)}"
    return f"{label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms ({target})"


def run(url: str, label: str) -> None:
    os.environ["DATABASE_URL"] = url
    from fastapi.testclient import TestClient
    from sqlalchemy.orm import Session

    from api import migrate
    from api.config import get_settings
    from api.db import get_engine
    from api.main import create_app
    from api.staff import accounts, program

    get_settings.cache_clear()
    migrate.upgrade(url)
    engine = get_engine()
    started = time.perf_counter()
    org_id, email = seed(engine, random.Random(11))
    print(f"program page on {label}: {HANDOFFS:,} handoffs (+{OTHER_ORG:,} of another org) "
          f"seeded in {time.perf_counter() - started:.0f} s")  # fmt: skip
    with Session(engine) as db:
        login = accounts.log_in(email, PASSWORD, "127.0.0.1", db_session=db)
        db.commit()
    assert login.token
    today = NOW.date()
    periods = {
        "last 30 days (the default)": f"start={today - timedelta(days=29)}&end={today}",
        "90 days, Spanish, SMS": f"start={today - timedelta(days=89)}&end={today}"
        "&language=es&channel=sms",
        "the whole year (weekly)": f"start={today - timedelta(days=364)}&end={today}",
    }
    print(f"  load average before the requests: {os.getloadavg()[0]:.1f}")
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        cookie = {"Cookie": f"fc_staff={login.token}"}
        for name, query in periods.items():
            times = []
            for i in range(REPEAT + 2):
                t0 = time.perf_counter()
                response = client.get(f"/staff/program?{query}", headers=cookie)
                elapsed = (time.perf_counter() - t0) * 1000
                assert response.status_code == 200, response.status_code
                if i >= 2:  # two warm-up requests
                    times.append(elapsed)
            print("  " + _summary(f"GET /staff/program, {name}", times))
    year = program.Filters(today - timedelta(days=364), today)
    with Session(engine) as db:
        q = program.Scope(org_id, year, db)
        parts = []
        for figure in (program.screenings, program.needs, program.funnel, program.no_shows,
                       program.reminders, program.median_to_booking):  # fmt: skip
            t0 = time.perf_counter()
            figure(q)  # type: ignore[operator]
            parts.append(f"{figure.__name__} {(time.perf_counter() - t0) * 1000:.0f}")
        print("  SQL per figure, whole year (ms): " + ", ".join(parts))
    print(f"  load average after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    os.environ.setdefault("FIRSTCALL_ENV", "development")
    with _database() as (url, label):
        run(url, label)


if __name__ == "__main__":
    main()
