"""Issue 7, Exactly once, through the real engine and action server: an old web chat button
(a question's, or the greeting's Yes at the consent question) is ignored and the current
step asked again; the engine's retry of a message whose actions already ran (same
metadata.message_id) does not answer the next question."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.i18n.catalog import program_args, render
from api.screening import prompts
from api.screening.instrument import questions_for
from tests.support.screening import payload_args

pytestmark = pytest.mark.e2e
QUESTIONS = questions_for(["ahc-hrsn-core", "workforce-supplemental"])


def _question(index: int) -> str:
    return prompts.question(QUESTIONS[index], index + 1, len(QUESTIONS), "en").text


def _web(stack: Any, conversation_id: str | None, text: str) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text, "language": "en"}
    if conversation_id:
        body["conversation_id"] = conversation_id
    response = httpx.post(f"{stack.app}/channels/web/messages", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _engine(stack: Any, conversation_id: str, text: str, message_id: int) -> list[str]:
    """What the app does on a retry: the same message, with the same id, to the engine."""
    response = httpx.post(
        f"http://127.0.0.1:{stack.rasa_proxy.port}/webhooks/rest/webhook",
        json={
            "sender": conversation_id,
            "message": text,
            "metadata": {"channel": "web", "language": "en", "message_id": message_id},
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return [m.get("text", "") for m in response.json()]


def test_old_buttons_and_engine_retries_change_nothing(stack) -> None:  # type: ignore[no-untyped-def]
    greeting = _web(stack, None, "hello")
    conversation_id = greeting["conversation_id"]
    greeting_yes = greeting["messages"][-1]["buttons"][0]["payload"]
    consent = _web(stack, conversation_id, greeting_yes)["messages"][-1]
    assert consent["text"] == render("utter_screening_consent", "en", program_args()).text
    # the greeting's Yes tapped again is not a yes to the consent question: it is asked again
    again = _web(stack, conversation_id, greeting_yes)
    assert [m["text"] for m in again["messages"]] == [consent["text"]], stack.logs()
    consented = _web(stack, conversation_id, consent["buttons"][0]["payload"])
    first = consented["messages"][-1]
    assert first["text"] == _question(0), consented
    old_buttons = first["buttons"]
    assert payload_args(old_buttons[0]["payload"])["question"] == "living_situation"

    second = _web(stack, conversation_id, old_buttons[1]["payload"])  # "worried"
    assert second["messages"][-1]["text"] == _question(1)
    # an old button of question 1: ignored, question 2 is asked again
    tapped = _web(stack, conversation_id, old_buttons[0]["payload"])
    assert [m["text"] for m in tapped["messages"]] == [_question(1)], stack.logs()

    # the engine's retry of one message: the first attempt answers question 2 ...
    legacy = '/screening_answer{"answer":"1"}'  # a payload that names no question
    attempt = _engine(stack, conversation_id, legacy, message_id=9_000_001)
    assert attempt[-1] == _question(2)
    # ... and the retry says the same, without answering question 3
    retry = _engine(stack, conversation_id, legacy, message_id=9_000_001)
    assert retry == attempt, "the retry answered the next question"
