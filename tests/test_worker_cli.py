"""`firstcall worker --once [--now ISO-8601]`: what is due as of that time is done, printed,
and the command exits (the contract's name; reminders and escalations are tested with it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.cli import app
from api.conversations import service as conversations
from api.db import utcnow
from api.outbox import service as outbox
from api.outbox.models import PENDING, SENT
from tests import factories as f
from tests.support.servers import ThreadServer
from tests.support.simulator import received, running_simulator


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadServer]:
    with running_simulator(monkeypatch) as server:
        yield server


def _later_sms(db: Session, phone: str, hours: int) -> int:
    participant = conversations.participant_for_phone(phone, db_session=db)
    conversation = conversations.current_conversation(participant, "sms", db_session=db)
    message = outbox.enqueue(conversation, "due later", db_session=db)
    message.next_attempt_at = utcnow() + timedelta(hours=hours)
    db.commit()
    return message.id


def test_worker_once_does_only_what_is_due_now(simulator, org, db: Session) -> None:  # type: ignore[no-untyped-def]
    phone = f.phone()
    _later_sms(db, phone, hours=2)
    result = CliRunner().invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sms_sent: 0" in result.output
    assert received(simulator, phone) == []


def test_worker_once_with_now_does_what_is_due_at_that_time(simulator, org, db: Session) -> None:  # type: ignore[no-untyped-def]
    from api.outbox.models import OutboundMessage

    phone = f.phone()
    message_id = _later_sms(db, phone, hours=2)
    at = (utcnow() + timedelta(hours=3)).astimezone(UTC).isoformat().replace("+00:00", "Z")
    result = CliRunner().invoke(app, ["worker", "--once", "--now", at])
    assert result.exit_code == 0, result.output
    assert "sms_sent: 1" in result.output
    assert [m["body"] for m in received(simulator, phone)] == ["due later"]
    row = db.get(OutboundMessage, message_id)
    assert row is not None
    db.refresh(row)
    assert row.status == SENT != PENDING


@pytest.mark.parametrize("value", ["tomorrow", "2026-12-01T09:00:00"])
def test_worker_now_must_be_an_iso_time_with_an_offset(value: str, org) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, ["worker", "--once", "--now", value])
    assert result.exit_code != 0
    assert "--now" in result.output
