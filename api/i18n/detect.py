"""Language detection for a participant's first message (lingua, bundled models, offline)."""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from api.i18n.locales import SUPPORTED_LOCALES

# Below this confidence we don't guess: the participant gets the language menu.
MIN_CONFIDENCE = 0.5
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_VI_MARKS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


@lru_cache
def _detector() -> LanguageDetector:
    languages = [getattr(Language, loc.lingua) for loc in SUPPORTED_LOCALES.values()]
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


def _tag(language: Language) -> str | None:
    for loc in SUPPORTED_LOCALES.values():
        if loc.lingua == language.name:
            return loc.tag
    return None


def detect(text: str) -> tuple[str | None, float]:
    """(tag, confidence): the script decides where it can, lingua where it must."""
    text = text.strip()
    letters = sum(ch.isalpha() for ch in text)
    if letters == 0:
        return None, 0.0
    if _HAN.search(text):
        return "zh", 1.0
    if _ARABIC.search(text):
        return "ar", 1.0
    if _VI_MARKS.search(text):
        return "vi", 0.95
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return None, 0.0
    best = values[0]
    return _tag(best.language), float(best.value)
