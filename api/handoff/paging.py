"""Opaque cursors for keyset paging: the sort key of the last row a page returned, as
URL-safe base64 JSON. A cursor is a position, not an offset, so rows inserted meanwhile
never make a page repeat or skip a row; a malformed cursor is refused (BadCursor)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any


class BadCursor(ValueError):
    """Not a cursor this API gave out."""


def encode(kind: str, *values: Any) -> str:
    parts = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps([kind, *parts], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(kind: str, cursor: str, types: tuple[type, ...]) -> tuple[Any, ...]:
    """The values `encode(kind, ...)` put in, each of the type asked (datetime from ISO)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        found = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(found, list) or len(found) != len(types) + 1 or found[0] != kind:
        raise BadCursor(cursor)
    values = []
    for value, wanted in zip(found[1:], types, strict=True):
        try:
            values.append(datetime.fromisoformat(value) if wanted is datetime else wanted(value))
        except (TypeError, ValueError) as exc:
            raise BadCursor(cursor) from exc
    return tuple(values)
