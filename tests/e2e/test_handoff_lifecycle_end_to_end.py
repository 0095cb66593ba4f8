"""Issue 7, "a repeat crisis is seen", through the whole stack: each crisis text is one event
on the open handoff (the safety net at the door and the engine's action_crisis flag the same
message), a case manager acknowledges and closes it through the API, and a crisis after
closing opens a new handoff."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests import factories as f
from tests.support.handoffs import every_handoff

pytestmark = pytest.mark.e2e
CRISIS = "ya no quiero vivir, voy a matarme"


def _handoffs(stack: Any) -> dict[str, dict[str, Any]]:
    auth = {"Authorization": f"Bearer {stack.api_key}"}
    return {h["id"]: h for h in every_handoff(httpx.get, stack.app, auth)}


def _crisis_then_settle(stack: Any, phone: str) -> None:
    """Text a crisis, then a greeting: once the greeting is answered, the engine's turn for
    the crisis (its action_crisis) has run too (one conversation's turns run in order)."""
    count = len(stack.replies(phone))
    stack.text(phone, CRISIS)
    stack.wait_replies(phone, count + 1)
    stack.text(phone, "hola")
    stack.wait_replies(phone, count + 2)


def test_repeat_crisis_acknowledge_close_and_a_new_handoff(stack: Any) -> None:
    phone = f.phone()
    auth = {"Authorization": f"Bearer {stack.api_key}"}
    before = set(_handoffs(stack))
    _crisis_then_settle(stack, phone)
    [mine] = [h for i, h in _handoffs(stack).items() if i not in before]
    assert [(e["kind"], e["reason"]) for e in mine["events"]] == [("flag", "crisis")]

    _crisis_then_settle(stack, phone)
    listing = list(_handoffs(stack).values())
    again = next(h for h in listing if h["id"] == mine["id"])
    assert [e["reason"] for e in again["events"] if e["kind"] == "flag"] == ["crisis", "crisis"]
    assert listing[0]["id"] == mine["id"]  # the latest urgent event is on top

    url = f"{stack.app}/api/v1/handoffs/{mine['id']}"
    assert httpx.post(f"{url}/acknowledge", headers=auth).json()["status"] == "acknowledged"
    closed = httpx.post(f"{url}/close", headers=auth, json={"note": "safety plan made"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"

    _crisis_then_settle(stack, phone)
    fresh = [h for i, h in _handoffs(stack).items() if i not in before and i != mine["id"]]
    assert [(h["status"], h["urgent"], len(h["events"])) for h in fresh] == [("open", True, 1)]
