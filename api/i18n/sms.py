"""SMS text rules: invisible-character clean-up and segment counting (GSM-7 / UCS-2)."""

from __future__ import annotations

import re
import unicodedata

# GSM 03.38 basic character set and its extension table (each extension char costs 2 septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")

# Invisible format characters that Babel and bidi text insert; they force UCS-2 or show as boxes.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c]")
_SPACES = re.compile("[\u00a0\u202f\u2007\u2009]")


# "Smart encoding" for Latin-script languages: a few accented letters outside GSM-7 become
# their plain letters so a Spanish message costs 160-character parts, not 70. Only applied
# when every other character is GSM-7 already (a Vietnamese text stays as written).
_SMART = str.maketrans({
    "á": "a", "í": "i", "ó": "o", "ú": "u", "Á": "A", "Í": "I", "Ó": "O", "Ú": "U",
    "ê": "e", "â": "a", "ô": "o", "ç": "c", "\u2019": "'", "\u2018": "'", "\u201c": '"',
    "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...",
})  # fmt: skip


def clean_for_sms(text: str) -> str:
    """Normalise (NFC), plain spaces, no bidi marks or zero-widths; smart-encode if it helps."""
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    smart = text.translate(_SMART)
    return smart if is_gsm7(smart) else text


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def encoding(text: str) -> str:
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def segments(text: str) -> int:
    """How many SMS parts a carrier bills for this text (after clean_for_sms)."""
    if not text:
        return 1
    if is_gsm7(text):
        septets = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        return 1 if septets <= 160 else -(-septets // 153)
    # UCS-2 counts UTF-16 code units: characters outside the BMP (emoji) take two.
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)
