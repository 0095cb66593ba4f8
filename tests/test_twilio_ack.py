"""Twilio never waits for the engine: the webhook stores, commits and answers; the turn runs
afterwards in a bounded executor of its own (never the request thread pool), or in the
worker when that executor is full."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations import runner as turn_runner
from api.conversations import turns
from tests import factories as f
from tests.support.fake_engine import FakeEngine, wait_until
from tests.support.servers import ThreadServer

STALL = 8.0


def _post_unwaited(client, params: dict[str, str]):  # type: ignore[no-untyped-def]
    path = "/channels/twilio/sms"
    return client.post(path, data=params, headers={"X-Twilio-Signature": f.sign(path, params)})


def test_twilio_ack_does_not_wait_for_a_stalled_engine(
    client, db: Session, org, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeEngine(delay=STALL)
    with ThreadServer(fake.app) as server:
        monkeypatch.setattr(get_settings(), "rasa_url", server.url)
        try:
            started = time.monotonic()
            response = _post_unwaited(client, f.sms_params(f.phone(), "hello, I need a job"))
            acknowledged = time.monotonic() - started
            assert response.status_code == 200
            # Before: the acknowledgement came after the whole turn (>= the engine's stall).
            assert acknowledged < STALL / 2, f"the acknowledgement waited {acknowledged:.1f}s"
            # (the test shares one connection with the turn: look once it waits on the engine)
            wait_until(lambda: fake.messages(), timeout=10)
            [message] = f.inbound(db)
            assert message.status == "processing"  # stored; the turn runs after
        finally:
            assert turn_runner.get().wait_idle(timeout=STALL + 20)
    db.expire_all()
    assert [m.status for m in f.inbound(db)] == ["done"]
    [reply] = f.outbound(db)
    assert reply.kind == "reply" and reply.body.startswith(f.sms_text("utter_greet", "en")[:20])


def test_turns_run_in_a_bounded_executor_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    threads: list[str] = []

    def slow_turn(conversation_id: str, *, immediate: bool = False) -> int:
        threads.append(threading.current_thread().name)
        release.wait(10)
        return 1

    monkeypatch.setattr(turns, "process_conversation", slow_turn)
    runner = turn_runner.TurnRunner(workers=1, queue_limit=1)
    try:
        first = runner.submit("c1")
        second = runner.submit("c2")  # waits for the one thread
        again = runner.submit("c2")  # already queued: the same job
        full = runner.submit("c3")  # nothing more is queued: the worker's sweep takes it
        assert first is not None and second is not None
        assert again is second
        assert full is None
        release.set()
        assert first.result(10) == 1 and second.result(10) == 1
        assert runner.wait_idle(timeout=5)
        assert threads and all(name.startswith("turn") for name in threads)
    finally:
        release.set()
        runner.shutdown()


def test_a_full_turn_executor_still_acknowledges_and_leaves_the_turn_to_the_worker(
    client, db: Session, org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turn_runner.get(), "submit", lambda conversation_id: None)
    response = _post_unwaited(client, f.sms_params(f.phone(), "hello"))
    assert response.status_code == 200
    [message] = f.inbound(db)
    assert message.status == "pending" and message.attempts == 0
    assert f.outbound(db) == []  # the worker's retry sweep runs it after the grace period
