"""Issue 7, Exactly once: old buttons answer their own question. A button payload names its
question and the instrument version; a tap on an old button is ignored and the current
question is asked again. SMS numbered menus map digits to those same payloads."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.screening import ActionAskScreeningAnswer, ValidateScreeningForm
from api.channels import menus
from api.screening import prompts, service
from api.screening.instrument import questions_for
from api.screening.models import ScreeningAnswer
from tests.support.screening import consented, payload_args, reply, tracker

CORE = questions_for(["ahc-hrsn-core"])


def _saved(db: Session) -> dict[str, list[str]]:
    db.expire_all()
    return {a.question_id: a.option_ids for a in db.scalars(select(ScreeningAnswer))}


def test_answer_buttons_name_their_question_and_instrument_version() -> None:
    rendered = prompts.question(CORE[2], 3, 23, "en")
    assert [payload_args(b["payload"]) for b in rendered.buttons] == [
        {"answer": str(n), "question": "food_worry", "v": CORE[2].version} for n in (1, 2, 3)
    ]
    assert CORE[2].version and CORE[2].version == CORE[0].version  # one module, one version


def test_sms_menu_digits_map_to_payloads_that_name_the_question() -> None:
    rendered = prompts.question(CORE[0], 1, 23, "es")
    payload = menus.resolve("3", rendered.buttons)
    assert payload is not None
    assert payload_args(payload) == {
        "answer": "3",
        "question": "living_situation",
        "v": CORE[0].version,
    }


def test_an_old_button_is_ignored_and_the_current_question_stays(db: Session, org: Any) -> None:
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    version = CORE[0].version
    reply(db, session, person, "2", question_id="living_situation", version=version)
    # a second tap on question 1's buttons, while question 2 (pick all) is the current one
    outcome = reply(db, session, person, "1", question_id="living_situation", version=version)
    assert outcome.say == [] and not outcome.done
    assert _saved(db) == {"living_situation": ["worried"]}, "the old tap answered question 2"
    step = service.current_step(session, person, db_session=db)
    assert step.question is not None and step.question.id == "housing_problems"
    # a button of another instrument version is old too, even for the current question
    reply(db, session, person, "1", question_id="housing_problems", version="0ld")
    assert "housing_problems" not in _saved(db)
    # the current question's own button counts
    reply(db, session, person, "1", question_id="housing_problems", version=version)
    assert _saved(db)["housing_problems"] == ["pests"]


def test_an_old_button_does_not_answer_the_partner_question(
    db: Session, org: Any, monkeypatch: Any
) -> None:
    from api.config import get_settings

    monkeypatch.setenv("SCREENING_MODULES", '["ahc-hrsn-core"]')
    get_settings.cache_clear()
    try:
        person, conversation = consented(db, org)
        session, _ = service.start(person, conversation, db_session=db)
        while (step := service.current_step(session, person, db_session=db)).kind == "question":
            assert step.question is not None
            reply(
                db,
                session,
                person,
                "1",
                question_id=step.question.id,
                version=step.question.version,
            )
        assert service.current_step(session, person, db_session=db).kind == "partner_consent"
        # "2" means "no" to the partner question: an old question button must not say it
        reply(db, session, person, "2", question_id="safety_scream", version=CORE[0].version)
        assert "share_partner" not in service.current_consents(person, db_session=db)
        assert service.current_step(session, person, db_session=db).kind == "partner_consent"
    finally:
        get_settings.cache_clear()


def test_an_old_button_tap_through_the_actions_asks_the_current_question(
    db: Session, org: Any
) -> None:
    person, conversation = consented(db, org)
    service.start(person, conversation, db_session=db)
    db.flush()
    form = ValidateScreeningForm()
    old = prompts.question(CORE[0], 1, 23, "en").buttons
    for message_id, button in ((601, old[1]), (602, old[0])):  # tap "2", then the old "1"
        form.validate_screening_answer(
            button["payload"],
            CollectingDispatcher(),
            tracker(
                conversation.id,
                button["payload"],
                intent="screening_answer",
                entities={"answer": payload_args(button["payload"])["answer"]},
                message_id=message_id,
            ),
            {},
        )
    assert _saved(db) == {"living_situation": ["worried"]}
    dispatcher = CollectingDispatcher()
    ActionAskScreeningAnswer().run(
        dispatcher, tracker(conversation.id, "x", intent="screening_answer"), {}
    )
    assert [m.get("question") for m in dispatcher.messages] == ["housing_problems"]


def test_consent_buttons_name_their_question() -> None:
    from api.i18n.catalog import program_args, render

    for key, question in (
        ("utter_screening_consent", "consent"),
        ("utter_partner_consent", "partner_consent"),
    ):
        payloads = [b["payload"] for b in render(key, "en", program_args()).buttons]
        assert payloads == [
            f'/affirm{{"question":"{question}"}}',
            f'/deny{{"question":"{question}"}}',
        ]


def test_an_old_yes_button_does_not_give_consent(db: Session, org: Any) -> None:
    """A second tap on the greeting's "Yes" must not agree to a consent text never read."""
    from tests.support.screening import participant

    person, conversation = participant(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    outcome = reply(db, session, person, "/affirm", intent="affirm")  # the greeting's Yes
    assert outcome.say == [] and not outcome.done
    assert service.current_consents(person, db_session=db) == {}
    outcome = reply(db, session, person, "/deny", intent="deny", question_id="utter_greet")
    assert outcome.say == [] and session.status == "active"
    # the consent question's own button, or a typed yes, counts
    reply(
        db, session, person, '/affirm{"question":"consent"}', intent="affirm", question_id="consent"
    )
    assert service.current_consents(person, db_session=db) == {
        "texting": True,
        "share_case_manager": True,
    }


def test_an_old_yes_tap_through_the_action_asks_for_consent_again(db: Session, org: Any) -> None:
    from tests.support.screening import participant

    person, conversation = participant(db, org)
    service.start(person, conversation, db_session=db)
    db.flush()
    form = ValidateScreeningForm()
    form.validate_screening_answer(
        "/affirm", CollectingDispatcher(), tracker(conversation.id, "/affirm", intent="affirm"), {}
    )
    assert service.current_consents(person, db_session=db) == {}
    dispatcher = CollectingDispatcher()
    ActionAskScreeningAnswer().run(dispatcher, tracker(conversation.id, "x", intent="affirm"), {})
    assert [m.get("response") for m in dispatcher.messages] == ["utter_screening_consent"]
    named = '/affirm{"question":"consent"}'
    form.validate_screening_answer(
        named, CollectingDispatcher(), tracker(conversation.id, named, intent="affirm"), {}
    )
    assert service.current_consents(person, db_session=db)["share_case_manager"] is True
