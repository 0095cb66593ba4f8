"""Two workers at once (`api.worker.run_once` from two threads, each its own sessions, on a
database of its own) never send a reminder twice, and a later pass sends nothing more."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from api import worker
from api.booking import service
from api.conversations import service as conversations
from api.db import session_scope
from api.outbox.models import SENT, OutboundMessage
from api.staff import service as staff
from tests.support.booking import NOW, ZIP, food_partner, participant
from tests.support.isolated_db import isolated_database
from tests.support.simulator import received, running_simulator

PEOPLE = 12
DUE = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # the day-before reminders' time


def _book_everyone() -> list[str]:
    phones = [f"+1619555{n:04d}" for n in range(600, 600 + PEOPLE)]
    with session_scope() as db:
        org = staff.create_org("demo", "Demo Workforce Program", db_session=db)
        food_partner(db, capacity=PEOPLE)
        for phone in phones:
            person = participant(db, phone, org_id=org.id)
            conversations.current_conversation(person, "sms", db_session=db)
            offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]
            service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW)
    return phones


def test_two_workers_never_send_a_reminder_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with isolated_database(tmp_path, monkeypatch):
        phones = _book_everyone()
        with running_simulator(monkeypatch) as simulator:
            start = threading.Barrier(2)
            done: list[dict[str, int]] = []
            errors: list[BaseException] = []

            def one_pass(name: str) -> None:
                start.wait()
                try:
                    done.append(worker.run_once(name, now=DUE))
                except BaseException as exc:  # surfaced below
                    errors.append(exc)

            threads = [threading.Thread(target=one_pass, args=(f"w{n}",)) for n in (1, 2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            assert errors == []
            again = worker.run_once("w3", now=DUE)
            got = Counter(m["to"] for m in received(simulator))

        assert got == Counter({phone: 1 for phone in phones})
        assert sum(d["sms_sent"] for d in done) == PEOPLE and again["sms_sent"] == 0
        with session_scope(read_only=True) as db:
            kinds = db.execute(
                select(OutboundMessage.kind, OutboundMessage.status).where(
                    OutboundMessage.status == SENT
                )
            ).all()
        assert Counter(kinds) == Counter({("reminder", SENT): PEOPLE})
