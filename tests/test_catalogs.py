"""Every participant-facing word is translated, fresh, and within its SMS budget."""

from __future__ import annotations

import logging
import re

import pytest

from api.channels import keywords
from api.config import get_settings
from api.i18n import budget, workflow
from api.i18n.catalog import MissingArgumentError, placeholders, render, translate
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


# --- a fill-in argument missing from a render is an error in tests (issue 7) ----------------
@pytest.mark.parametrize("language", sorted(SUPPORTED_LOCALES))
def test_missing_argument_is_an_error_in_tests(language: str) -> None:
    assert get_settings().env == "test"
    with pytest.raises(MissingArgumentError, match="program"):
        render("utter_greet", language)
    with pytest.raises(MissingArgumentError, match="contact"):
        render("sms.help", language, {"program": "Workforce Connect"})


def test_missing_argument_in_production_renders_empty_and_logs_only_names(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(get_settings(), "env", "production")
    with caplog.at_level(logging.WARNING, logger="api.i18n.catalog"):
        text = render("sms.help", "es", {"program": "Workforce Connect"}).text
    assert "Workforce Connect" in text and "{contact}" not in text
    assert "sms.help" in caplog.text and "contact" in caplog.text
    assert "Workforce Connect" not in caplog.text  # names only, never values


def test_every_template_renders_with_its_sample_arguments_strictly() -> None:
    for key, template in TEMPLATES.items():
        for language in SUPPORTED_LOCALES:
            render(key, language, template.sample_args())  # raises on a missing argument


# --- no text tells people to send a carrier keyword for something else (issue 7) -----------
# Carriers act on these words whatever we meant: "Reply START to begin" re-subscribes. The
# localized ones are whatever api/channels/keywords.py answers.
CARRIER_WORDS = {
    "START": "start", "UNSTOP": "start", "HELP": "help", "STOP": "stop", "CANCEL": "stop",
    "END": "stop", "QUIT": "stop", "UNSUBSCRIBE": "stop",
}  # fmt: skip
# Where a keyword is named for what the carrier does with it (the texts for STOP/START/HELP).
KEYWORD_PURPOSES = {
    "sms.stop": {"start"},  # reply START to resubscribe
    "sms.start": {"help", "stop"},  # HELP for help, STOP to stop
    "sms.help": {"stop"},  # reply STOP to opt out
    "utter_privacy": {"stop"},  # reply STOP to stop texts
    "utter_opt_out": {"start"},  # reply START to come back
}
# A keyword sent to another service's number is that service's own (988, the DV hotline).
OTHER_NUMBERS = re.compile(r"988|88788")
QUOTES = "\"'“”「」『』«»"


def _carrier_keyword(word: str) -> str | None:
    return keywords.keyword_of(word) or CARRIER_WORDS.get(word.upper())


def carrier_keywords_in(text: str) -> list[tuple[str, str]]:
    """(keyword, what the carrier does with it) for each keyword written as one (in capitals)
    in the text, except those sent to another service's number."""
    found = []
    words = list(re.finditer(r"[A-Za-z]+", text))
    for i, match in enumerate(words):
        candidates = [match.group()]
        if i + 1 < len(words) and text[match.end() : words[i + 1].start()] == " ":
            candidates.append(f"{match.group()} {words[i + 1].group()}")  # YES START
        for word in candidates:
            if not word.isupper() or len(word) < 2:
                continue
            purpose = _carrier_keyword(word)
            if purpose is None:
                continue
            after = text[match.end() : match.end() + 15]
            before = text[max(0, match.start() - 15) : match.start()]
            if OTHER_NUMBERS.search(after) or OTHER_NUMBERS.search(before):
                continue
            found.append((word, purpose))
    # localized keywords in scripts without capitals count when quoted as a word to send
    for word in keywords.OPT_OUT | keywords.OPT_IN | keywords.HELP:
        if not re.search(r"[a-z]", word) and re.search(
            f"[{QUOTES}]{re.escape(word)}[{QUOTES}]", text
        ):
            found.append((word, keywords.keyword_of(word) or "?"))
    return found


def test_carrier_keyword_finder_catches_and_allows_the_right_things() -> None:
    assert carrier_keywords_in("Reply START to begin.") == [("START", "start")]
    assert carrier_keywords_in("Envíe CANCEL para cancelar la cita") == [("CANCEL", "stop")]
    assert carrier_keywords_in("أرسل START إلى 88788") == []
    assert carrier_keywords_in("envíe AYUDA al 988") == []
    assert carrier_keywords_in("Say SKIP to skip. Stop sharing my answers") == []
    assert ("STOP", "stop") in carrier_keywords_in("HELP للمساعدة وSTOP للإيقاف")


def test_carrier_keyword_finder_follows_the_localized_keywords(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # whatever api/channels/keywords.py answers is checked too, in any script
    monkeypatch.setattr(keywords, "HELP", {*keywords.HELP, "ayuda", "帮助"})
    assert carrier_keywords_in("Responda AYUDA para ver cómo") == [("AYUDA", "help")]
    assert carrier_keywords_in("回复“帮助”了解用法") == [("帮助", "help")]
    assert carrier_keywords_in("我们会帮助您") == []  # the word in a sentence is not a keyword


def test_no_text_asks_to_send_a_carrier_keyword_for_something_else() -> None:
    wrong = []
    for key in TEMPLATES:
        for language in SUPPORTED_LOCALES:
            for word, purpose in carrier_keywords_in(budget.sms_text(key, language)):
                if purpose not in KEYWORD_PURPOSES.get(key, set()):
                    wrong.append((language, key, word))
    assert wrong == []


def test_negotiation_uses_query_then_accept_language() -> None:
    assert negotiate("fr-FR,fr;q=0.9", "ar") == "ar"
    assert negotiate("vi-VN,vi;q=0.9,en;q=0.5") == "vi"
    assert negotiate("zh-CN,zh;q=0.9") == "zh"
    assert negotiate("de-DE,fr;q=0.8") is None
    assert negotiate(None) is None
    assert normalize_tag("ZH_hans") == "zh"


def test_arabic_is_marked_right_to_left() -> None:
    assert [tag for tag, loc in SUPPORTED_LOCALES.items() if loc.rtl] == ["ar"]
