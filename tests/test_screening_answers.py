"""Understanding answers: numbers, pick-all lists, option words in any language."""

from __future__ import annotations

from api.screening.answers import parse
from api.screening.instrument import questions_for

QUESTIONS = {q.id: q for q in questions_for(["ahc-hrsn-core", "workforce-supplemental"])}


def test_numbers_pick_options() -> None:
    food = QUESTIONS["food_worry"]
    assert parse(food, "2", "en") == ("sometimes",)
    assert parse(food, "1", "en") == ("often",)
    assert parse(food, "9", "en") is None  # out of range
    assert parse(food, "1,2", "en") is None  # one answer only


def test_pick_all_that_apply() -> None:
    housing = QUESTIONS["housing_problems"]
    assert parse(housing, "1,3", "en") == ("pests", "lead")
    assert parse(housing, "1 y 3", "es") == ("pests", "lead")
    assert parse(housing, "2, 2", "en") == ("mold",)
    assert parse(housing, "1、3", "zh") == ("pests", "lead")
    assert parse(housing, "١،٣", "ar") == ("pests", "lead")  # Arabic-Indic digits and comma
    none = str(len(housing.options))
    assert parse(housing, none, "en") == ("none",)
    assert parse(housing, f"1,{none}", "en") is None  # "none of the above" excludes the rest


def test_option_words_in_english_and_the_participants_language() -> None:
    food = QUESTIONS["food_worry"]
    assert parse(food, "sometimes", "en") == ("sometimes",)
    assert parse(food, "Never true", "es") == ("never",)
    from api.i18n.catalog import translate

    spanish = translate("screening.food_worry.often", "es")[0]
    assert parse(food, spanish.upper(), "es") == ("often",)


def test_yes_no_questions_take_nlu_affirm_and_deny() -> None:
    ride = QUESTIONS["transportation"]
    ids = [o.id for o in ride.options]
    assert "yes" in ids and "no" in ids
    assert parse(ride, "yeah", "en", intent="affirm") == ("yes",)
    assert parse(ride, "nah", "en", intent="deny") == ("no",)


def test_nonsense_is_not_an_answer() -> None:
    food = QUESTIONS["food_worry"]
    assert parse(food, "what is this", "en") is None
    assert parse(food, "", "en") is None
    assert parse(food, "x" * 5000, "en") is None
