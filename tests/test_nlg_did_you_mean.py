"""Two-stage fallback (api/nlg/did_you_mean.py): an unsure NLU asks "Did you mean ...?"."""

from __future__ import annotations

from typing import Any

import pytest

from api.channels import menus
from api.i18n.catalog import render
from api.i18n.locales import SUPPORTED_LOCALES
from api.nlg import did_you_mean


def _fallback(ranking: list[tuple[str, float]], language: str = "en") -> dict[str, Any]:
    """The tracker Rasa sends with `utter_default` after FallbackClassifier (threshold 0.3)."""
    return {
        "sender_id": "abc",
        "slots": {"language": language},
        "latest_message": {
            "text": "whatever they wrote",
            "intent": {"name": "nlu_fallback", "confidence": 0.3},
            "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3}]
            + [{"name": n, "confidence": c} for n, c in ranking],
        },
    }


def _nlg(client: Any, tracker: dict[str, Any]) -> Any:
    body = {"response": "utter_default", "arguments": {}, "tracker": tracker, "channel": {}}
    response = client.post("/nlg", json=body)
    assert response.status_code == 200
    return response.json()


def test_an_unsure_guess_is_asked_back_with_yes_sending_it_and_no_the_fallback(client) -> None:
    reply = _nlg(client, _fallback([("need_food", 0.22), ("need_housing", 0.12)], "vi"))
    assert reply["text"] == render("did_you_mean.need_food", "vi").text
    assert reply["text"] != render("utter_default", "vi").text
    assert [b["payload"] for b in reply["buttons"]] == ["/need_food", "/nlu_fallback"]
    # the participant answers "1" or "Yes": the SMS menu resolves it to the intent's payload
    assert menus.resolve("1", reply["buttons"]) == "/need_food"
    assert menus.resolve("2", reply["buttons"]) == "/nlu_fallback"


def test_no_sends_nlu_fallback_whose_ranking_holds_nothing_else_so_the_plain_reply(client) -> None:
    tracker = _fallback([])  # what Rasa holds after the "/nlu_fallback" payload
    assert _nlg(client, tracker)["text"] == render("utter_default", "en").text


@pytest.mark.parametrize(
    "ranking",
    [
        [("crisis", 0.25)],  # never asked back: the net and the confident classifier handle it
        [("opt_out", 0.25)],
        [("need_safety", 0.25)],
        [("affirm", 0.25)],
        [("need_food", did_you_mean.MIN_CONFIDENCE / 2)],  # too unsure to be worth a question
        [("crisis", 0.2), ("need_food", 0.19)],  # the best guess only, never a second one
    ],
)
def test_no_question_for_intents_we_never_confirm_or_a_guess_too_weak(
    client, ranking: list[tuple[str, float]]
) -> None:
    assert _nlg(client, _fallback(ranking))["text"] == render("utter_default", "en").text


def test_a_sure_intent_is_not_asked_back(client) -> None:
    tracker = _fallback([("need_food", 0.9)])
    tracker["latest_message"]["intent"] = {"name": "need_food", "confidence": 0.9}
    assert did_you_mean.suggestion(tracker) is None


@pytest.mark.parametrize("language", sorted(SUPPORTED_LOCALES))
def test_every_question_is_translated_and_its_buttons_too(language: str) -> None:
    for key in did_you_mean.SUGGESTIONS.values():
        rendered = render(key, language)
        assert rendered.language == language
        if language != "en":
            assert rendered.text != render(key, "en").text
        assert [b["title"] for b in rendered.buttons] == [
            render("button.yes", language).text,
            render("button.no", language).text,
        ]


def test_every_suggested_intent_is_an_intent_of_the_domain() -> None:
    import yaml

    from api.config import ROOT

    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    assert set(did_you_mean.SUGGESTIONS) <= set(domain["intents"])
