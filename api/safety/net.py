"""Crisis patterns per language (data/safety/<lang>.yml), matched on folded text.

Every inbound message is checked against every language's patterns, whatever the
participant's language: people switch languages in a crisis.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import yaml

from api.config import ROOT

SAFETY_DIR = ROOT / "data" / "safety"
_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def normalize(text: str) -> str:
    """Lower case, accents stripped (NFKD), đ -> d, Arabic tashkeel and tatweel removed."""
    text = unicodedata.normalize("NFKD", text.casefold()).replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _TASHKEEL.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class LanguagePatterns:
    language: str
    patterns: tuple[re.Pattern[str], ...]
    not_crisis: tuple[re.Pattern[str], ...]


@lru_cache
def load() -> tuple[LanguagePatterns, ...]:
    loaded = []
    for path in sorted(SAFETY_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        loaded.append(
            LanguagePatterns(
                language=str(data.get("language", path.stem)),
                patterns=tuple(re.compile(p, re.IGNORECASE) for p in data.get("patterns", [])),
                not_crisis=tuple(
                    re.compile(p, re.IGNORECASE) for p in data.get("not_crisis") or []
                ),
            )
        )
    return tuple(loaded)


def detect(text: str) -> str | None:
    """The language whose crisis pattern matched, or None."""
    folded = normalize(text)
    if not folded:
        return None
    for lang in load():
        for pattern in lang.patterns:
            found = pattern.search(folded)
            if found is None:
                continue
            if any(idiom.search(folded) for idiom in lang.not_crisis):
                continue
            return lang.language
    return None
