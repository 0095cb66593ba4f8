"""Helpers the screening tests share: a consented participant, answering up to a question,
Rasa trackers for the action adapters, and edited copies of the instrument files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Participant
from api.handoff.models import Handoff
from api.screening import instrument, service


def participant(db: Session, org: Any, language: str = "en") -> tuple[Participant, Conversation]:
    person = Participant(org_id=org.id, language=language)
    db.add(person)
    db.flush()
    conversation = Conversation(participant_id=person.id, channel="sms")
    db.add(conversation)
    db.flush()
    return person, conversation


def consented(db: Session, org: Any, language: str = "en") -> tuple[Participant, Conversation]:
    person, conversation = participant(db, org, language)
    service.record_consent(person, service.CONSENT_PURPOSES, True, channel="sms", db_session=db)
    return person, conversation


def reply(db: Session, session: Any, person: Participant, text: str, **kwargs: Any) -> Any:
    intent = kwargs.pop("intent", None)
    return service.reply(session, person, text, intent, channel="sms", db_session=db, **kwargs)


def answer_until(
    db: Session, session: Any, person: Participant, question_id: str, picks: dict[str, str]
) -> None:
    """Answer every question before `question_id`: `picks`, else the first option."""
    while True:
        step = service.current_step(session, person, db_session=db)
        assert step.kind == "question" and step.question is not None, step
        if step.question.id == question_id:
            return
        reply(db, session, person, picks.get(step.question.id, "1"))


def handoff(db: Session, person: Participant) -> Handoff | None:
    db.expire_all()
    return db.scalars(select(Handoff).where(Handoff.participant_id == person.id)).first()


def tracker(
    conversation_id: str,
    text: str,
    *,
    intent: str,
    message_id: int | None = None,
    entities: dict[str, str] | None = None,
    requested_slot: str | None = "screening_answer",
) -> Tracker:
    """What Rasa hands the action server for one user message inside the screening form."""
    metadata: dict[str, Any] = {"channel": "sms", "language": "en"}
    if message_id is not None:
        metadata["message_id"] = message_id
    return Tracker(
        sender_id=conversation_id,
        slots={"requested_slot": requested_slot, "screening_answer": text},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
            "metadata": metadata,
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "screening_form"},
        latest_action_name="action_listen",
    )


def payload_args(payload: str) -> dict[str, str]:
    """The JSON of a `/screening_answer{...}` payload."""
    assert payload.startswith("/screening_answer{"), payload
    return dict(json.loads(payload[len("/screening_answer") :]))


Edit = Callable[[str, Callable[[dict[str, Any]], None]], None]


@pytest.fixture
def edited_instruments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Edit]:
    """A copy of the instrument files the test can edit, as a deployment would."""
    folder = tmp_path / "instruments"
    shutil.copytree(instrument.INSTRUMENTS_DIR, folder)
    monkeypatch.setattr(instrument, "INSTRUMENTS_DIR", folder)
    instrument.modules.cache_clear()

    def edit(file_name: str, change: Callable[[dict[str, Any]], None]) -> None:
        path = folder / file_name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        instrument.modules.cache_clear()

    yield edit
    instrument.modules.cache_clear()


def question_of(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    return dict(next(q for q in data["questions"] if q["id"] == question_id))


def option_of(data: dict[str, Any], question_id: str, option_id: str) -> dict[str, Any]:
    question = next(q for q in data["questions"] if q["id"] == question_id)
    found: dict[str, Any] = next(o for o in question["options"] if o["id"] == option_id)
    return found


def domain_of(data: dict[str, Any], domain: str) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in data["domains"] if d["domain"] == domain)
    return found
