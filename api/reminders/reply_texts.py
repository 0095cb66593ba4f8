"""What participants are told when they answer a reminder or a "did you make it?", or when a
partner's decline brings new times (the `reminder_replies` catalog, api/i18n/domains.py).

Declare each with `T(key, English, segments=..., sample=...)`; `make translations` then adds
it to locales/<lang>/LC_MESSAGES/reminder_replies.po for every language.
"""

from __future__ import annotations

from api.i18n.texts import area_texts

T = area_texts("reminder_replies")
