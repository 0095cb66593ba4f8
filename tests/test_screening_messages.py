"""What the participant reads: questions with progress and options; a kind summary that
never names sensitive areas."""

from __future__ import annotations

import pytest

from api.i18n.catalog import render
from api.i18n.locales import SUPPORTED_LOCALES
from api.screening import prompts
from api.screening.instrument import questions_for
from api.screening.messages import summary

QUESTIONS = questions_for(["ahc-hrsn-core", "workforce-supplemental"])


def test_question_has_progress_options_and_answer_payloads() -> None:
    rendered = prompts.question(QUESTIONS[1], 2, 23, "es")
    assert rendered.text.startswith("(2/23) ")
    assert render("screening.housing_problems", "es").text in rendered.text
    assert render("screening.pick_all", "es").text in rendered.text  # a pick-all question
    assert rendered.buttons[0] == {
        "title": render("screening.housing_problems.pests", "es").text,
        "payload": '/screening_answer{"answer":"1","question":"housing_problems","v":"'
        + QUESTIONS[1].version
        + '"}',
    }


@pytest.mark.parametrize("language", sorted(SUPPORTED_LOCALES))
def test_summary_never_names_sensitive_domains(language: str) -> None:
    text = summary({"domains": "housing,safety,mental_health,substance_use"}, language).text
    assert render("domain.housing", language).text in text
    assert render("utter_screening_summary_private", language).text in text
    for forbidden in ("safety", "mental", "substance", "violence", "alcohol"):
        assert forbidden not in text.lower()


def test_summary_with_only_sensitive_or_no_needs() -> None:
    only_private = summary({"domains": "safety"}, "en").text
    assert only_private == render("utter_screening_summary_private", "en").text
    assert summary({"domains": ""}, "vi").text == render("utter_screening_summary_none", "vi").text


def test_chinese_sentences_join_without_a_space() -> None:
    text = summary({"domains": "food,safety"}, "zh").text
    assert "。 " not in text
