"""Buttons become numbered menus on SMS; "2", or an option's words, map back to its payload."""

from __future__ import annotations

import re
from typing import Any

from api.i18n.catalog import render
from api.i18n.folding import fold
from api.i18n.locales import join_list

__all__ = ["fold", "numbered", "resolve"]


def numbered(text: str, buttons: list[dict[str, Any]], language: str) -> str:
    """Append "1 Yes / 2 No" lines and a localized "Reply 1 or 2"."""
    if not buttons:
        return text
    lines = [f"{i} {b.get('title', '')}".strip() for i, b in enumerate(buttons, start=1)]
    numbers = [str(i) for i in range(1, len(buttons) + 1)]
    choices = join_list(numbers, language, style="or")
    hint = render("sms.menu_hint", language, {"choices": choices}).text
    return "\n".join([text, *lines, hint])


def resolve(reply: str, menu: list[dict[str, Any]] | None) -> str | None:
    """The payload a reply picks from the last menu shown, or None."""
    if not menu:
        return None
    folded = fold(reply)
    match = re.fullmatch(r"#?(\d{1,2})", folded)
    if match:
        index = int(match.group(1)) - 1
        return str(menu[index]["payload"]) if 0 <= index < len(menu) else None
    for button in menu:
        if folded and folded == fold(str(button.get("title", ""))):
            return str(button["payload"])
    return None
