"""What participants are told when they answer a reminder or a "did you make it?", or when a
partner's decline brings new times (the `reminder_replies` catalog, api/i18n/domains.py).

Declare each with `T(key, English, segments=..., sample=...)`; `make translations` then adds
it to locales/<lang>/LC_MESSAGES/reminder_replies.po for every language. None may invite the
bare word CANCEL (a carrier opt-out keyword): replies are by number.
"""

from __future__ import annotations

from api.i18n.texts import area_texts

T = area_texts("reminder_replies")

# Worst-case arguments: a long partner name, a long local time.
_SAMPLE = {"partner": "Harbor Community Food Pantry", "when": "Wed, Dec 30, 12:30 PM PST"}

CONFIRMED = T(
    "replies.confirmed",
    "Thank you! Your appointment with {partner} on {when} is confirmed. See you there.",
    sample=_SAMPLE,
    segments=2,
)
CANCELLED = T(
    "replies.cancelled",
    "Your appointment with {partner} on {when} is cancelled. We told them and your case manager.",
    segments=2,
    sample=_SAMPLE,
)
ATTENDED = T(
    "replies.attended",
    "Thank you for letting us know, we are glad you made it. Text us any time you need help.",
    segments=2,
)
MISSED = T(
    "replies.missed",
    "Thank you for telling us. Let's find you a new time.",
)
NO_NEW_TIME = T(
    "replies.no_new_time",
    "Thank you for telling us. A case manager will contact you to find a new time.",
    segments=2,
)
ALREADY = T(
    "replies.already_recorded",
    "Thank you, we already have what happened with this appointment.",
)
DECLINED_NEW_TIMES = T(
    "replies.declined_new_times",
    "Sorry, {partner} can't take your appointment on {when}. Here are other times.",
    sample=_SAMPLE,
    segments=2,
)
