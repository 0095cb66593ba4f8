"""Handoff latency: a screening finished over signed SMS shows in the staff API, and its
webhook reaches the case-management system, how fast (issue 10: p95 < 1 s).

The whole stack as processes, as in `make run`: Rasa with the trained model, the action
server, the app, the worker and the Twilio-compatible simulator, on a database of their
own (SQLite in a temporary directory, or HANDOFF_BENCH_DATABASE_URL), and a CMS receiver
in this process that verifies every webhook with the `standardwebhooks` library. Every
participant answers the whole screening by SMS (the simulator signs each message);
screenings run side by side up to their last step (after the last question, the consent
to share with a partner agency), then the last answers go one at a time, each timed from
the moment it is posted to the simulator until
  - api: the handoff lists `screening` among its reasons in GET /api/v1/handoffs;
  - webhook: the receiver has verified the `screening` event of that handoff.

Run: `python -m bench.handoff_latency [--samples 20] [--concurrency 5] [--postgresql]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

TARGET_SECONDS = 1.0
STAGES = {
    "ingest": "posted to the simulator -> stored by the app",
    "turn": "stored -> the screening's handoff event (the turn)",
    "dispatch": "handoff event -> webhook verified by the CMS",
}


@contextmanager
def _database(tmp: Path, postgresql: bool) -> Iterator[str]:
    """SQLite in `tmp`, or a fresh PostgreSQL schema (BENCH_DATABASE_URL or
    TEST_DATABASE_URL), dropped afterwards."""
    if not postgresql:
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    from bench.reminders import postgres_schema

    with postgres_schema() as url:
        yield url


def _environment(tmp: Path, ports: dict[str, int], url: str) -> None:
    os.environ.update(
        {
            "FIRSTCALL_ENV": "development",
            "FIRSTCALL_HOST": "127.0.0.1",
            "FIRSTCALL_VAR_DIR": str(tmp),
            "DATABASE_URL": url,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['app']}",
            "FIRSTCALL_PORT": str(ports["app"]),
            "RASA_PORT": str(ports["rasa"]),
            "ACTION_PORT": str(ports["actions"]),
            "SIMULATOR_PORT": str(ports["simulator"]),
            "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['actions']}",
            "TWILIO_API_BASE": f"http://127.0.0.1:{ports['simulator']}",
            "SMTP_HOST": "127.0.0.1",  # no mail is sent; keeps the dev sink out of it
            "SMTP_PORT": "9",
            "PROGRAM_ORG_SLUG": "demo",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONUNBUFFERED": "1",
            "REMINDER_QUIET_START": "00:00",  # the real clock: no quiet hours
            "REMINDER_QUIET_END": "00:00",
        }
    )
    for name in ("TWILIO_MESSAGING_SERVICE_SID", "REDIS_URL"):
        os.environ.pop(name, None)


class Screener:
    """One participant who answers the screening by SMS through the simulator."""

    def __init__(self, simulator: str, phone: str) -> None:
        self.simulator, self.phone, self.seen = simulator, phone, 0

    def text(self, body: str) -> None:
        response = httpx.post(
            f"{self.simulator}/sim/send", json={"phone": self.phone, "body": body}, timeout=30
        )
        response.raise_for_status()

    def replies(self) -> list[str]:
        rows = httpx.get(f"{self.simulator}/sim/messages", params={"phone": self.phone}).json()
        return [r["body"] for r in rows if r["direction"] == "outbound-api"]

    def expect(self, wanted: str) -> None:
        from tests.support.servers import wait_for

        def arrived() -> int | None:
            current = self.replies()
            return len(current) if wanted in current[self.seen :] else None

        self.seen = wait_for(arrived, 60, f"{wanted[:40]!r} to {self.phone}", interval=0.1)


def _drive_to_last_question(screener: Screener) -> Screener:
    """Consent, then every question answered; waits for the last step of the screening:
    the question whether we may share with a partner agency (its answer completes it)."""
    from api.i18n.catalog import program_args, render
    from tests.e2e.test_screening_end_to_end import QUESTIONS, question_sms, sms

    consent = render("utter_screening_consent", "en", program_args())
    screener.text("i need help")
    screener.expect(sms(consent.text, consent.buttons, "en"))
    screener.text("1")
    screener.expect(question_sms(0, "en"))
    for index, question in enumerate(QUESTIONS[:-1]):
        screener.text(_answer(question))
        screener.expect(question_sms(index + 1, "en"))
    partner = render("utter_partner_consent", "en", program_args())
    screener.text(_answer(QUESTIONS[-1]))
    screener.expect(sms(partner.text, partner.buttons, "en"))
    return screener


def _answer(question: Any) -> str:
    picks = {"living_situation": "3", "food_worry": "2", "transportation": "1"}
    picks |= {q: "1" for q in ("safety_hurt", "safety_insult", "safety_threaten", "safety_scream")}
    return picks.get(question.id, str(len(question.options)))


def _screened(app: str, headers: dict[str, str], since: str) -> dict[str, Any]:
    """Handoffs with the finished screening among their reasons and an event at or after
    `since`, by id. The filter keeps each poll cheap: the app builds a summary v2 for every
    handoff it lists, and an unfiltered list at 100 polls a second was load of its own."""
    found: dict[str, Any] = {}
    params: dict[str, Any] = {"limit": 200, "since": since}
    while True:
        page = httpx.get(f"{app}/api/v1/handoffs", headers=headers, params=params).json()
        found.update({h["id"]: h for h in page["items"] if "screening" in h["reasons"]})
        if not page.get("next_cursor"):
            return found
        params = {"limit": 200, "since": since, "cursor": page["next_cursor"]}


def _hook_time(receiver: Any, handoff_id: str) -> float | None:
    for (_, body), at in zip(receiver.accepted, receiver.arrived, strict=True):
        event = body["data"].get("event") or {}
        if body["data"]["handoff_id"] == handoff_id and event.get("reason") == "screening":
            return float(at)
    return None


class Sample:
    """One last answer: the handoff it finished, and when (wall clock, seconds) it was
    posted, listed by the API and verified by the receiver."""

    def __init__(self, handoff_id: str, posted: float, listed: float, hooked: float) -> None:
        self.handoff_id, self.posted, self.listed, self.hooked = handoff_id, posted, listed, hooked


def _last_answer(screener: Screener, app: str, headers: dict[str, str], receiver: Any) -> Sample:
    from tests.support.servers import wait_for

    since = (datetime.now(UTC) - timedelta(seconds=2)).isoformat()
    before = set(_screened(app, headers, since))
    start, wall = time.monotonic(), time.time()
    screener.text("1")  # yes, share with a partner: the screening is complete
    new = wait_for(
        lambda: [i for i in _screened(app, headers, since) if i not in before],
        30,
        "the handoff",
        interval=0.02,
    )
    listed = time.monotonic() - start
    [handoff_id] = new
    hook_at = wait_for(lambda: _hook_time(receiver, handoff_id), 30, "the webhook", interval=0.01)
    return Sample(handoff_id, wall, wall + listed, wall + hook_at - start)


def _stages(url: str, samples: list[Sample]) -> dict[str, list[float]]:
    """Where the time went, from the rows' own timestamps (the app's clock is this host's):
    posted -> stored by the app (the simulator and the Twilio webhook), stored -> the
    screening's handoff event (the turn: Rasa, the action server, the screening service),
    event -> verified by the receiver (commit, the dispatcher's wake-up, the signed POST)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from api.conversations.models import InboundMessage
    from api.db import make_engine
    from api.handoff.models import Handoff, HandoffEvent

    def seconds(at: datetime) -> float:
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()

    stages: dict[str, list[float]] = {"ingest": [], "turn": [], "dispatch": []}
    engine = make_engine(url)
    with Session(engine) as db:
        for sample in samples:
            handoff = db.get(Handoff, sample.handoff_id)
            assert handoff is not None
            stored = db.scalar(
                select(InboundMessage.received_at)
                .where(InboundMessage.conversation_id == handoff.conversation_id)
                .order_by(InboundMessage.id.desc())
                .limit(1)
            )
            event_at = db.scalar(
                select(HandoffEvent.at).where(
                    HandoffEvent.handoff_id == handoff.id, HandoffEvent.reason == "screening"
                )
            )
            assert stored is not None and event_at is not None
            stages["ingest"].append(seconds(stored) - sample.posted)
            stages["turn"].append(seconds(event_at) - seconds(stored))
            stages["dispatch"].append(sample.hooked - seconds(event_at))
    engine.dispose()
    return stages


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="a fresh schema of BENCH_DATABASE_URL or TEST_DATABASE_URL instead of SQLite",
    )
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="firstcall-handoff-bench-"))
    with _database(tmp, args.postgresql) as url:
        _run(args, tmp, url)


def _run(args: argparse.Namespace, tmp: Path, url: str) -> None:

    from tests.support.servers import free_port

    ports = {name: free_port() for name in ("app", "rasa", "actions", "simulator")}
    _environment(tmp, ports, url)

    from api.config import get_settings

    get_settings.cache_clear()
    from sqlalchemy.orm import Session

    from api import engine_model, migrate, supervisor
    from api.db import make_engine
    from api.staff import service as staff
    from api.webhooks import service as webhooks
    from tests.support.cms_receiver import Receiver
    from tests.support.servers import Process, http_ok, wait_for

    migrate.upgrade(url)
    receiver = Receiver().up()
    engine = make_engine(url)
    with Session(engine) as session:
        org = staff.create_org("demo", "Demo", db_session=session)
        key = staff.create_api_key(org, "bench", db_session=session)
        _, receiver.secret = webhooks.add_endpoint(org.id, receiver.url, db_session=session)
        session.commit()
    engine.dispose()

    model = engine_model.model_path()
    settings = get_settings()
    children = supervisor.children(settings, model, simulator=True)
    processes = {c.name: Process(c.name, c.command, dict(os.environ), tmp) for c in children}
    app, simulator = f"http://127.0.0.1:{ports['app']}", f"http://127.0.0.1:{ports['simulator']}"
    headers = {"Authorization": f"Bearer {key}"}
    try:
        wait_for(lambda: http_ok(f"{app}/health"), 240, "the stack", interval=1)
        phones = [f"+1555{7000000 + n:07d}" for n in range(args.samples)]
        began = time.monotonic()
        with ThreadPoolExecutor(args.concurrency) as pool:
            screeners = list(
                pool.map(_drive_to_last_question, [Screener(simulator, p) for p in phones])
            )
        driven = time.monotonic() - began
        load_before = os.getloadavg()[0]
        timings = [_last_answer(s, app, headers, receiver) for s in screeners]
    except Exception:
        for name, process in processes.items():
            print(f"--- {name}\n{process.tail()}")
        raise
    finally:
        for process in processes.values():
            process.stop()
        receiver.down()

    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(
        f"handoff latency ({backend}, {len(timings)} screenings over signed SMS; "
        f"{args.concurrency} at a time took {driven:.0f} s to reach their last step; "
        f"{os.cpu_count()} CPUs, 1-min load {load_before:.1f} before the timed answers, "
        f"{os.getloadavg()[0]:.1f} after)"
    )
    api = [t.listed - t.posted for t in timings]
    hook = [t.hooked - t.posted for t in timings]
    for name, values in (("in the staff API", api), ("webhook verified by the CMS", hook)):
        verdict = "ok" if _percentile(values, 95) < TARGET_SECONDS else "OVER TARGET"
        print(f"  last answer -> {name:28s} {_figures(values)}  ({verdict}: p95 < 1 s)")
    print("  where the time went (from the rows' timestamps):")
    for name, values in _stages(url, timings).items():
        print(f"    {STAGES[name]:51s} {_figures(values)}")
    print(
        f"  webhooks verified: {len(receiver.accepted)}, distinct ids: "
        f"{len(set(receiver.ids()))}, rejected: {receiver.rejected}"
    )


def _figures(values: list[float]) -> str:
    p50, p95 = statistics.median(values), _percentile(values, 95)
    return f"p50 {p50 * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms  max {max(values) * 1000:6.0f} ms"


if __name__ == "__main__":
    main()
