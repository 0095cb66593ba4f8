"""Exactly once with real concurrency: two worker processes, and no transaction held open
while Twilio is called (issue 7, "Exactly once")."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from api.conversations import service as conversations
from api.db import session_scope
from api.outbox import sender
from api.outbox import service as outbox
from api.outbox.models import SENT, OutboundMessage
from api.staff import service as staff
from tests import factories as f
from tests.support.isolated_db import isolated_database
from tests.support.servers import Process, wait_for
from tests.support.simulator import received, running_simulator

ROWS = 300


def _queue_many(phones: list[str], per_phone: int) -> list[str]:
    bodies = []
    with session_scope() as db:
        if staff.default_org_id(db_session=db) is None:
            staff.create_org("demo", "Demo Workforce Program", db_session=db)
        for p, phone in enumerate(phones):
            participant = conversations.participant_for_phone(phone, db_session=db)
            conversation = conversations.current_conversation(participant, "sms", db_session=db)
            for i in range(per_phone):
                body = f"message {p:02d}-{i:04d}"
                outbox.enqueue(conversation, body, db_session=db)
                bodies.append(body)
    return bodies


def _unsent(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.status != SENT)
            ).scalar_one()
        )


def test_two_worker_processes_send_every_row_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with isolated_database(tmp_path, monkeypatch) as (url, engine):
        phones = [f.phone() for _ in range(10)]
        bodies = _queue_many(phones, ROWS // len(phones))
        with running_simulator(monkeypatch) as simulator:
            env = {**os.environ, "DATABASE_URL": url, "TWILIO_API_BASE": simulator.url}
            start_at = time.time() + 4  # both processes import, then claim at the same moment
            command = [sys.executable, "-m", "tests.support.outbox_worker", str(start_at), "10"]
            workers = [
                Process(f"outbox-worker-{n}", [*command, "3"], env, tmp_path) for n in (1, 2)
            ]
            try:
                wait_for(lambda: _unsent(engine) == 0, 120, "every row sent", interval=0.5)
                wait_for(lambda: not any(w.alive() for w in workers), 30, "workers to finish")
            finally:
                for worker in workers:
                    worker.stop()
            logs = {w.name: w.tail() for w in workers}
            assert all(w.proc.returncode == 0 for w in workers), logs
            # both really worked: each sent a share
            assert all("sent 0" not in log for log in logs.values()), logs
            counts = Counter(m["body"] for m in received(simulator))
        assert sorted(counts) == sorted(bodies)
        assert {body: n for body, n in counts.items() if n != 1} == {}
        with engine.connect() as conn:
            attempts = Counter(conn.execute(select(OutboundMessage.attempts)).scalars())
        assert attempts == {1: ROWS}


def _write_probe(url: str, engine: Engine, failures: list[str]):  # type: ignore[no-untyped-def]
    """Called inside the simulator while the sender is calling Twilio."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def probe(_request) -> None:  # type: ignore[no-untyped-def]
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")  # a writer gets the lock at once, or fails
                conn.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                failures.append(f"another connection could not write: {exc}")
            finally:
                conn.close()

        return probe

    def probe_pg(_request) -> None:  # type: ignore[no-untyped-def]
        with engine.connect() as conn:
            open_ = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
                    " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                ),
                {"name": "firstcall-h1-probe"},
            ).scalar_one()
            conn.rollback()
        if open_:
            failures.append(f"{open_} sender transaction(s) open during the Twilio call")

    return probe_pg


def test_no_transaction_is_open_while_twilio_is_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[str] = []
    with isolated_database(tmp_path, monkeypatch, application_name="firstcall-h1-probe") as (
        url,
        engine,
    ):
        _queue_many([f.phone()], 3)
        probe = _write_probe(url, engine, failures)
        with running_simulator(monkeypatch, hook=probe) as simulator:
            assert sender.send_due() == 3
            assert len(received(simulator)) == 3
    assert failures == [], failures


def test_simulators_immediate_status_callbacks_reach_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The simulator calls back at once, often before the sender has recorded Twilio's
    answer: the signed callback URL names the row, so "delivered" is never lost."""
    from api.main import create_app
    from tests.support.servers import ThreadServer

    with isolated_database(tmp_path, monkeypatch) as (_url, engine):
        _queue_many([f.phone()], 5)
        with (
            ThreadServer(create_app()) as app,
            running_simulator(monkeypatch, app_url=app.url, answer_after=0.5) as simulator,
        ):
            assert sender.send_due() == 5

            def statuses() -> list[str]:
                with engine.connect() as conn:
                    return list(conn.execute(select(OutboundMessage.status)).scalars())

            wait_for(lambda: statuses() == ["delivered"] * 5, 20, "5 delivered", interval=0.2)
            assert len(received(simulator)) == 5
