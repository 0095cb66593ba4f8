"""SQLite holds no write lock a turn keeps: a turn's language detection and its engine call
run outside any write transaction, so a webhook's store is never stuck behind them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from api.conversations import turns
from api.conversations.models import Conversation, InboundMessage, Participant
from api.db import session_scope
from api.i18n import detect
from api.staff import service as staff
from tests.conftest import BACKEND
from tests.support.isolated_db import isolated_database

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="the write lock is SQLite's")


def _another_writer_gets_in(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_turn_holds_no_write_lock_while_it_detects_the_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with isolated_database(tmp_path, monkeypatch) as (url, _engine):
        path = url.removeprefix("sqlite:///")
        with session_scope() as db:
            org = staff.create_org("demo", "Demo", db_session=db)
            participant = Participant(org_id=org.id)
            db.add(participant)
            db.flush()
            conversation = Conversation(participant_id=participant.id, channel="sms")
            db.add(conversation)
            db.flush()
            db.add(
                InboundMessage(
                    conversation_id=conversation.id, channel="sms", text="hello, I need a job"
                )
            )
            conversation_id = conversation.id
        real_detect = detect.detect
        seen: list[bool] = []

        def detecting(text: str) -> detect.Detected:
            seen.append(_another_writer_gets_in(path))
            return real_detect(text)

        monkeypatch.setattr(turns.detect, "detect", detecting)
        turns.process_conversation(conversation_id, immediate=True)  # the engine is down
        assert seen and all(seen), "a writer was locked out while the turn detected"
        with session_scope(read_only=True) as db:
            found = db.get(Participant, participant.id)
            assert found is not None and found.language == "en"
