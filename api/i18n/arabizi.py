"""Arabizi cues: Arabic written in Latin letters, with digits for the sounds Latin lacks
(2 ء, 3 ع, 5 خ, 7 ح): "a7jez", "sa3edni", "3ayez", "2ool".

Texting in our other languages puts digits beside letters too: ordinals ("2nd", "3ra",
"7mo"), times ("5pm", "5h", "2h30"), money ("2tr", "300k") and a number run into its word
("2kids", "3ngay"). A number with the suffix of an ordinal, a time, a unit or money is not a
cue; a number run into a word is a cue that the rest of the message can outvote (detect.py).
"""

from __future__ import annotations

import re

from api.i18n.folding import strip_marks

_TOKEN = re.compile(r"[a-z0-9']+")
_INSIDE = re.compile(r"[a-z'][2357]+[a-z]")  # a letter, the digit, a letter: a7jez, la2ey
_LEADING = re.compile(r"^[2357][a-z']{2,}")  # the digit first, then the word: 3ayez, 7abibi

# Ordinals by their language's grammar: en 1st 2nd 3rd 4th 11th 21st; es 1ro 1ra 1er 2do 2da
# 3ro 3er 4to 5ta 7mo 8vo 9na 10mo.
_EN_ORDINAL = re.compile(r"^(\d*1st|\d*2nd|\d*3rd|\d+th)$")
_ES_ORDINAL = re.compile(
    r"^(\d*[13](ro|ra|er)|\d*2(do|da)|\d*[456](to|ta)|\d*[70](mo|ma)|\d*8(vo|va)|\d*9(no|na))$"
)
# A number with a unit: times (am, pm, h, hr, hrs, min, p = phút), spans (yr, yrs, wk, days),
# money (k, tr = triệu, usd, dlls, bucks), counts (x, ng = người, pn = phòng ngủ, br).
_WITH_UNIT = re.compile(
    r"^\d+(am|pm|h|hr|hrs|min|mins|p|yr|yrs|wk|wks|day|days|k|tr|usd|dlls|bucks|x|ng|pn|br)"
    r"(\d+(p|min)?)?$"
)


def _is_number(token: str) -> bool:
    return bool(_EN_ORDINAL.match(token) or _ES_ORDINAL.match(token) or _WITH_UNIT.match(token))


def cues(text: str) -> tuple[list[str], list[str]]:
    """(strong, weak): words with a digit inside (a7jez), and words that begin with one
    (3ayez, but also "2morrow", "2kids"). Numbers with their suffix are neither."""
    strong: list[str] = []
    weak: list[str] = []
    for token in _TOKEN.findall(strip_marks(text)):
        if not any(ch.isdigit() for ch in token) or _is_number(token):
            continue
        if _INSIDE.search(token):
            strong.append(token)
        elif _LEADING.match(token):
            weak.append(token)
    return strong, weak
