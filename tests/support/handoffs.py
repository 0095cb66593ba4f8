"""Reading handoffs the way an integrator does: every page of GET /api/v1/handoffs, each
handoff checked against the published JSON Schema (the checked-in copy) on the way."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Protocol

import jsonschema

from api.config import ROOT

SCHEMA = ROOT / "api" / "handoff" / "schemas" / "handoff-v2.json"


class _Get(Protocol):
    def __call__(self, url: str, *, headers: dict[str, str], params: Any = None) -> Any: ...


@cache
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def valid(handoff: dict[str, Any]) -> dict[str, Any]:
    """The handoff, once it validates against the schema (raises ValidationError)."""
    validator().validate(handoff)
    return handoff


def every_handoff(get: _Get, base: str, headers: dict[str, str], **filters: Any) -> list[Any]:
    """All pages, each handoff validated. `get`: httpx.get or a TestClient's get."""
    found: list[dict[str, Any]] = []
    params = {**filters}
    while True:
        response = get(f"{base}/api/v1/handoffs", headers=headers, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        found += [valid(h) for h in body["items"]]
        if not body["next_cursor"]:
            return found
        params = {**filters, "cursor": body["next_cursor"]}


def one_handoff(get: _Get, base: str, headers: dict[str, str], handoff_id: str) -> Any:
    response = get(f"{base}/api/v1/handoffs/{handoff_id}", headers=headers)
    assert response.status_code == 200, response.text
    return valid(response.json())
