"""Language detection on short texts, and the language menu when unsure."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from api.i18n.detect import detect
from tests import factories as f


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hi", "en"),
        ("hello", "en"),
        ("i need help with rent", "en"),
        ("hola", "es"),
        ("necesito un job", "es"),
        ("我需要帮助", "zh"),
        ("tôi cần việc làm", "vi"),
        ("toi can giup do", "vi"),
        ("مرحبا", "ar"),
        ("mar7aba", "ar"),
        ("ana 3ayez shoghl", "ar"),
    ],
)
def test_short_texts_are_detected(text: str, language: str) -> None:
    found = detect(text)
    assert (found.tag, found.sure) == (language, True)


@pytest.mark.parametrize(
    "text", ["bonjour, j'ai besoin d'aide", "hallo ich brauche hilfe", "👍", "12"]
)
def test_unsupported_or_wordless_is_not_guessed(text: str) -> None:
    assert detect(text).sure is False


def test_unsupported_language_gets_the_menu_and_a_number_picks_one(client, db: Session) -> None:
    sender = f.phone()
    f.post_sms(client, f.sms_params(sender, "bonjour, j'ai besoin d'aide"))
    [menu] = f.outbound(db)
    assert menu.body.splitlines()[1:6] == [
        "1 English",
        "2 Español",
        "3 中文",
        "4 Tiếng Việt",
        "5 العربية",
    ]
    [participant] = f.participants(db)
    assert participant.language is None
    f.post_sms(client, f.sms_params(sender, "2"))
    db.refresh(participant)
    assert participant.language == "es"
    # the engine is down in unit tests: the apology already comes in the chosen language
    assert f.outbound(db)[-1].body == f.sms_text("error.trouble", "es")
