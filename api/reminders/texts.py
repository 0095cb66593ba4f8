"""The reminder texts participants receive (the `reminders` catalog, api/i18n/domains.py).

Declare each with `T(key, English, segments=..., sample=...)`; `make translations` then adds
it to locales/<lang>/LC_MESSAGES/reminders.po for every language.

Replies are by number (1, 2, 3): the bare word CANCEL is a carrier opt-out keyword, so no
text here may invite it. `when` is the local time text (api/referrals/notify.local_time),
in the participant's zone with its abbreviation when that differs from the location's.
"""

from __future__ import annotations

from api.i18n.texts import area_texts

T = area_texts("reminders")

# Worst-case arguments: a long partner name, a time shown with the participant's zone.
_SAMPLE = {"partner": "Harbor Community Food Pantry", "when": "Wed, Dec 30, 12:30 PM PST"}

DAY_BEFORE = T(
    "reminder.day_before",
    "Reminder: your appointment with {partner} is tomorrow, {when}. "
    "Reply 1 to confirm, 2 to change, 3 to cancel.",
    segments=2,
    sample=_SAMPLE,
)
HOURS_BEFORE = T(
    "reminder.hours_before",
    "Reminder: your appointment with {partner} is coming up, {when}. "
    "Reply 1 to confirm, 2 to change, 3 to cancel.",
    segments=2,
    sample=_SAMPLE,
)
FOLLOWUP = T(
    "reminder.followup",
    "Did you make it to your appointment with {partner} on {when}? "
    "Reply 1 yes, 2 no, 3 for a new time.",
    segments=2,
    sample=_SAMPLE,
)
