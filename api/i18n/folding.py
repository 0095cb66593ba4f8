"""Comparing what people type: one place for case, accents, marks, digits and punctuation."""

from __future__ import annotations

import re
import unicodedata

# Arabic-Indic and Persian digits read as ASCII (NFKD already maps full-width ones).
_DIGITS = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)
_PUNCTUATION = re.compile(r"[\s\.\!\?,;:、，。،؛؟]+")


def strip_marks(text: str) -> str:
    """Lower case, NFKD accents removed, đ -> d, Arabic-Indic digits as ASCII. NFC at the end
    puts Korean syllables back together (NFKD splits 한 into jamo, which are not marks)."""
    text = unicodedata.normalize("NFKD", text.casefold()).replace("đ", "d")
    bare = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare).translate(_DIGITS)


def fold(text: str) -> str:
    """strip_marks, with punctuation (Latin, CJK and Arabic) as single spaces: for short replies."""
    return _PUNCTUATION.sub(" ", strip_marks(text)).strip()
