"""The crisis safety net: every language's examples, and the idioms that must not trigger."""

from __future__ import annotations

import pytest
import yaml

from api.i18n.locales import SUPPORTED_LOCALES
from api.safety import net


def _examples(language: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((net.SAFETY_DIR / f"{language}.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", sorted(SUPPORTED_LOCALES))
def test_every_supported_language_has_patterns(language: str) -> None:
    data = _examples(language)
    assert len(data["patterns"]) >= 10
    assert len(data["should_match"]) >= 8 and len(data["should_not_match"]) >= 8


@pytest.mark.parametrize("language", sorted(SUPPORTED_LOCALES))
def test_crisis_messages_match(language: str) -> None:
    missed = [m for m in _examples(language)["should_match"] if net.detect(m) is None]
    assert missed == []


@pytest.mark.parametrize("language", sorted(SUPPORTED_LOCALES))
def test_ordinary_need_talk_and_idioms_do_not_match(language: str) -> None:
    wrong = [m for m in _examples(language)["should_not_match"] if net.detect(m) is not None]
    assert wrong == []


def test_normalisation_folds_accents_case_and_tashkeel() -> None:
    assert net.normalize("Quiero MORIRME ya") == "quiero morirme ya"
    assert net.normalize("Tôi muốn chết") == "toi muon chet"
    assert net.normalize("أُرِيدُ") == "اريد"


def test_an_idiom_cancels_only_its_own_match() -> None:
    assert net.detect("me muero de hambre") is None
    assert net.detect("me muero de hambre y ya no quiero vivir") == "es"
    assert net.detect("饿死了") is None
    assert net.detect("饿死了，我也想自杀") == "zh"
