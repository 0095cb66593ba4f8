"""Web chat through the real engine: replies come back in the response."""

from __future__ import annotations

import httpx
import pytest

from api.i18n.catalog import program_args, render

pytestmark = pytest.mark.e2e


def test_web_chat_greeting_and_language_switch(stack) -> None:
    first = httpx.post(
        f"{stack.app}/channels/web/messages", json={"text": "hello", "language": "en"}, timeout=30
    )
    assert first.status_code == 200
    body = first.json()
    greeting = render("utter_greet", "en", program_args())
    assert body["messages"][0]["text"] == greeting.text
    assert [b["payload"] for b in body["messages"][0]["buttons"]] == ["/affirm", "/deny"]

    switched = httpx.post(
        f"{stack.app}/channels/web/messages",
        json={"conversation_id": body["conversation_id"], "text": "can we talk in vietnamese"},
        timeout=30,
    ).json()
    assert switched["messages"][0]["text"] == render("utter_language_set", "vi").text

    # the choice sticks: the next reply comes in Vietnamese
    thanks = httpx.post(
        f"{stack.app}/channels/web/messages",
        json={"conversation_id": body["conversation_id"], "text": "thank you"},
        timeout=30,
    ).json()
    assert thanks["messages"][0]["text"] == render("utter_you_are_welcome", "vi").text


def test_web_chat_bad_input_gets_clear_answers(stack) -> None:
    unknown = httpx.post(
        f"{stack.app}/channels/web/messages",
        json={"conversation_id": "nope", "text": "hi"},
        timeout=30,
    )
    assert unknown.status_code == 404
    empty = httpx.post(f"{stack.app}/channels/web/messages", json={"text": ""}, timeout=30)
    assert empty.status_code == 200
    assert empty.json()["messages"][0]["text"] == render("message.empty", "en").text
    invalid = httpx.post(f"{stack.app}/channels/web/messages", json={"text": 5}, timeout=30)
    assert invalid.status_code == 422
