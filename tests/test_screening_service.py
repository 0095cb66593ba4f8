"""The screening engine step by step: consent, answers saved at once, skip, back, misses,
resume, completion with coded results and urgent flags."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Participant
from api.handoff.models import Handoff
from api.screening import service
from api.screening.models import Consent, ScreeningAnswer
from api.screening.scoring import POSITIVE


def _participant(db: Session, org, language: str = "en") -> tuple[Participant, Conversation]:  # type: ignore[no-untyped-def]
    participant = Participant(org_id=org.id, language=language)
    db.add(participant)
    db.flush()
    conversation = Conversation(participant_id=participant.id, channel="sms")
    db.add(conversation)
    db.flush()
    return participant, conversation


def _reply(db, session, participant, text, intent=None):  # type: ignore[no-untyped-def]
    return service.reply(session, participant, text, intent, channel="sms", db_session=db)


def _consent(db, participant) -> service.Outcome:  # type: ignore[no-untyped-def]
    session, _ = service.start(participant, None, db_session=db)
    assert service.current_step(session, participant, db_session=db).kind == "consent"
    return _reply(db, session, participant, "yes", "affirm")


def test_consent_is_asked_first_and_recorded_per_purpose(db: Session, org) -> None:
    participant, _ = _participant(db, org, "es")
    _consent(db, participant)
    rows = db.scalars(select(Consent).where(Consent.participant_id == participant.id)).all()
    assert {(r.purpose, r.granted, r.language, r.text_version) for r in rows} == {
        ("texting", True, "es", service.CONSENT_VERSION),
        ("share_case_manager", True, "es", service.CONSENT_VERSION),
    }
    session, resumed = service.start(participant, None, db_session=db)
    assert resumed
    step = service.current_step(session, participant, db_session=db)
    assert (step.kind, step.number, step.question and step.question.id) == (
        "question",
        1,
        "living_situation",
    )


def test_refusing_consent_stops_without_saving_anything(db: Session, org) -> None:
    participant, _ = _participant(db, org)
    session, _ = service.start(participant, None, db_session=db)
    outcome = _reply(db, session, participant, "no", "deny")
    assert outcome.done and outcome.say[0].response == "utter_consent_declined"
    assert session.status == "stopped"
    assert db.scalars(select(ScreeningAnswer)).all() == []


def test_answers_are_saved_at_once_and_skip_back_and_misses_work(db: Session, org) -> None:
    participant, _ = _participant(db, org)
    _consent(db, participant)
    session, _ = service.start(participant, None, db_session=db)
    _reply(db, session, participant, "1")  # living situation: steady
    saved = db.scalars(select(ScreeningAnswer)).all()
    assert [(a.question_id, a.option_ids) for a in saved] == [("living_situation", ["steady"])]
    # go back and change it
    _reply(db, session, participant, "wait go back", "go_back")
    assert service.current_step(session, participant, db_session=db).number == 1
    _reply(db, session, participant, "2")
    answer = db.scalar(
        select(ScreeningAnswer).where(ScreeningAnswer.question_id == "living_situation")
    )
    assert answer is not None and answer.option_ids == ["worried"]
    # skip records asked-but-declined
    _reply(db, session, participant, "rather not say", "skip")
    skipped = db.scalar(
        select(ScreeningAnswer).where(ScreeningAnswer.question_id == "housing_problems")
    )
    assert skipped is not None and skipped.declined and skipped.option_ids == []
    # nonsense: re-ask once, then offer skip or a person; the question stays
    first = _reply(db, session, participant, "banana", "out_of_scope")
    second = _reply(db, session, participant, "banana again", "out_of_scope")
    assert [s.response for s in first.say] == ["utter_screening_invalid"]
    assert [s.response for s in second.say] == ["utter_screening_offer_help"]
    assert service.current_step(session, participant, db_session=db).question.id == "food_worry"  # type: ignore[union-attr]
    # a very long answer is stored truncated
    _reply(db, session, participant, "1" + " " * 500)
    long_one = db.scalar(select(ScreeningAnswer).where(ScreeningAnswer.question_id == "food_worry"))
    assert long_one is not None and long_one.option_ids == ["often"]
    assert len(long_one.raw_text) == 200


def test_back_on_the_first_question_says_so(db: Session, org) -> None:
    participant, _ = _participant(db, org)
    _consent(db, participant)
    session, _ = service.start(participant, None, db_session=db)
    outcome = _reply(db, session, participant, "back", "go_back")
    assert [s.response for s in outcome.say] == ["utter_screening_first_question"]


def test_full_screening_gives_coded_results_and_urgent_flags(db: Session, org) -> None:
    participant, conversation = _participant(db, org)
    _consent(db, participant)
    session, _ = service.start(participant, conversation, db_session=db)
    picks = {
        "living_situation": "3",
        "food_worry": "2",
        "safety_hurt": "5",
        "safety_insult": "4",
        "safety_threaten": "1",
        "safety_scream": "2",
    }
    while (step := service.current_step(session, participant, db_session=db)).kind == "question":
        assert step.question is not None
        text = picks.get(step.question.id, str(len(step.question.options)))
        outcome = _reply(db, session, participant, text)
    # the last answer brings the summary; with needs found, the partner question comes next
    assert [s.response for s in outcome.say] == ["utter_screening_summary"]
    assert set(outcome.say[0].args["domains"].split(",")) >= {"housing", "food", "safety"}
    assert service.current_step(session, participant, db_session=db).kind == "partner_consent"
    assert not outcome.done
    unclear = _reply(db, session, participant, "hmm")
    assert [s.response for s in unclear.say] == ["utter_screening_invalid"]
    outcome = _reply(db, session, participant, "1")
    assert outcome.done and [s.response for s in outcome.say] == ["utter_partner_consent_given"]
    assert service.current_consents(participant, db_session=db)["share_partner"] is True
    results, urgent = service.complete(session, participant, conversation, db_session=db)
    statuses = {r.domain: r.status for r in results}
    assert statuses["housing"] == POSITIVE and statuses["food"] == POSITIVE
    assert statuses["safety"] == POSITIVE  # 5 + 4 + 1 + 2 = 12
    # utilities is answered with its last option, "already shut off": urgent in the file too
    assert set(urgent) == {"homeless", "safety", "utilities_shut_off"}
    handoff = db.scalars(select(Handoff)).one()
    assert handoff.urgent and {"screening", "homeless", "safety"} <= set(handoff.reasons)
    coded = handoff.summary["screening"]
    living = next(a for a in coded["answers"] if a["question_id"] == "living_situation")
    assert living["loinc"] == "71802-3"
    assert living["answers"] == [
        {
            "option_id": "not_steady",
            "loinc": "LA31995-6",
            "display": "I do not have a steady place to live (I am temporarily staying with "
            "others, in a hotel, in a shelter, living outside on the street, on a beach, in a "
            "car, abandoned building, bus or train station, or in a park)",
        }
    ]
    safety = next(d for d in coded["domains"] if d["domain"] == "safety")
    assert (safety["status"], safety["score"], safety["loinc"]) == ("positive", 12, "95614-4")
    assert {i["id"] for i in coded["instruments"]} == {"ahc-hrsn-core", "workforce-supplemental"}
    assert handoff.summary["consents"] == {
        "texting": True,
        "share_case_manager": True,
        "share_partner": True,
    }


def test_one_participant_cannot_touch_anothers_screening(db: Session, org) -> None:
    alice, _ = _participant(db, org)
    bob, _ = _participant(db, org)
    _consent(db, alice)
    _consent(db, bob)
    alice_session, _ = service.start(alice, None, db_session=db)
    bob_session, _ = service.start(bob, None, db_session=db)
    assert alice_session.id != bob_session.id
    _reply(db, alice_session, alice, "3")
    assert service.current_step(bob_session, bob, db_session=db).number == 1


def test_withdrawing_consent_withholds_answers_from_staff(db: Session, org) -> None:
    participant, conversation = _participant(db, org)
    from api.handoff import service as handoffs

    handoffs.flag(
        participant,
        conversation,
        "screening",
        db_session=db,
        details={"screening": {"answers": ["x"]}},
    )
    service.withdraw_consent(participant, "sms", db_session=db)
    handoff = db.scalars(select(Handoff)).one()
    assert "answers" not in str(handoff.summary) and "consent_withdrawn" in handoff.reasons
    assert service.current_consents(participant, db_session=db)["share_case_manager"] is False


def test_a_program_chooses_its_modules_in_configuration(
    db: Session,
    org,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from api.config import get_settings

    monkeypatch.setenv("SCREENING_MODULES", '["ahc-hrsn-core"]')
    get_settings.cache_clear()
    try:
        participant, _ = _participant(db, org)
        _consent(db, participant)
        session, _ = service.start(participant, None, db_session=db)
        assert session.modules == ["ahc-hrsn-core"]
        step = service.current_step(session, participant, db_session=db)
        assert step.total == 10  # the AHC HRSN core alone
    finally:
        get_settings.cache_clear()


def test_an_unknown_module_is_refused_clearly(db: Session, org, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from api.config import get_settings
    from api.screening.instrument import InstrumentError

    monkeypatch.setenv("SCREENING_MODULES", '["no-such-module"]')
    get_settings.cache_clear()
    try:
        participant, _ = _participant(db, org)
        with pytest.raises(InstrumentError, match="no-such-module"):
            service.start(participant, None, db_session=db)
    finally:
        get_settings.cache_clear()
