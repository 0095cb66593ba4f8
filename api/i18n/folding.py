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
    """Lower case, NFKD accents removed, đ -> d, Arabic-Indic digits as ASCII."""
    text = unicodedata.normalize("NFKD", text.casefold()).replace("đ", "d")
    return "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_DIGITS)


def fold(text: str) -> str:
    """strip_marks, with punctuation (Latin, CJK and Arabic) as single spaces: for short replies."""
    return _PUNCTUATION.sub(" ", strip_marks(text)).strip()
