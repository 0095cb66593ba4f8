"""Understanding the participant's reply to a booking step: a ZIP, a first name or "skip",
a phone number, and a pick from the menu of times (by number, by its words, or
"none/later"), in any supported language (folded: no accents, lower case). Pure: no
database, no clock."""

from __future__ import annotations

import re

import phonenumbers

from api.booking import messages
from api.booking.sessions import BookingSession
from api.directory import geo
from api.i18n.folding import fold

_SKIP = {"skip", "no", "saltar", "omitir", "no gracias", "跳过", "不用", "bo qua", "khong",
         "تخطي", "تخطى", "لا", "sote", "non", "non mesi", "laktaw", "hindi", "wag na", "huwag na",
         "건너뛰기", "건너뛰어", "스킵", "아니요"}  # fmt: skip
_LATER = {"none", "none of these", "later", "other", "others", "more", "ninguno", "ninguna",
          "ninguna de estas", "mas tarde", "luego", "otro", "otros", "otra", "都不", "都不行",
          "以后", "稍后", "其他", "khong", "de sau", "sau", "khac", "لا شيء", "لاحقا", "لاحقاً",
          "غير ذلك", "لا أحد", "okenn", "okenn nan sa yo", "pita", "lot", "wala", "wala sa mga ito",
          "mamaya", "iba", "iba pa", "없음", "모두 아님", "나중에", "다른 시간"}  # fmt: skip
_NAME = re.compile(r"^[^\d@<>{}\[\]/\\]{1,40}$")


def parse_zip(text: str) -> str | None:
    """A 5-digit US ZIP that exists (ZIP+4 accepted), or None."""
    return geo.normalize_zip(text) if geo.lookup(text.strip()) else None


def parse_phone(text: str) -> str | None:
    """A valid (US by default) phone number as E.164, or None."""
    try:
        number = phonenumbers.parse(text.strip(), "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_skip(text: str) -> bool:
    return fold(text) in _SKIP


def parse_name(text: str) -> str | None:
    name = " ".join(text.split())
    return name if _NAME.match(name) else None


def parse_pick(session: BookingSession, text: str, language: str | None) -> int | str | None:
    """The index of the picked time, "none" for none-of-these/later, or None."""
    folded = fold(text)
    if folded in _LATER:
        return messages.NONE
    if re.fullmatch(r"\d{1,2}", folded):
        index = int(folded) - 1
        return index if 0 <= index < len(session.offers) else None
    if len(folded) < 3:
        return None
    hits = [i for i, o in enumerate(session.offers)
            if folded in fold(messages.label(o, language))
            or re.search(rf"(^|\s){re.escape(folded)}(\s|$)", fold(o["service"]))]  # fmt: skip
    return hits[0] if len(hits) == 1 else None
