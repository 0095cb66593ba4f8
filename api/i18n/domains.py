"""The catalogs (gettext domains): one `.po` file per business area and language.

`messages` holds the core texts (api/i18n/texts.py and the screening instruments). An area
with texts of its own declares them in its own module with `T = area_texts("<domain>")` and
gets `locales/<lang>/LC_MESSAGES/<domain>.po`, so areas change their words without touching
each other's catalogs. Template keys stay unique across every domain.

To add a domain: a line here, the module, then `make translations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.config import ROOT


@dataclass(frozen=True)
class Domain:
    name: str
    source: Path  # the file Babel extracts T(...) calls from
    module: str | None  # imported to register the templates; None for the core


def _area(name: str, module: str) -> Domain:
    return Domain(name, ROOT / (module.replace(".", "/") + ".py"), module)


DOMAINS: dict[str, Domain] = {
    "messages": Domain("messages", ROOT / "api" / "i18n" / "texts.py", None),
}
for _domain in (
    _area("reminders", "api.reminders.texts"),
    _area("reminder_replies", "api.reminders.reply_texts"),
    _area("style", "api.i18n.style_texts"),
):
    DOMAINS[_domain.name] = _domain
