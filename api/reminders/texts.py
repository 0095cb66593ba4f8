"""The reminder texts participants receive (the `reminders` catalog, api/i18n/domains.py).

Declare each with `T(key, English, segments=..., sample=...)`; `make translations` then adds
it to locales/<lang>/LC_MESSAGES/reminders.po for every language.
"""

from __future__ import annotations

from api.i18n.texts import area_texts

T = area_texts("reminders")
