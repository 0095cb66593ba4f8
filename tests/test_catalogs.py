"""Every participant-facing word is translated, fresh, and within its SMS budget."""

from __future__ import annotations

import pytest

from api.i18n import budget, workflow
from api.i18n.catalog import placeholders, render, translate
from api.i18n.locales import SUPPORTED_LOCALES, fallback_chain, negotiate, normalize_tag
from api.i18n.texts import TEMPLATES


def test_catalogs_are_fresh_complete_and_consistent() -> None:
    assert workflow.problems() == []


@pytest.mark.parametrize("language", sorted(SUPPORTED_LOCALES))
def test_every_template_is_translated_in_every_language(language: str) -> None:
    for key, template in TEMPLATES.items():
        text, source = translate(key, language)
        assert source == language, f"{language} falls back for {key}"
        assert placeholders(text) == placeholders(template.text), key


def test_non_english_catalogs_really_differ_from_english() -> None:
    for language in SUPPORTED_LOCALES:
        if language == "en":
            continue
        same = [
            k
            for k in TEMPLATES
            if k.startswith("utter_")
            and k != "utter_language_menu"
            and translate(k, language)[0] == TEMPLATES[k].text
        ]
        assert same == [], f"{language}: copied English for {same}"


def test_every_template_fits_its_sms_budget_in_every_language() -> None:
    over = [(c.language, c.key, c.segments, c.budget) for c in budget.over_budget()]
    assert over == []


def test_fallback_chain_is_participant_then_program_then_english() -> None:
    assert fallback_chain("vi", "es") == ["vi", "es", "en"]
    assert fallback_chain("xx", "es") == ["es", "en"]
    assert fallback_chain(None, "en") == ["en"]
    assert fallback_chain("es-MX", "en") == ["es", "en"]


def test_render_formats_arguments_and_translates_buttons() -> None:
    rendered = render("utter_greet", "es", {"program": "Conexión Laboral"})
    assert "Conexión Laboral" in rendered.text
    assert rendered.language == "es"
    assert [b["payload"] for b in rendered.buttons] == ["/affirm", "/deny"]
    assert rendered.buttons[0]["title"] == translate("button.yes", "es")[0]
    # a missing argument renders empty instead of crashing the turn
    assert "{program}" not in render("utter_greet", "en").text


def test_negotiation_uses_query_then_accept_language() -> None:
    assert negotiate("fr-FR,fr;q=0.9", "ar") == "ar"
    assert negotiate("vi-VN,vi;q=0.9,en;q=0.5") == "vi"
    assert negotiate("zh-CN,zh;q=0.9") == "zh"
    assert negotiate("de-DE,fr;q=0.8") is None
    assert negotiate(None) is None
    assert normalize_tag("ZH_hans") == "zh"


def test_arabic_is_marked_right_to_left() -> None:
    assert [tag for tag, loc in SUPPORTED_LOCALES.items() if loc.rtl] == ["ar"]
