"""The crisis safety net: every language's examples, and the idioms that must not trigger."""

from __future__ import annotations

import pytest
import yaml

from api.config import ROOT
from api.i18n import nlu_data
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


# The training data (data/nlu/<lang>/, never the held-out data/nlu_eval/): the net must raise
# no false crisis on any non-crisis message, and keep catching the crisis ones. The floors are
# the net's recall on the crisis examples after issue 12's broadening (en 48 of 51, es 49 of
# 50, zh, vi and ar all), with a little room for new training examples; before it they were
# en 0.80, es 0.86, zh 0.95, vi 0.90, ar 0.97.
# ht, tl, ko: 53 of 54, 52 of 53, 53 of 54 when their patterns were written (the misses,
# "m pral sote" and "ayoko na dito", "여기 있고 싶지 않아요 이제", are left to the NLU: "sote" is
# also our SKIP word, the others also mean leaving a place).
CRISIS_RECALL_FLOORS = {"en": 0.90, "es": 0.95, "zh": 0.95, "vi": 0.95, "ar": 0.95, "ht": 0.95,
                        "tl": 0.95, "ko": 0.95}  # fmt: skip


def _training(language: str) -> list[tuple[str, str]]:
    return nlu_data.examples(ROOT / "data" / "nlu" / language)


@pytest.mark.parametrize("language", sorted(SUPPORTED_LOCALES))
def test_no_false_crisis_on_non_crisis_training_messages(language: str) -> None:
    flagged = [
        (text, intent)
        for text, intent in _training(language)
        if intent != "crisis" and net.detect(text) is not None
    ]
    assert flagged == []


@pytest.mark.parametrize("language", sorted(SUPPORTED_LOCALES))
def test_crisis_training_messages_recall_stays_at_its_floor(language: str) -> None:
    crisis = [text for text, intent in _training(language) if intent == "crisis"]
    assert len(crisis) >= 30
    caught = sum(net.detect(text) is not None for text in crisis)
    assert caught / len(crisis) >= CRISIS_RECALL_FLOORS[language]


def test_self_injury_bleeding_now_is_caught_in_spanish_and_arabizi() -> None:
    assert net.detect("me corté y no para de sangrar") == "es"
    assert net.detect("me estoy desangrando") == "es"
    assert net.detect("2ata3t 2idi w 3am enzef") == "ar"
    assert net.detect("jara7t 7ali w el dam ma 3am yo2af") == "ar"
    assert net.detect("me corté el dedo cocinando pero estoy bien") is None
    assert net.detect("la renta me esta desangrando") is None


def test_vietnamese_better_off_without_me_with_full_diacritics() -> None:
    assert net.detect("Mọi người sẽ sống tốt hơn khi không có tôi") == "vi"
    assert net.detect("Không có tôi thì mọi người sẽ tốt hơn") == "vi"
    assert net.detect("Gia đình sẽ nhẹ nhõm hơn nếu tôi chết đi") == "vi"
    assert net.detect("chung toi se tot hon neu co viec lam") is None


def test_arabizi_death_threat_with_the_door_broken_in() -> None:
    assert net.detect("2al ra7 y2telni w 3am yekser el bab") == "ar"
    assert net.detect("bi2ool hay2telni") == "ar"
    assert net.detect("bykasar el bab w ana lwa7di") == "ar"
    assert net.detect("el shoghl 3am y2telni") is None
    assert net.detect("هالشغل عم يقتلني") is None


def test_vietnamese_suicide_is_told_from_slowly_by_its_marks() -> None:
    assert net.detect("tự tử") == "vi"
    assert net.detect("bạn tôi nói sẽ tự tử") == "vi"
    assert net.detect("anh ấy muốn tự vẫn") == "vi"
    assert net.detect("Từ từ thôi bạn ơi") is None
    assert net.detect("Tôi muốn được tư vấn việc làm") is None
