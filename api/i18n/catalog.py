"""Rendering participant-facing text from the Babel catalogs under locales/.

Catalog entries use msgctxt = template key and msgid = the English source text, so
translators read sentences and code names the template. Lookups follow one fallback
chain, decided here only: participant language -> program default -> English.

A fill-in argument missing from a render is a bug: under tests (FIRSTCALL_ENV=test) it raises
MissingArgumentError; elsewhere the turn goes on with it empty, and the template key and the
argument's name (never a value) are logged.
"""

from __future__ import annotations

import gettext
import logging
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from api.config import ROOT
from api.i18n.locales import SUPPORTED_LOCALES, fallback_chain
from api.i18n.texts import TEMPLATES, Template

logger = logging.getLogger(__name__)

LOCALES_DIR = ROOT / "locales"
DOMAIN = "messages"


@dataclass(frozen=True)
class Rendered:
    text: str
    language: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def po_path(tag: str, domain: str = DOMAIN) -> Path:
    return LOCALES_DIR / tag / "LC_MESSAGES" / f"{domain}.po"


@lru_cache
def load_catalog(tag: str, domain: str = DOMAIN) -> Catalog | None:
    path = po_path(tag, domain)
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=SUPPORTED_LOCALES[tag].babel)


@lru_cache
def _plural_func(tag: str) -> Callable[[int], int]:
    catalog = load_catalog(tag)
    expr = catalog.plural_expr if catalog else "(n != 1)"
    plural: Callable[[int], int] = gettext.c2py(expr)
    return plural


def _translated(tag: str, template: Template, count: int | None) -> str | None:
    catalog = load_catalog(tag, template.domain)
    if catalog is None:
        return None
    msgid: str | tuple[str, str] = (
        (template.text, template.plural) if template.plural else template.text
    )
    message = catalog.get(msgid, context=template.key)
    if message is None or message.fuzzy:
        return None
    value = message.string
    if isinstance(value, tuple | list):
        index = _plural_func(tag)(count if count is not None else 1)
        chosen = value[index] if index < len(value) else ""
        return chosen or None
    return value or None


def program_args() -> dict[str, str]:
    """The arguments every message may use: the program's name and contact."""
    from api.config import get_settings

    settings = get_settings()
    return {"program": settings.program_name, "contact": settings.program_contact}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def translate(key: str, language: str | None, program_default: str = "en") -> tuple[str, str]:
    """The raw (unformatted) text of a template, and the language it came from."""
    template = TEMPLATES[key]
    for tag in fallback_chain(language, program_default):
        text = _translated(tag, template, None)
        if text is not None:
            return text, tag
    return template.text, "en"


def render(
    key: str,
    language: str | None,
    args: Mapping[str, Any] | None = None,
    *,
    program_default: str = "en",
) -> Rendered:
    template = TEMPLATES[key]
    values = dict(args or {})
    count = values.get(template.count_arg) if template.count_arg else None
    for tag in fallback_chain(language, program_default):
        text = _translated(tag, template, count)
        if text is not None:
            break
    else:
        tag = "en"
        text = template.plural if (template.plural and count != 1) else template.text
    buttons = [
        {"title": render(b.title_key, tag, values).text, "payload": b.payload}
        for b in template.buttons
    ]
    return Rendered(text=_fill(key, text, values), language=tag, buttons=buttons)


class MissingArgumentError(KeyError):
    """A template was rendered without one of its fill-in arguments."""


def _strict() -> bool:
    """Missing arguments raise under tests; elsewhere they are logged and rendered empty."""
    from api.config import get_settings

    try:
        return get_settings().env == "test"
    except ValueError:  # settings refused (tooling run without an environment): not a test
        return False


def _fill(key: str, text: str, values: dict[str, Any]) -> str:
    args = _Args(values, key, strict=_strict())
    filled = text.format_map(args)
    if args.missing:
        # names only: argument values may be personal
        logger.warning("template %s rendered without %s", key, ", ".join(sorted(args.missing)))
    return filled


class _Args(dict[str, Any]):
    def __init__(self, values: dict[str, Any], key: str, *, strict: bool) -> None:
        super().__init__(values)
        self.key, self.strict, self.missing = key, strict, set[str]()

    def __missing__(self, name: str) -> str:
        if self.strict:
            raise MissingArgumentError(f"template {self.key} rendered without {name!r}")
        self.missing.add(name)  # a participant's turn goes on: the gap is logged
        return ""
