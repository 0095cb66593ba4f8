"""Comparing what people type: one place for case, accents, marks, digits and punctuation;
and writing as people type (`unaccent`: Vietnamese without diacritics)."""

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


def has_marks(text: str) -> bool:
    """True when any letter carries a diacritic (precomposed or combining), or is đ/Đ."""
    return any(
        ch in "đĐ" or any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", ch))
        for ch in text
    )


def unaccent(text: str) -> str:
    """The text as people write it without diacritics: every mark removed, đ -> d, Đ -> D;
    case, digits and punctuation kept ("Cảm ơn quý vị!" -> "Cam on quy vi!")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )
