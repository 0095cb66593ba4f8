"""A crisis jumps the queue: the safety net runs when a message is stored, not when its turn
is claimed. Resources (utter_crisis in the participant's language) and the urgent flag come
at once, even behind older messages waiting for the engine, or with the engine down; and
they are not sent again when the engine later takes the turn."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations import turns
from api.db import utcnow
from api.handoff.models import Handoff
from api.i18n.catalog import program_args, render
from tests import factories as f
from tests.support.fake_engine import FakeEngine
from tests.support.servers import ThreadServer

CRISIS_ES = "ya no quiero vivir"


@pytest.fixture
def engine_up(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEngine]:
    fake = FakeEngine()
    with ThreadServer(fake.app) as server:
        monkeypatch.setattr(get_settings(), "rasa_url", server.url)
        yield fake


def _handoffs(db: Session) -> list[Handoff]:
    db.expire_all()
    return list(db.scalars(select(Handoff)))


def _make_due(db: Session) -> None:
    for message in f.inbound(db):
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.flush()


def test_crisis_jumps_the_queue_behind_a_message_waiting_for_the_engine(
    client, db: Session, org
) -> None:
    sender = f.phone()
    f.post_sms(client, f.sms_params(sender, "hola, necesito ayuda con la renta"))
    [waiting] = f.inbound(db)
    assert waiting.status == "pending"  # the engine is down: it waits for a retry
    f.post_sms(client, f.sms_params(sender, CRISIS_ES))
    db.expire_all()
    crisis = [m for m in f.outbound(db) if m.kind == "crisis"]
    assert [m.body for m in crisis] == [f.sms_text("utter_crisis", "es")]
    [handoff] = _handoffs(db)
    assert handoff.urgent is True and "crisis" in handoff.reasons
    # the crisis message itself still waits its turn behind the older one, for the engine
    assert [m.status for m in f.inbound(db)] == ["pending", "pending"]


def test_crisis_is_answered_and_flagged_in_the_webhook_request_itself(
    client, db: Session, org, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even when no turn runs at all (the app never gets to it), the stored crisis is answered.
    monkeypatch.setattr(turns, "process_conversation", lambda *a, **k: 0)
    f.post_sms(client, f.sms_params(f.phone(), CRISIS_ES))
    [message] = f.inbound(db)
    assert message.crisis is True
    [reply] = f.outbound(db)
    assert reply.kind == "crisis" and reply.body == f.sms_text("utter_crisis", "es")
    [handoff] = _handoffs(db)
    assert handoff.urgent is True


def test_crisis_resources_are_not_sent_twice_when_the_engine_answers_later(
    client, db: Session, org, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = f.phone()
    f.post_sms(client, f.sms_params(sender, CRISIS_ES))  # engine down: answered at store
    [message] = f.inbound(db)
    assert message.status == "pending"
    fake = FakeEngine()
    with ThreadServer(fake.app) as server:
        monkeypatch.setattr(get_settings(), "rasa_url", server.url)
        _make_due(db)
        assert turns.process_conversation(message.conversation_id) == 1
    assert fake.messages() == ["/crisis"]  # the engine still learns of the crisis
    bodies = [m.body for m in f.outbound(db)]
    crisis_text = f.sms_text("utter_crisis", "es")
    assert bodies.count(crisis_text) == 1
    assert bodies[-1] == "NEXT QUESTION"  # and the conversation goes on
    assert len(_handoffs(db)) == 1


def test_crisis_with_the_engine_up_is_answered_once(client, db: Session, org, engine_up) -> None:
    f.post_sms(client, f.sms_params(f.phone(), CRISIS_ES))
    db.expire_all()
    bodies = [m.body for m in f.outbound(db)]
    assert bodies == [f.sms_text("utter_crisis", "es"), "NEXT QUESTION"]
    assert engine_up.messages() == ["/crisis"]
    [message] = f.inbound(db)
    assert message.status == "done"


def test_web_chat_crisis_jumps_the_queue(client, db: Session, org) -> None:
    first = client.post("/channels/web/messages", json={"text": "hola", "language": "es"})
    conversation_id = first.json()["conversation_id"]
    second = client.post(
        "/channels/web/messages", json={"conversation_id": conversation_id, "text": CRISIS_ES}
    )
    texts = [m["text"] for m in second.json()["messages"]]
    assert render("utter_crisis", "es", program_args()).text in texts
    crisis = [m for m in f.outbound(db, channel="web") if m.kind == "crisis"]
    assert len(crisis) == 1
    [handoff] = _handoffs(db)
    assert handoff.urgent is True


def test_crisis_from_an_opted_out_phone_is_flagged_but_nothing_is_sent(
    client, db: Session, org
) -> None:
    sender = f.phone()
    f.post_sms(client, f.sms_params(sender, "STOP"))
    sent_before = len(f.outbound(db))
    f.post_sms(client, f.sms_params(sender, CRISIS_ES))
    db.expire_all()
    assert len(f.outbound(db)) == sent_before  # carrier rules: nothing after STOP
    [handoff] = _handoffs(db)
    assert handoff.urgent is True and "crisis" in handoff.reasons  # staff still know
