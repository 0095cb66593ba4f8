"""Web chat messages aren't lost by a poll: GET reads with a cursor (`after=<id>`) and marks
nothing as seen for good, so a second tab or a dropped response loses nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations.models import Conversation
from api.db import utcnow
from api.i18n.catalog import program_args, render
from api.outbox import service as outbox
from tests import factories as f
from tests.support.fake_engine import FakeEngine
from tests.support.servers import ThreadServer

URL = "/channels/web/messages"


def _start(client) -> tuple[str, list[dict]]:  # type: ignore[no-untyped-def]
    response = client.post(URL, json={"text": "hello", "language": "en"})
    assert response.status_code == 200
    body = response.json()
    return body["conversation_id"], body["messages"]


def _later_message(db: Session, conversation_id: str, text: str) -> int:
    """What a retried turn or a reminder leaves for the page to fetch."""
    conversation = db.get(Conversation, conversation_id)
    assert conversation is not None
    message = outbox.enqueue(conversation, text, db_session=db)
    db.flush()
    return message.id


def _poll(client, conversation_id: str, after: int | None = None) -> list[dict]:  # type: ignore[no-untyped-def]
    params: dict[str, str | int] = {"conversation_id": conversation_id}
    if after is not None:
        params["after"] = after
    response = client.get(URL, params=params)
    assert response.status_code == 200
    return response.json()["messages"]  # type: ignore[no-any-return]


def test_web_poll_does_not_lose_messages_to_a_dropped_response(client, db: Session) -> None:
    conversation_id, first = _start(client)  # the engine is down: the trouble reply
    assert first and all(isinstance(m["id"], int) for m in first)
    cursor = max(m["id"] for m in first)
    later = _later_message(db, conversation_id, "we are back")
    # The page polls, but the response never reaches it (a dropped connection).
    assert [m["text"] for m in _poll(client, conversation_id, cursor)] == ["we are back"]
    # It polls again from the same cursor: the message is still there.
    again = _poll(client, conversation_id, cursor)
    assert [(m["id"], m["text"]) for m in again] == [(later, "we are back")]
    # A poll from the newest id has nothing new.
    assert _poll(client, conversation_id, later) == []


def test_web_second_tab_sees_every_message(client, db: Session) -> None:
    conversation_id, first = _start(client)
    _later_message(db, conversation_id, "reminder: tomorrow at 10")
    tab_one = _poll(client, conversation_id, 0)
    tab_two = _poll(client, conversation_id, 0)
    assert [m["text"] for m in tab_one] == [m["text"] for m in tab_two]
    assert [m["text"] for m in tab_one] == [*(m["text"] for m in first), "reminder: tomorrow at 10"]


def test_web_post_returns_this_turns_replies_with_ids_and_keeps_its_contract(
    client, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation_id, first = _start(client)  # engine down: the trouble reply
    fake = FakeEngine()
    with ThreadServer(fake.app) as server:
        monkeypatch.setattr(get_settings(), "rasa_url", server.url)
        for message in f.inbound(db):  # the first message is due again, the engine is back
            message.next_attempt_at = utcnow()
        db.flush()
        response = client.post(URL, json={"conversation_id": conversation_id, "text": "hi"})
    body = response.json()
    assert set(body) == {"conversation_id", "messages"}
    assert body["conversation_id"] == conversation_id
    greeting = render("utter_greet", "en", program_args())
    assert [m["text"] for m in body["messages"]] == [greeting.text, greeting.text]
    assert all(set(m) == {"id", "text", "buttons"} for m in body["messages"])
    assert body["messages"][0]["buttons"] == [
        {"title": b["title"], "payload": b["payload"]} for b in greeting.buttons
    ]
    assert min(m["id"] for m in body["messages"]) > max(m["id"] for m in first)


def test_web_post_with_a_cursor_returns_what_the_page_has_not_seen(client, db: Session) -> None:
    conversation_id, first = _start(client)
    cursor = max(m["id"] for m in first)
    missed = _later_message(db, conversation_id, "sent while the page was offline")
    response = client.post(
        URL, json={"conversation_id": conversation_id, "text": "still there?", "after": cursor}
    )
    # The engine is down and the first message still waits, so nothing new: only what was missed.
    assert [m["id"] for m in response.json()["messages"]] == [missed]


def test_web_unknown_conversation_is_404_and_stores_nothing(client, db: Session) -> None:
    assert client.get(URL, params={"conversation_id": "nope"}).status_code == 404
    response = client.post(URL, json={"conversation_id": "nope", "text": "hello"})
    assert response.status_code == 404
    assert f.inbound(db) == []
    sms_conversation_id = _sms_conversation(client, db)
    assert client.get(URL, params={"conversation_id": sms_conversation_id}).status_code == 404


def _sms_conversation(client, db: Session) -> str:  # type: ignore[no-untyped-def]
    f.post_sms(client, f.sms_params(f.phone(), "hello"))
    [conversation] = f.conversations(db)
    return conversation.id
