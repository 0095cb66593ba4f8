"""Issue 7, Exactly once: engine retries don't replay answers. When the engine call times out
after the actions ran, the app sends the same message again; its id (metadata.message_id)
is the turn's key, and a repeat changes nothing and says again what the turn said."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from actions.screening import ActionAskScreeningAnswer, ValidateScreeningForm
from api.screening import service
from api.screening.models import Consent, ScreeningAnswer, ScreeningSession
from tests.support.screening import consented, participant, reply, tracker


def _saved(db: Session) -> dict[str, list[str]]:
    db.expire_all()
    return {a.question_id: a.option_ids for a in db.scalars(select(ScreeningAnswer))}


def test_engine_retry_does_not_save_the_answer_to_the_next_question(db: Session, org: Any) -> None:
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    first = reply(db, session, person, "2", message_id=101)
    assert _saved(db) == {"living_situation": ["worried"]}
    again = reply(db, session, person, "2", message_id=101)  # the engine's retry
    assert _saved(db) == {"living_situation": ["worried"]}, "the retry answered question 2"
    assert again == first
    step = service.current_step(session, person, db_session=db)
    assert step.question is not None and step.question.id == "housing_problems"
    # the next message is a new turn
    reply(db, session, person, "2", message_id=102)
    assert _saved(db) == {"living_situation": ["worried"], "housing_problems": ["mold"]}


def test_engine_retry_says_again_what_the_turn_said(db: Session, org: Any) -> None:
    """The first attempt's replies were lost with the timeout: the hotline must still come."""
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    for number, text in enumerate(["1", "8", "3", "3", "2", "2"], start=200):
        reply(db, session, person, text, message_id=number)
    first = reply(db, session, person, "5", message_id=300)  # hurt frequently: urgent
    assert [s.response for s in first.say] == ["utter_safety"]
    again = reply(db, session, person, "5", message_id=300)
    assert [s.response for s in again.say] == ["utter_safety"]
    assert "safety_insult" not in _saved(db)


def test_engine_retry_of_consent_and_of_go_back_changes_nothing(db: Session, org: Any) -> None:
    person, conversation = participant(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    first = reply(db, session, person, "yes", intent="affirm", message_id=400)
    assert reply(db, session, person, "yes", intent="affirm", message_id=400) == first
    consents = db.scalar(select(func.count()).select_from(Consent))
    assert consents == len(service.CONSENT_PURPOSES)
    reply(db, session, person, "1", message_id=401)
    reply(db, session, person, "1", message_id=402)
    reply(db, session, person, "back", intent="go_back", message_id=403)
    reply(db, session, person, "back", intent="go_back", message_id=403)
    step = service.current_step(session, person, db_session=db)
    assert step.question is not None and step.question.id == "housing_problems"


def test_engine_retry_through_the_action_does_not_save_the_next_answer(
    db: Session, org: Any
) -> None:
    person, conversation = consented(db, org)
    service.start(person, conversation, db_session=db)
    db.flush()
    form = ValidateScreeningForm()
    said = []
    for _attempt in range(2):  # the first call, then the engine's retry of the same message
        dispatcher = CollectingDispatcher()
        slots = form.validate_screening_answer(
            "2",
            dispatcher,
            tracker(
                conversation.id,
                '/screening_answer{"answer":"2"}',
                intent="screening_answer",
                entities={"answer": "2"},
                message_id=555,
            ),
            {},
        )
        assert slots == {"screening_answer": None}
        said.append(dispatcher.messages)
    assert _saved(db) == {"living_situation": ["worried"]}
    assert said[0] == said[1]
    session = db.scalars(select(ScreeningSession)).one()
    assert session.step == 1
    # and the form asks question 2, not question 3
    dispatcher = CollectingDispatcher()
    ActionAskScreeningAnswer().run(
        dispatcher, tracker(conversation.id, "2", intent="screening_answer", message_id=555), {}
    )
    assert [m.get("question") for m in dispatcher.messages] == ["housing_problems"]
