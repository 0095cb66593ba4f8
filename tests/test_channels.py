"""One channel interface: turns and services speak channel-neutral messages; each channel
renders them for its transport (SMS: numbered menus and cleanup; web: buttons)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from api.channels import registry
from api.channels.base import Attachment, Message, Option, Outgoing
from api.config import ROOT
from api.conversations import service as conversations
from api.conversations import turns
from api.conversations.models import Conversation
from api.i18n.catalog import render
from tests import factories as f


def test_turn_layer_has_no_channel_branches_and_no_sms_menu_code() -> None:
    for path in ("api/conversations/turns.py", "api/conversations/crisis.py"):
        source = (ROOT / path).read_text(encoding="utf-8")
        assert not re.search(r"channel\s*==\s*[\"']", source), path
        assert "menus" not in source, path
    enqueue = (ROOT / "api/outbox/service.py").read_text(encoding="utf-8")
    assert "conversation.channel ==" not in enqueue


def test_sms_renders_numbered_menus_and_web_keeps_buttons() -> None:
    message = Message("Shall we start?", (Option("Yes", "/affirm"), Option("No", "/deny")))
    sms = registry.get("sms").render(message, "en")
    assert sms.body.splitlines()[:3] == ["Shall we start?", "1 Yes", "2 No"]
    assert sms.buttons == [
        {"title": "Yes", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
    ]
    web = registry.get("web").render(message, "en")
    assert web == Outgoing("Shall we start?", sms.buttons)
    assert registry.get("sms").resolve_reply("2", sms.buttons) == "/deny"


def test_attachments_become_a_line_with_their_link() -> None:
    card = Attachment("calendar", "Add to calendar", "https://example.test/a.ics")
    out = registry.get("sms").render(Message("Booked.", (), (card,)), "en")
    assert out.body == "Booked.\nAdd to calendar: https://example.test/a.ics"


class Shouting:
    """A third channel, as a test would add it: one class and one registry entry."""

    name = "shout"
    pushes = True

    def render(self, message: Message, language: str | None) -> Outgoing:
        lines = [message.text.upper(), *(f"[{o.title}]" for o in message.options)]
        return Outgoing("\n".join(lines), [o.as_dict() for o in message.options] or None)

    def clean(self, body: str) -> str:
        return body.strip()

    def resolve_reply(self, text: str, options: list[dict[str, Any]] | None) -> str | None:
        return None

    def deliver(self, to: str, body: str, *, reference: int | None = None) -> str | None:
        return "SH1"

    def opted_out(self, participant: Any) -> bool:
        return False


def test_a_new_channel_is_one_module_and_the_registry(
    db: Session, org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry._CHANNELS, "shout", Shouting())
    participant = conversations.new_web_participant(None, db_session=db)
    conversation = Conversation(participant_id=participant.id, channel="shout")
    db.add(conversation)
    db.flush()
    conversations.store_inbound(conversation, "xxxxxxxx", external_id=None, db_session=db)
    db.flush()
    assert turns.process_conversation(conversation.id, immediate=True) == 1
    [menu] = f.outbound(db)
    expected = render("utter_language_menu", None)
    assert menu.channel == "shout"
    assert menu.body.splitlines()[0] == expected.text.upper().splitlines()[0]
    assert menu.body.splitlines()[-1] == f"[{expected.buttons[-1]['title']}]"
