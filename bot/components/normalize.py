"""Text normalization before featurizing: the forms people write the same word in.

- Latin script (Vietnamese above all, Spanish too): the word as written and the word with
  its accents and marks folded, so "cần đồ ăn" and "can do an" share features. Folding is
  the app's own (api/i18n/folding.strip_marks), so the NLU and the app compare text alike.
- Arabic script: tashkeel and tatweel removed; alef forms (أ إ آ ٱ) as ا, ى as ي, ة as ه,
  ؤ as و, ئ as ي; Arabic-Indic digits as ASCII. Only the normalized form is kept.
- Arabizi (api/i18n/arabizi: a digit inside or leading a Latin word, not a number with its
  suffix): the word as written and with its digits as letters (3ayez -> aayez, a7tag ->
  ahtag), since people write the same word both ways.

Pure functions (no Rasa import), used by bot/components/tokenizers.py and by the tests.
"""

from __future__ import annotations

import re
import unicodedata

from api.i18n.arabizi import cues
from api.i18n.folding import strip_marks

_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
)
# Arabizi digits as the letters people also write for them.
_ARABIZI = {"2": "a", "3": "a", "5": "kh", "6": "t", "7": "h", "8": "gh", "9": "q"}


def arabic(word: str) -> str:
    """Arabic letters in one form: no tashkeel or tatweel, one alef, ya, ha and hamza seat."""
    return strip_marks(_TASHKEEL.sub("", word)).translate(_LETTERS)


def arabizi_as_letters(word: str) -> str | None:
    """The Arabizi word with its digits as letters, or None when it is no Arabizi word."""
    strong, weak = cues(word)
    if not strong and not weak:
        return None
    return "".join(_ARABIZI.get(ch, ch) for ch in strip_marks(word))


def forms(word: str) -> list[str]:
    """The forms a word is featurized in: first the folded one, then any other."""
    if _ARABIC.search(word):
        return [arabic(word)]
    written = unicodedata.normalize("NFC", word.casefold())
    folded = strip_marks(word)
    found = [folded]
    if written != folded:
        found.append(written)
    lettered = arabizi_as_letters(word)
    if lettered is not None and lettered not in found:
        found.append(lettered)
    return found
