"""Crisis patterns per language (data/safety/<lang>.yml), matched on folded text.

Every inbound message is checked against every language's patterns, whatever the
participant's language: people switch languages in a crisis.

`patterns` are matched on folded text (`normalize`). `marked_patterns` are matched on the
text with its marks kept (`with_marks`): for words only the marks tell apart, like
Vietnamese "tự tử" (suicide) and "từ từ" (slowly), both "tu tu" once folded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import yaml

from api.config import ROOT
from api.i18n.folding import strip_marks

SAFETY_DIR = ROOT / "data" / "safety"
_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def normalize(text: str) -> str:
    """strip_marks, then Arabic tashkeel and tatweel removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", _TASHKEEL.sub("", strip_marks(text))).strip()


def with_marks(text: str) -> str:
    """Case folded and NFC composed, marks kept, whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text.casefold())).strip()


def _compiled(entries: list[str] | None) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(str(p), re.IGNORECASE) for p in entries or [])


@dataclass(frozen=True)
class LanguagePatterns:
    language: str
    patterns: tuple[re.Pattern[str], ...]
    not_crisis: tuple[re.Pattern[str], ...]
    marked_patterns: tuple[re.Pattern[str], ...] = ()


@lru_cache
def load() -> tuple[LanguagePatterns, ...]:
    loaded = []
    for path in sorted(SAFETY_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        loaded.append(
            LanguagePatterns(
                language=str(data.get("language", path.stem)),
                patterns=_compiled(data.get("patterns")),
                not_crisis=_compiled(data.get("not_crisis")),
                marked_patterns=_compiled(data.get("marked_patterns")),
            )
        )
    return tuple(loaded)


def _inside_idiom(start: int, end: int, idioms: list[tuple[int, int]]) -> bool:
    return any(i_start <= start and end <= i_end for i_start, i_end in idioms)


def detect(text: str) -> str | None:
    """The language whose crisis pattern matched, or None.

    An idiom ("me muero de hambre") cancels only the match it contains: the same message
    can still be a crisis elsewhere ("me muero de hambre y ya no quiero vivir").
    """
    folded = normalize(text)
    if not folded:
        return None
    marked = with_marks(text)
    for lang in load():
        idioms = [m.span() for idiom in lang.not_crisis for m in idiom.finditer(folded)]
        for pattern in lang.patterns:
            for found in pattern.finditer(folded):
                if not _inside_idiom(found.start(), found.end(), idioms):
                    return lang.language
        if any(pattern.search(marked) for pattern in lang.marked_patterns):
            return lang.language
    return None
