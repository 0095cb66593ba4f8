"""Issue 7, Safety: urgent needs are flagged in the turn they are answered, not at the end;
which answers are urgent, and which areas are sensitive, is read from the instrument files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.screening import ActionScreeningComplete
from api.config import ROOT
from api.i18n.catalog import render
from api.screening import instrument, service
from api.screening.instrument import InstrumentError
from api.screening.messages import summary
from tests.support.screening import (
    answer_until,
    consented,
    domain_of,
    edited_instruments,  # noqa: F401  (a fixture)
    handoff,
    option_of,
    reply,
    tracker,
)

CALM = {"housing_problems": "8", "food_worry": "3", "food_ran_out": "3", "utilities": "2"}
CORE_FILE = "ahc_hrsn_core.yml"


def _responses(outcome: service.Outcome) -> list[str]:
    return [s.response for s in outcome.say]


# --- item 1: flagged when answered ---------------------------------------------------------
def test_no_steady_place_to_live_is_flagged_in_the_same_turn(db: Session, org: Any) -> None:
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    assert handoff(db, person) is None
    reply(db, session, person, "3")  # question 1: "I don't have a steady place to live"
    flagged = handoff(db, person)
    assert flagged is not None, "no handoff after the answer: the flag waited for the end"
    assert flagged.urgent and "homeless" in flagged.reasons
    assert flagged.org_id == org.id
    # the answers so far go with it, for the case manager
    answers = flagged.summary["screening"]["answers"]
    assert [a["question_id"] for a in answers] == ["living_situation"]
    assert session.status == "active"  # the participant may stop here: the flag is up anyway


def test_hits_total_flags_and_gives_the_hotline_when_the_fourth_answer_is_in(
    db: Session, org: Any
) -> None:
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    answer_until(db, session, person, "safety_hurt", CALM)
    # sometimes (3), fairly often (4), rarely (2): no single answer is urgent
    for text in ("3", "4", "2"):
        outcome = reply(db, session, person, text)
        assert "utter_safety" not in _responses(outcome)
    before = handoff(db, person)
    assert before is None or "safety" not in before.reasons
    outcome = reply(db, session, person, "2")  # rarely (2): the total is 11
    assert "utter_safety" in _responses(outcome), "the hotline must come in this turn"
    flagged = handoff(db, person)
    assert flagged is not None and flagged.urgent and "safety" in flagged.reasons


def test_an_urgent_hits_answer_flags_at_once_and_the_hotline_comes_once(
    db: Session, org: Any
) -> None:
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    answer_until(db, session, person, "safety_hurt", CALM)
    outcome = reply(db, session, person, "5")  # physically hurt: frequently
    assert _responses(outcome) == ["utter_safety"]
    flagged = handoff(db, person)
    assert flagged is not None and flagged.urgent and "safety" in flagged.reasons
    # later answers (the total reaches 11 too) don't repeat it
    for text in ("1", "5", "1"):
        assert "utter_safety" not in _responses(reply(db, session, person, text))


def test_the_hotline_is_not_said_again_when_the_screening_completes(
    db: Session, org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.config import get_settings

    monkeypatch.setenv("SCREENING_MODULES", '["ahc-hrsn-core"]')
    get_settings.cache_clear()
    try:
        person, conversation = consented(db, org)
        session, _ = service.start(person, conversation, db_session=db)
        answer_until(db, session, person, "safety_hurt", CALM)
        assert _responses(reply(db, session, person, "5")) == ["utter_safety"]
        for text in ("1", "1", "1"):
            reply(db, session, person, text)
        reply(db, session, person, "yes", intent="affirm")  # the partner agency question
        assert service.current_step(session, person, db_session=db).kind == "done"
        db.flush()
        dispatcher = CollectingDispatcher()
        ActionScreeningComplete().run(
            dispatcher, tracker(conversation.id, "yes", intent="affirm"), {}
        )
        assert [m.get("response") for m in dispatcher.messages] == []
        flagged = handoff(db, person)
        assert flagged is not None and {"screening", "safety"} <= set(flagged.reasons)
    finally:
        get_settings.cache_clear()


# --- item 2: urgent and sensitive come from the instrument files -------------------------------
def test_which_answers_are_urgent_is_read_from_the_instrument_file(
    db: Session,
    org: Any,
    edited_instruments,  # noqa: F811
) -> None:
    def worried_is_urgent(data: dict[str, Any]) -> None:
        option_of(data, "living_situation", "worried")["urgent"] = True
        option_of(data, "living_situation", "not_steady").pop("urgent")

    edited_instruments(CORE_FILE, worried_is_urgent)
    worried, conversation = consented(db, org)
    session, _ = service.start(worried, conversation, db_session=db)
    reply(db, session, worried, "2")  # "Have a place now, worried I'll lose it"
    flagged = handoff(db, worried)
    assert flagged is not None and flagged.urgent and "homeless" in flagged.reasons

    not_steady, conversation = consented(db, org)
    session, _ = service.start(not_steady, conversation, db_session=db)
    reply(db, session, not_steady, "3")
    assert handoff(db, not_steady) is None  # no longer urgent in this program's file


def test_the_hotline_and_flag_of_a_domain_are_read_from_the_instrument_file(
    db: Session,
    org: Any,
    edited_instruments,  # noqa: F811
) -> None:
    def food_is_urgent(data: dict[str, Any]) -> None:
        food = domain_of(data, "food")
        food.update({"urgent": True, "flag": "safety", "resources": "utter_safety"})

    edited_instruments(CORE_FILE, food_is_urgent)
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    answer_until(db, session, person, "food_worry", {"housing_problems": "8"})
    outcome = reply(db, session, person, "1")  # often worried about food: positive
    assert _responses(outcome) == ["utter_safety"]
    flagged = handoff(db, person)
    assert flagged is not None and flagged.urgent and "safety" in flagged.reasons


def test_sensitive_areas_are_read_from_the_instrument_file(edited_instruments) -> None:  # noqa: F811
    assert instrument.sensitive_domains() == {"safety", "mental_health", "substance_use"}
    edited_instruments(CORE_FILE, lambda data: domain_of(data, "food").update(sensitive=True))
    text = summary({"domains": "housing,food"}, "en").text
    assert "food" not in text.lower()
    assert render("utter_screening_summary_private", "en").text in text


def test_an_urgent_answer_must_name_the_flag_it_raises(edited_instruments) -> None:  # noqa: F811
    edited_instruments(CORE_FILE, lambda data: domain_of(data, "housing").pop("flag", None))
    with pytest.raises(InstrumentError, match="housing.*flag"):
        instrument.modules()


def test_no_urgent_or_sensitive_ids_are_written_in_code() -> None:
    code = [ROOT / "actions" / "screening.py", *sorted((ROOT / "api" / "screening").glob("*.py"))]
    for path in code:
        source = Path(path).read_text(encoding="utf-8")
        # the vocabulary of domain names is not a rule about them
        source = re.sub(r"DOMAINS = \(.*?\)", "", source, flags=re.S)
        for pattern in (r"not_steady", r"SENSITIVE_DOMAINS", r"[\"']safety[\"']", r"homeless"):
            assert not re.search(pattern, source), f"{path.name} names {pattern}"


def test_the_resources_an_instrument_names_are_catalog_texts() -> None:
    from api.i18n.texts import TEMPLATES

    rules = [rule for m in instrument.modules().values() for rule in m.domains]
    named = {rule.resources for rule in rules if rule.resources}
    assert named == {"utter_safety"}
    assert named <= set(TEMPLATES)
    flags = {rule.flag for rule in rules if rule.flag}
    assert flags == {"homeless", "safety", "utilities_shut_off"}
