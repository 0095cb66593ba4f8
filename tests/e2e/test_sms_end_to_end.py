"""Signed SMS in, through the real Rasa server and action server, to a reply in the
participant's language at the Twilio simulator, sent by the worker through the outbox."""

from __future__ import annotations

import httpx
import pytest

from api.channels.menus import numbered
from api.i18n.catalog import program_args, render
from api.i18n.sms import clean_for_sms
from tests import factories as f
from tests.support.handoffs import every_handoff

pytestmark = pytest.mark.e2e


def expected(key: str, language: str) -> str:
    rendered = render(key, language, program_args())
    return clean_for_sms(numbered(rendered.text, rendered.buttons, language))


def test_health_is_200_when_every_part_is_up(stack) -> None:
    body = httpx.get(f"{stack.app}/health").json()
    assert body == {
        "status": "ok",
        "checks": {
            "app": True,
            "database": True,
            "rasa": True,
            "action_server": True,
            "worker": True,
        },
    }


@pytest.mark.parametrize(
    ("greeting", "language"),
    [
        ("hi there, good morning", "en"),
        ("hola, buenos días", "es"),
        ("你好", "zh"),
        ("xin chào bạn", "vi"),
        ("مرحبا", "ar"),
        ("bonjou, kijan ou ye", "ht"),
        ("magandang umaga po", "tl"),
        ("안녕하세요", "ko"),
    ],
)
def test_texted_greeting_gets_a_greeting_in_that_language(stack, greeting, language) -> None:
    phone = f.phone()
    stack.text(phone, greeting)
    [reply] = stack.wait_replies(phone, 1)
    assert reply == expected("utter_greet", language)
    # "1" picks the first option of the numbered menu: yes, let's start. Consent comes first.
    stack.text(phone, "1")
    replies = stack.wait_replies(phone, 2)
    assert replies[1] == expected("utter_screening_consent", language)


def test_engine_down_then_back_the_participant_is_never_left_in_silence(stack) -> None:
    phone = f.phone()
    stack.rasa_proxy.up.clear()
    try:
        stack.text(phone, "necesito ayuda con comida para mis hijos")
        [first] = stack.wait_replies(phone, 1)
        assert first == expected("error.trouble", "es")
        health = httpx.get(f"{stack.app}/health")
        assert health.status_code == 503 and health.json()["checks"]["rasa"] is False
    finally:
        stack.rasa_proxy.up.set()
    # the worker retries the stored message once the engine is back: a need starts the
    # screening, which asks for consent first
    replies = stack.wait_replies(phone, 2, timeout=90)
    assert replies[1] == expected("utter_screening_consent", "es")


def test_crisis_in_spanish_gets_resources_and_an_urgent_flag_in_the_same_turn(stack) -> None:
    phone = f.phone()
    stack.text(phone, "ya no quiero vivir, voy a matarme")
    [reply] = stack.wait_replies(phone, 1)
    assert reply == expected("utter_crisis", "es")
    assert "988" in reply
    handoffs = every_handoff(
        httpx.get, stack.app, {"Authorization": f"Bearer {stack.api_key}"}, urgent=True
    )
    assert any(h["urgent"] and "crisis" in h["reasons"] for h in handoffs)


def test_stop_and_help_keywords_end_to_end(stack) -> None:
    phone = f.phone()
    stack.text(phone, "HELP")
    [help_reply] = stack.wait_replies(phone, 1)
    assert "Msg & data rates may apply" in help_reply
    stack.text(phone, "STOP")
    replies = stack.wait_replies(phone, 2)
    assert "START" in replies[1]
