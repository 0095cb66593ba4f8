"""A worker SIGKILLed mid-batch, then started again: every row reaches Twilio exactly once
(issue 9), proven from the simulator's received list, row by row (`?m=<row>`).

Two real `python -m api.worker` processes on a database of their own; each sends from its
own number, so the received list shows which sender each message came from. The simulator
holds every answer back a moment (the message is already accepted) so the kill finds calls
in flight: rows Twilio has and the dead worker never recorded. Their lease runs out and they
are claimed again. With status callbacks on (the app running, as in production), the
callback names the row; without any (the app down), the sender asks Twilio's Messages list
(api/outbox/reconcile.py). Either way nothing is sent twice and nothing is lost.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from api import crypto
from api.conversations.models import Participant, new_id
from api.db import session_scope, utcnow
from api.outbox.models import DELIVERED, PENDING, SENT, OutboundMessage
from api.staff import service as staff
from tests.support.isolated_db import isolated_database
from tests.support.servers import Process, ThreadServer, wait_for
from tests.support.simulator import received, running_simulator

ROWS = 80
LEASE_SECONDS = 11  # OUTBOX_SEND_LEASE_SECONDS must be over 10 s
FROM = {"first": "+15005550101", "second": "+15005550102", "restarted": "+15005550103"}
_REF = re.compile(r"[?&]m=(\d+)")


def _seed(rows: int) -> list[int]:
    """`rows` participants with one due reminder each (no quiet zone: sent at any hour)."""
    now = utcnow()
    with session_scope() as db:
        org = staff.create_org("demo", "Demo Workforce Program", db_session=db)
        people = [
            {"id": new_id(), "org_id": org.id, "language": "en",
             "phone_hash": crypto.lookup_hash(phone), "phone_encrypted": crypto.encrypt(phone)}
            for phone in (f"+1619556{n:04d}" for n in range(rows))
        ]  # fmt: skip
        db.execute(insert(Participant), people)
        db.execute(
            insert(OutboundMessage),
            [
                {"participant_id": p["id"], "channel": "sms", "kind": "reminder",
                 "body": f"Reminder {n}: your appointment is tomorrow at 10:30.",
                 "segments": 1, "status": PENDING, "attempts": 0,
                 "next_attempt_at": now - timedelta(seconds=1),
                 "idempotency_key": f"kill:{n}", "not_after": now + timedelta(hours=1)}
                for n, p in enumerate(people)
            ],
        )  # fmt: skip
    with session_scope(read_only=True) as db:
        return list(db.scalars(select(OutboundMessage.id)))


def _outbound(simulator: ThreadServer) -> list[dict[str, Any]]:
    return [m for m in received(simulator) if m["direction"] == "outbound-api"]


def _ref(message: dict[str, Any]) -> int:
    found = _REF.search(message.get("status_callback") or "")
    assert found, message
    return int(found.group(1))


def _unfinished(engine: Engine) -> int:
    with engine.connect() as conn:
        query = select(func.count()).where(OutboundMessage.status.not_in((SENT, DELIVERED)))
        return int(conn.execute(query.select_from(OutboundMessage)).scalar_one())


def _recorded_by_a_sender(engine: Engine) -> dict[int, bool]:
    """Per row: did a sender's own claim record it (`sent_at`, first attempt)? A row whose
    status callback alone said so, or that was claimed again, is False."""
    query = select(OutboundMessage.id, OutboundMessage.attempts, OutboundMessage.sent_at)
    with engine.connect() as conn:
        return {r.id: r.attempts == 1 and r.sent_at is not None for r in conn.execute(query)}


@contextmanager
def _stack(
    monkeypatch: pytest.MonkeyPatch, callbacks: bool
) -> Iterator[tuple[ThreadServer, dict[str, str]]]:
    with ExitStack() as stack:
        app_url = None
        if callbacks:  # the app answers the simulator's signed status callbacks
            from api.main import create_app

            app_url = stack.enter_context(ThreadServer(create_app())).url
        simulator = stack.enter_context(
            running_simulator(monkeypatch, app_url=app_url, answer_after=0.3)
        )
        env = {
            **os.environ,
            "TWILIO_API_BASE": simulator.url,
            "SMS_RATE": "0",
            "OUTBOX_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
            "OUTBOX_BATCH_SIZE": "20",
            "OUTBOX_SEND_THREADS": "8",
            "WORKER_POLL_SECONDS": "0.2",
            "REMINDER_QUIET_START": "00:00",  # the real clock: no quiet hours
            "REMINDER_QUIET_END": "00:00",
        }
        yield simulator, env


@pytest.mark.parametrize("callbacks", [True, False], ids=["status-callbacks", "app-down"])
def test_a_worker_killed_mid_batch_sends_nothing_twice_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, callbacks: bool
) -> None:
    with isolated_database(tmp_path, monkeypatch) as (url, engine):
        ids = _seed(ROWS)
        with _stack(monkeypatch, callbacks) as (simulator, base_env):
            env = {**base_env, "DATABASE_URL": url}
            command = [sys.executable, "-m", "api.worker"]
            workers = {
                name: Process(name, command, {**env, "TWILIO_FROM_NUMBER": FROM[name]}, tmp_path)
                for name in ("first", "second")
            }
            try:

                def first_has_sent() -> bool:
                    sent = Counter(m["from_"] for m in _outbound(simulator))
                    return sent[FROM["first"]] >= ROWS // 6 and sent[FROM["second"]] > 0

                wait_for(first_has_sent, 60, "both workers sending", interval=0.02)
                os.killpg(workers["first"].proc.pid, signal.SIGKILL)
                workers["first"].proc.wait(10)
                by_the_dead = {_ref(m) for m in _outbound(simulator) if m["from_"] == FROM["first"]}
                workers["restarted"] = Process(
                    "restarted", command, {**env, "TWILIO_FROM_NUMBER": FROM["restarted"]}, tmp_path
                )
                wait_for(lambda: _unfinished(engine) == 0, 60, "every row sent", interval=0.2)
            finally:
                for worker in workers.values():
                    worker.stop()
            sent = Counter(_ref(m) for m in _outbound(simulator))
            recorded = _recorded_by_a_sender(engine)

    assert sent == Counter({row: 1 for row in ids}), "a duplicate or a loss"
    # The kill left rows Twilio had accepted and the dead worker never recorded: a status
    # callback recorded them, or they were claimed again after the lease; not sent again.
    orphans = {row for row in by_the_dead if not recorded[row]}
    assert orphans, "the kill found no call in flight: nothing was proven"
