"""Issue 7, "an abandoned screening still leaves a handoff": after no reply for
SCREENING_ABANDONED_AFTER_HOURS (24 h by default) the worker hands the answers so far to the
case manager, marked incomplete, once per session; resuming later continues normally."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.config import Settings, get_settings
from api.conversations.models import Conversation, Participant
from api.db import utcnow
from api.handoff import abandoned
from api.handoff.models import Handoff, HandoffEvent
from api.screening import service as screening
from api.screening.models import ScreeningAnswer, ScreeningSession


def _screening(db: Session, org, answers: list[str], consent: bool = True):  # type: ignore[no-untyped-def]
    participant = Participant(org_id=org.id, language="es")
    db.add(participant)
    db.flush()
    conversation = Conversation(participant_id=participant.id, channel="sms")
    db.add(conversation)
    db.flush()
    session, _ = screening.start(participant, conversation, db_session=db)
    if consent:
        screening.reply(session, participant, "si", "affirm", channel="sms", db_session=db)
    for text in answers:
        screening.reply(session, participant, text, None, channel="sms", db_session=db)
    return participant, conversation, session


def _age(db: Session, session: ScreeningSession, hours: float) -> None:
    """Make the session's last activity `hours` old, as if the participant went quiet."""
    then = utcnow() - timedelta(hours=hours)
    db.execute(
        update(ScreeningSession).where(ScreeningSession.id == session.id).values(updated_at=then)
    )
    db.execute(
        update(ScreeningAnswer)
        .where(ScreeningAnswer.session_id == session.id)
        .values(answered_at=then)
    )
    db.flush()
    db.expire_all()


def _handoffs(db: Session, participant: Participant) -> list[Handoff]:
    return list(db.scalars(select(Handoff).where(Handoff.participant_id == participant.id)))


def test_the_default_is_24_hours() -> None:
    assert Settings().screening_abandoned_after_hours == 24
    assert get_settings().screening_abandoned_after_hours == 24


def test_abandoned_screening_leaves_an_incomplete_handoff_with_the_answers_so_far(
    db: Session, org
) -> None:  # type: ignore[no-untyped-def]
    participant, conversation, session = _screening(db, org, ["2", "1"])
    _age(db, session, 25)
    assert abandoned.sweep(db_session=db) == 1
    (handoff,) = _handoffs(db, participant)
    assert handoff.org_id == org.id and handoff.conversation_id == conversation.id
    assert "screening_incomplete" in handoff.reasons and "screening" not in handoff.reasons
    coded = handoff.summary["screening"]
    assert coded["incomplete"] is True and coded["completed_at"] is None
    assert coded["session_id"] == session.id and coded["language"] == "es"
    assert [
        (a["question_id"], [o["option_id"] for o in a["answers"]]) for a in coded["answers"]
    ] == [
        ("living_situation", ["worried"]),
        ("housing_problems", ["pests"]),
    ]
    assert coded["answered"] == 2 and coded["total"] > 2
    assert handoff.summary["consents"]["share_case_manager"] is True
    assert [(e.kind, e.reason) for e in handoff.events] == [("flag", "screening_incomplete")]


def test_a_screening_quiet_for_less_than_the_setting_is_left_alone(
    db: Session, org, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    participant, _, session = _screening(db, org, ["1"])
    _age(db, session, 23)
    assert abandoned.sweep(db_session=db) == 0
    assert _handoffs(db, participant) == []
    monkeypatch.setattr(get_settings(), "screening_abandoned_after_hours", 2.0)
    assert abandoned.sweep(db_session=db) == 1  # the deployment's own setting


def test_a_recent_message_from_the_participant_counts_as_a_reply(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    from api.conversations.models import InboundMessage

    participant, conversation, session = _screening(db, org, ["1"])
    _age(db, session, 30)
    db.add(InboundMessage(conversation_id=conversation.id, channel="sms", text="hola?"))
    db.flush()
    assert abandoned.sweep(db_session=db) == 0


def test_the_abandoned_sweep_is_idempotent(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    participant, _, session = _screening(db, org, ["1"])
    _age(db, session, 48)
    assert abandoned.sweep(db_session=db) == 1
    assert abandoned.sweep(db_session=db) == 0
    assert abandoned.sweep(db_session=db, now=utcnow() + timedelta(days=30)) == 0
    (handoff,) = _handoffs(db, participant)
    events = db.scalars(select(HandoffEvent).where(HandoffEvent.handoff_id == handoff.id)).all()
    assert [e.reason for e in events] == ["screening_incomplete"]


def test_resuming_an_abandoned_screening_continues_normally(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    participant, conversation, session = _screening(db, org, ["1", "1"])
    _age(db, session, 25)
    assert abandoned.sweep(db_session=db) == 1
    resumed, was_resumed = screening.start(participant, conversation, db_session=db)
    assert was_resumed and resumed.id == session.id
    step = screening.current_step(resumed, participant, db_session=db)
    assert step.kind == "question" and step.number == 3  # where they left off
    while (step := screening.current_step(resumed, participant, db_session=db)).kind == "question":
        assert step.question is not None
        last = str(len(step.question.options))
        screening.reply(resumed, participant, last, None, channel="sms", db_session=db)
    if step.kind == "partner_consent":
        screening.reply(resumed, participant, "2", "deny", channel="sms", db_session=db)
    screening.complete(resumed, participant, conversation, db_session=db)
    (handoff,) = _handoffs(db, participant)  # the same handoff, now complete
    assert "incomplete" not in handoff.summary["screening"]
    assert handoff.summary["screening"]["completed_at"] is not None
    assert "screening" in handoff.reasons and "screening_incomplete" not in handoff.reasons
    assert abandoned.sweep(db_session=db, now=utcnow() + timedelta(days=3)) == 0


def test_without_consent_to_share_nothing_is_handed_over(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    participant, _, session = _screening(db, org, [], consent=False)
    _age(db, session, 72)
    assert abandoned.sweep(db_session=db) == 0
    assert _handoffs(db, participant) == []


def test_the_worker_runs_the_sweep(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    from api import worker

    participant, _, session = _screening(db, org, ["1"])
    _age(db, session, 25)
    db.commit()
    done = worker.run_once("test-worker")
    assert done["abandoned_screenings"] == 1
    assert worker.run_once("test-worker")["abandoned_screenings"] == 0
    db.expire_all()
    (handoff,) = _handoffs(db, participant)
    assert handoff.summary["screening"]["incomplete"] is True
