"""Throttling per sender number (issue 9), under a frozen clock (`now=`).

A large batch spreads out at the sender's pace instead of failing: Twilio is handed only
SMS_PROVIDER_BACKLOG_SECONDS of it (never more than its 10 h queue), the rest waits in the
outbox, unclaimed. The pace lives in the database, so every worker process shares it.
Replies to participants go before planned messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.config import Settings, get_settings
from api.conversations import service as conversations
from api.db import utcnow
from api.outbox import sender, throttle
from api.outbox import service as outbox
from api.outbox.models import PENDING, SENT, OutboundMessage
from tests import factories as f
from tests.support.servers import ThreadServer
from tests.support.simulator import received, running_simulator

TEN_SEGMENTS_LONG = "x" * (153 * 9 + 10)  # GSM-7, 10 segments


@pytest.fixture
def paced(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadServer]:
    """The simulator, with a long code's pace (1 segment/s) and 30 s of backlog at Twilio."""
    with running_simulator(monkeypatch) as server:
        monkeypatch.setenv("SMS_RATE", "1")
        monkeypatch.setenv("SMS_PROVIDER_BACKLOG_SECONDS", "30")
        get_settings.cache_clear()
        yield server


def _queue(db: Session, count: int, *, planned: bool, body: str = "hello") -> list[OutboundMessage]:
    participant = conversations.participant_for_phone(f.phone(), db_session=db)
    conversation = conversations.current_conversation(participant, "sms", db_session=db)
    rows = []
    for _ in range(count):
        message = outbox.enqueue(
            conversation, body, kind="reminder" if planned else "reply", db_session=db
        )
        if planned:
            message.idempotency_key = f"test:{uuid.uuid4().hex}"
        rows.append(message)
    db.commit()
    return rows


def _statuses(db: Session, rows: list[OutboundMessage]) -> list[str]:
    for row in rows:
        db.refresh(row)
    return [row.status for row in rows]


def _next_free(db: Session) -> datetime:
    return db.scalars(select(throttle.SenderPace.next_free_at)).one()


def test_a_large_batch_spreads_out_at_the_senders_pace(paced: ThreadServer, db: Session) -> None:
    rows = _queue(db, 50, planned=True)
    t0 = utcnow() + timedelta(seconds=1)
    assert sender.send_due(now=t0) == 30  # 30 s of backlog at 1 segment/s
    assert _statuses(db, rows) == [SENT] * 30 + [PENDING] * 20
    assert {row.attempts for row in rows[30:]} == {0}  # waiting their turn, not claimed
    assert _next_free(db) == t0 + timedelta(seconds=30)
    assert sender.send_due(now=t0 + timedelta(seconds=5)) == 5  # 5 s later, 5 more fit
    assert sender.send_due(now=t0 + timedelta(seconds=5)) == 0  # spent: nothing until later
    assert sender.send_due(now=t0 + timedelta(seconds=20)) == 15
    assert _statuses(db, rows) == [SENT] * 50
    assert len(received(paced)) == 50  # none failed, none sent twice


def test_segments_count_not_messages(paced: ThreadServer, db: Session) -> None:
    rows = _queue(db, 5, planned=True, body=TEN_SEGMENTS_LONG)
    assert rows[0].segments == 10
    t0 = utcnow() + timedelta(seconds=1)
    assert sender.send_due(now=t0) == 3  # 30 segments
    assert sender.send_due(now=t0 + timedelta(seconds=9)) == 0  # 9 segments free: not enough
    assert sender.send_due(now=t0 + timedelta(seconds=10)) == 1


def test_the_pace_is_shared_through_the_database(paced: ThreadServer, db: Session) -> None:
    """A second sender (another worker process) finds the budget spent by the first."""
    _queue(db, 40, planned=True)
    t0 = utcnow() + timedelta(seconds=1)
    first = sender.claim(200, now=t0)
    second = sender.claim(200, now=t0)
    assert (len(first), len(second)) == (30, 0)
    assert len(sender.claim(200, now=t0 + timedelta(seconds=3))) == 3


def test_replies_go_before_planned_messages(paced: ThreadServer, db: Session) -> None:
    planned = _queue(db, 40, planned=True)
    [reply] = _queue(db, 1, planned=False)  # queued after the whole batch
    assert sender.send_due(now=utcnow() + timedelta(seconds=1)) == 30
    db.refresh(reply)
    assert reply.status == SENT
    assert _statuses(db, planned).count(SENT) == 29


def test_twilio_never_holds_more_than_the_backlog(paced: ThreadServer, db: Session) -> None:
    _queue(db, 100, planned=True)
    now = utcnow() + timedelta(seconds=1)
    for step in range(0, 60, 7):
        at = now + timedelta(seconds=step)
        sender.send_due(now=at)
        assert _next_free(db) - at <= timedelta(seconds=30)


def test_the_backlog_setting_can_not_exceed_twilios_ten_hours() -> None:
    with pytest.raises(ValidationError):
        Settings(SMS_PROVIDER_BACKLOG_SECONDS=36001)  # type: ignore[call-arg]


def test_rate_zero_is_off(
    paced: ThreadServer, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMS_RATE", "0")
    get_settings.cache_clear()
    _queue(db, 50, planned=True)
    assert sender.send_due(now=utcnow() + timedelta(seconds=1)) == 50
    assert db.scalar(select(func.count()).select_from(throttle.SenderPace)) == 0


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, 1.0),  # a US long code
        ({"TWILIO_FROM_NUMBER": "+18885550100"}, 3.0),  # toll-free
        ({"TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32}, 1.0),
        (
            {"TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32, "SMS_RATE_MESSAGING_SERVICE": "30"},
            30.0,
        ),
        ({"SMS_RATE": "12.5"}, 12.5),
        ({"SMS_RATE": "0"}, None),
        ({"TWILIO_API_BASE": "http://127.0.0.1:8001"}, 1.0),  # a stand-in is paced like Twilio
        ({"TWILIO_API_BASE": "http://127.0.0.1:8001", "SMS_RATE": "1"}, 1.0),
    ],
)
def test_the_default_pace_follows_the_kind_of_sender(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: float | None
) -> None:
    for name in ("TWILIO_API_BASE", "SMS_RATE", "TWILIO_MESSAGING_SERVICE_SID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    pace = throttle.current(Settings())
    assert (pace.rate if pace else None) == expected
