"""What a participant is told when they switch their text style by keyword (the `style`
catalog, api/i18n/domains.py). The answer goes out in the new style: folded after
"KHONG DAU", with marks after "CO DAU".
"""

from __future__ import annotations

from api.i18n.texts import area_texts

T = area_texts("style")

UNACCENTED_ON = T(
    "style.unaccented_on",
    "OK, we'll text you without Vietnamese accent marks. Reply CO DAU to get them back.",
)
ACCENTED_ON = T(
    "style.accented_on",
    "OK, we'll text you with Vietnamese accent marks. Reply KHONG DAU to turn them off.",
)
