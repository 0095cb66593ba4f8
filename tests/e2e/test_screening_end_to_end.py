"""A full screening over signed SMS, in English and in Spanish: consent, every question,
a skip, an answer by word, the summary, and the coded results in the staff API."""

from __future__ import annotations

import httpx
import pytest

from api.channels.menus import numbered
from api.i18n.catalog import program_args, render
from api.i18n.sms import clean_for_sms
from api.screening import prompts
from api.screening.instrument import questions_for
from api.screening.messages import summary
from tests import factories as f
from tests.support.handoffs import every_handoff, one_handoff
from tests.support.servers import wait_for

pytestmark = pytest.mark.e2e
QUESTIONS = questions_for(["ahc-hrsn-core", "workforce-supplemental"])


def sms(text: str, buttons: list[dict[str, str]], language: str) -> str:
    return clean_for_sms(numbered(text, buttons, language))


def question_sms(index: int, language: str) -> str:
    rendered = prompts.question(QUESTIONS[index], index + 1, len(QUESTIONS), language)
    return sms(rendered.text, rendered.buttons, language)


def expect_next(stack, phone: str, seen: int, wanted: str) -> int:  # type: ignore[no-untyped-def]
    """Wait until `wanted` arrives after the first `seen` replies; returns the new count."""
    replies = stack.wait_replies(phone, seen + 1)

    def arrived() -> list[str] | None:
        current = stack.replies(phone)
        return current if wanted in current[seen:] else None

    try:
        replies = wait_for(arrived, 30, f"reply {wanted[:40]!r}", interval=0.3)
    except TimeoutError:
        raise AssertionError(f"expected {wanted!r}\n got {stack.replies(phone)[seen:]!r}") from None
    return len(replies)


@pytest.mark.parametrize(
    ("language", "opening", "yes", "skip", "word_answer"),
    [
        ("en", "i need help", "1", "skip", "sometimes"),
        ("es", "necesito ayuda con la renta", "1", "prefiero no contestar", None),
    ],
)
def test_full_screening_over_sms(stack, language, opening, yes, skip, word_answer) -> None:  # type: ignore[no-untyped-def]
    phone = f.phone()
    stack.text(phone, opening)
    consent = render("utter_screening_consent", language, program_args())
    seen = expect_next(stack, phone, 0, sms(consent.text, consent.buttons, language))

    stack.text(phone, yes)
    seen = expect_next(stack, phone, seen, question_sms(0, language))

    picks = {
        "living_situation": "3",
        "food_worry": word_answer or "2",
        "transportation": "1",
        "safety_hurt": "1",
        "safety_insult": "1",
        "safety_threaten": "1",
        "safety_scream": "1",
    }
    for index, question in enumerate(QUESTIONS):
        if question.id == "housing_problems":
            reply = skip
        else:
            reply = picks.get(question.id, str(len(question.options)))
        stack.text(phone, reply)
        if index + 1 < len(QUESTIONS):
            seen = expect_next(stack, phone, seen, question_sms(index + 1, language))

    # the last answer brings the summary, then the question about sharing with a partner
    seen_before_summary = seen
    partner = render("utter_partner_consent", language, program_args())
    seen = expect_next(stack, phone, seen, sms(partner.text, partner.buttons, language))
    stack.text(phone, yes)
    given = render("utter_partner_consent_given", language, program_args()).text
    seen = expect_next(stack, phone, seen, clean_for_sms(given))

    auth = {"Authorization": f"Bearer {stack.api_key}"}
    handoffs = every_handoff(httpx.get, stack.app, auth)
    mine = [
        h
        for h in handoffs
        if h["summary"].get("screening", {}).get("language") == language
        and "homeless" in h["reasons"]
    ]
    assert mine, [
        (h["reasons"], h["summary"].get("screening", {}).get("language")) for h in handoffs
    ]
    detail = one_handoff(httpx.get, stack.app, auth, mine[0]["id"])
    assert detail["urgent"] is True and detail["schema_version"] == "2"
    assert detail["summary"]["consents"] == {
        "texting": True,
        "share_case_manager": True,
        "share_partner": True,
    }
    coded = detail["summary"]["screening"]
    answers = {a["question_id"]: a for a in coded["answers"]}
    assert len(answers) == len(QUESTIONS)
    assert answers["living_situation"]["answers"][0]["loinc"] == "LA31995-6"
    assert answers["housing_problems"]["declined"] is True
    assert answers["food_worry"]["answers"][0]["option_id"] == "sometimes"
    domains = {d["domain"]: d for d in coded["domains"]}
    for name in ("housing", "food", "transportation"):
        assert domains[name]["status"] == "positive"
    assert (domains["safety"]["status"], domains["safety"]["score"]) == ("negative", 4)

    positive = [d for d, r in domains.items() if r["status"] == "positive"]
    wanted = clean_for_sms(summary({"domains": ",".join(positive)}, language).text)
    after = stack.replies(phone)[seen_before_summary:]
    assert wanted in after
    for name in ("housing", "food", "transportation"):
        assert clean_for_sms(render(f"domain.{name}", language).text) in wanted
    # sensitive answers are never echoed back by SMS
    assert all("safety" not in r.lower() for r in after)
