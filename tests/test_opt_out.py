"""Nothing leaves after STOP (issue 7, "Compliance"): only the opt-out confirmation itself is
sent. Pending rows are cancelled when the opt-out is recorded, whatever recorded it (the STOP
keyword, a free-text opt-out, Twilio's 21610), and the sender checks again at send time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.contact import ActionOptOut
from api.conversations import engine, turns
from api.conversations import service as conversations
from api.db import session_scope, utcnow
from api.outbox import sender
from api.outbox import service as outbox
from api.outbox.models import CANCELLED, PENDING, SENT
from tests import factories as f
from tests.support.servers import ThreadServer
from tests.support.simulator import received, running_simulator


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadServer]:
    with running_simulator(monkeypatch) as server:
        yield server


def _participant(db: Session, phone: str):  # type: ignore[no-untyped-def]
    participant = conversations.participant_for_phone(phone, db_session=db)
    participant.language = "en"
    conversation = conversations.current_conversation(participant, "sms", db_session=db)
    db.commit()
    return participant, conversation


def _claimed_turn(db: Session, conversation, text: str) -> turns.Prepared:  # type: ignore[no-untyped-def]
    conversations.store_inbound(conversation, text, external_id=None, db_session=db)
    db.commit()
    prepared = turns._claim(conversation.id, immediate=True)
    assert prepared is not None and prepared.text == text  # in flight: the engine has it
    return prepared


def _engine_replied(prepared: turns.Prepared, *texts: str) -> None:
    with session_scope() as s:
        turns._record(prepared, [engine.BotMessage(text=t) for t in texts], db_session=s)


def test_stop_cancels_replies_still_waiting_in_the_outbox(simulator, client, db: Session) -> None:
    phone = f.phone()
    participant, conversation = _participant(db, phone)
    waiting = outbox.enqueue(conversation, "Question 3 of 12: ...", db_session=db)
    db.commit()
    f.post_sms(client, f.sms_params(phone, "STOP"))
    db.refresh(waiting)
    db.refresh(participant)
    assert (waiting.status, waiting.error_code) == (CANCELLED, "opted_out")  # at once
    assert participant.sms_opted_out is True and participant.sms_opted_out_at is not None
    sender.send_due()
    assert [m["body"] for m in received(simulator, phone)] == [f.sms_text("sms.stop", "en")]


def test_reply_to_a_message_stored_before_stop_is_not_sent_after_it(
    simulator, client, db: Session
) -> None:
    phone = f.phone()
    _, conversation = _participant(db, phone)
    prepared = _claimed_turn(db, conversation, "i need help with rent")
    f.post_sms(client, f.sms_params(phone, "STOP"))  # while the engine works on the turn
    _engine_replied(prepared, "Got it. What is your zip code?")
    late = f.outbound(db)[-1]
    assert late.kind == "reply"  # not exempt: it answers a message from before the opt-out
    sender.send_due()
    db.refresh(late)
    assert (late.status, late.error_code) == (CANCELLED, "opted_out")
    assert [m["body"] for m in received(simulator, phone)] == [f.sms_text("sms.stop", "en")]


def test_free_text_opt_out_sends_its_confirmation_and_nothing_else(simulator, db: Session) -> None:
    phone = f.phone()
    participant, conversation = _participant(db, phone)
    earlier = outbox.enqueue(conversation, "Question 3 of 12: ...", db_session=db)
    db.commit()
    prepared = _claimed_turn(db, conversation, "please stop texting me")
    tracker = Tracker.from_dict(
        {
            "sender_id": conversation.id,
            "slots": {},
            "latest_message": {"text": prepared.text, "metadata": prepared.metadata},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        }
    )
    dispatcher = CollectingDispatcher()
    ActionOptOut().run(dispatcher, tracker, {})  # the real action, as the engine runs it
    db.refresh(earlier)
    db.refresh(participant)
    assert participant.sms_opted_out is True
    assert (earlier.status, earlier.error_code) == (CANCELLED, "opted_out")  # at once
    assert [m["response"] for m in dispatcher.messages] == ["utter_opt_out"]
    _engine_replied(prepared, "You won't get more texts from us.")
    sender.send_due()
    assert [m["body"] for m in received(simulator, phone)] == ["You won't get more texts from us."]


def test_carrier_opt_out_21610_cancels_the_rest(client, db: Session) -> None:
    participant, conversation = _participant(db, f.phone())
    sent = outbox.enqueue(conversation, "first", db_session=db)
    sent.status, sent.provider_id = SENT, "SM" + "b" * 32
    waiting = outbox.enqueue(conversation, "second", db_session=db)
    db.commit()
    params = {"MessageSid": sent.provider_id, "MessageStatus": "failed", "ErrorCode": "21610"}
    path = "/channels/twilio/status"
    client.post(path, data=params, headers={"X-Twilio-Signature": f.sign(path, params)})
    db.refresh(participant)
    db.refresh(waiting)
    assert participant.sms_opted_out is True and participant.sms_opted_out_at is not None
    assert (waiting.status, waiting.error_code) == (CANCELLED, "opted_out")


def test_start_after_stop_sends_again(simulator, client, db: Session) -> None:
    phone = f.phone()
    participant, conversation = _participant(db, phone)
    f.post_sms(client, f.sms_params(phone, "STOP"))
    f.post_sms(client, f.sms_params(phone, "START"))
    db.refresh(participant)
    assert participant.sms_opted_out is False and participant.sms_opted_out_at is None
    later = outbox.enqueue(conversation, "Welcome back", db_session=db)
    db.commit()
    assert later.status == PENDING
    sender.send_due()
    bodies = [m["body"] for m in received(simulator, phone)]
    assert bodies == [f.sms_text("sms.stop", "en"), f.sms_text("sms.start", "en"), "Welcome back"]


def test_21610_when_sending_cancels_what_is_queued_for_later(simulator, db: Session) -> None:
    participant, conversation = _participant(db, "+15005550004")  # unsubscribed at Twilio
    now_due = outbox.enqueue(conversation, "first", db_session=db)
    later = outbox.enqueue(conversation, "a retry, not due yet", db_session=db)
    later.next_attempt_at = utcnow() + timedelta(minutes=5)
    db.commit()
    sender.send_due()
    for row in (participant, now_due, later):
        db.refresh(row)
    assert (now_due.status, now_due.error_code) == ("failed", "21610")
    assert participant.sms_opted_out is True and participant.sms_opted_out_at is not None
    assert (later.status, later.error_code) == (CANCELLED, "opted_out")


def test_help_asked_after_stop_is_still_answered(simulator, client, db: Session) -> None:
    """Carrier rules: HELP gets its answer whatever the opt-in status; nothing else does."""
    phone = f.phone()
    participant, conversation = _participant(db, phone)
    f.post_sms(client, f.sms_params(phone, "STOP"))
    f.post_sms(client, f.sms_params(phone, "HELP"))
    late = outbox.enqueue(conversation, "Question 4 of 12: ...", db_session=db)
    db.commit()
    sender.send_due()
    db.refresh(late)
    assert (late.status, late.error_code) == (CANCELLED, "opted_out")
    bodies = [m["body"] for m in received(simulator, phone)]
    assert bodies == [f.sms_text("sms.stop", "en"), f.sms_text("sms.help", "en")]
