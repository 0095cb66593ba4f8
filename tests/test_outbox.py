"""The outbox worker sends with the real twilio client to our Twilio-compatible server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from api import crypto
from api.channels import twilio_sms
from api.config import get_settings
from api.conversations import service as conversations
from api.db import session_scope, utcnow
from api.outbox import sender
from api.outbox import service as outbox
from api.outbox.models import CANCELLED, DELIVERED, FAILED, PENDING, SENDING, SENT
from tests import factories as f
from tests.support.servers import ThreadServer, free_port
from tests.support.simulator import received, running_simulator


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadServer]:
    # Callbacks go to a closed local port here; test_status_callbacks covers them.
    with running_simulator(monkeypatch) as server:
        yield server


def _queue(db: Session, phone: str, body: str, kind: str = "reply"):  # type: ignore[no-untyped-def]
    participant = conversations.participant_for_phone(phone, db_session=db)
    conversation = conversations.current_conversation(participant, "sms", db_session=db)
    message = outbox.enqueue(conversation, body, kind=kind, db_session=db)
    db.commit()
    return participant, message


def _received(server: ThreadServer, phone: str) -> list[dict]:  # type: ignore[type-arg]
    return received(server, phone)


def test_due_sms_are_sent_once_with_the_real_twilio_client(simulator, db: Session) -> None:
    phone = f.phone()
    _, message = _queue(db, phone, "Hola, ¿cómo está? Día")
    assert sender.send_due() == 1
    assert sender.send_due() == 0  # nothing is sent twice
    db.refresh(message)
    assert message.status == SENT and message.provider_id and message.provider_id.startswith("SM")
    [got] = _received(simulator, phone)
    assert got["body"] == "Hola, ¿como esta? Dia"  # smart-encoded to GSM-7 when queued
    assert got["from_"] == get_settings().twilio_from_number
    # the row's id comes back in the callback URL (signed with it)
    assert got["status_callback"] == f"https://firstcall.test/channels/twilio/status?m={message.id}"


def test_invalid_number_fails_without_retry(simulator, db: Session) -> None:
    _, message = _queue(db, "+15005550009", "hello")  # not a mobile number
    sender.send_due()
    db.refresh(message)
    assert message.status == FAILED and message.error_code == "21614"


def test_unsubscribed_recipient_is_marked_opted_out(simulator, db: Session) -> None:
    participant, message = _queue(db, "+15005550004", "hello")
    sender.send_due()
    db.refresh(message)
    db.refresh(participant)
    assert message.status == FAILED and message.error_code == "21610"
    assert participant.sms_opted_out is True


def test_server_errors_are_retried_later(simulator, db: Session) -> None:
    _, message = _queue(db, "+15005550500", "hello")
    sender.send_due()
    db.refresh(message)
    assert message.status == PENDING and message.attempts == 1
    assert sender.send_due() == 0  # backing off, not hammering


def test_unreachable_twilio_is_retried(monkeypatch: pytest.MonkeyPatch, db: Session) -> None:
    monkeypatch.setenv("TWILIO_API_BASE", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    twilio_sms.client.cache_clear()
    try:
        _, message = _queue(db, f.phone(), "hello")
        sender.send_due()
        db.refresh(message)
        assert message.status == PENDING and message.error_code is None
    finally:
        get_settings.cache_clear()
        twilio_sms.client.cache_clear()


def test_opted_out_participants_get_only_the_opt_out_confirmation(simulator, db: Session) -> None:
    """Checked at send time: whatever was queued, only the confirmation itself leaves."""
    phone = f.phone()
    participant, reply = _queue(db, phone, "a reply")
    _, help_text = _queue(db, phone, "Reply STOP to opt out", kind="compliance")
    participant.sms_opted_out = True  # however it got there, the sender checks it
    _, confirmation = _queue(db, phone, "You're unsubscribed", kind="opt_out_confirmation")
    sender.send_due()
    for message in (reply, help_text, confirmation):
        db.refresh(message)
    assert (reply.status, reply.error_code) == (CANCELLED, "opted_out")
    assert (help_text.status, help_text.error_code) == (CANCELLED, "opted_out")  # before STOP
    assert confirmation.status == SENT
    assert [m["body"] for m in _received(simulator, phone)] == ["You're unsubscribed"]


def test_status_callback_without_message_sid_changes_nothing(client, db: Session) -> None:
    participant, waiting = _queue(db, f.phone(), "not sent yet")  # provider_id is NULL
    params = {"MessageStatus": "failed", "ErrorCode": "21610"}
    path = "/channels/twilio/status"
    response = client.post(path, data=params, headers={"X-Twilio-Signature": f.sign(path, params)})
    assert response.status_code == 200
    db.refresh(waiting)
    db.refresh(participant)
    assert waiting.status == PENDING and waiting.error_code is None
    assert participant.sms_opted_out is False


def test_a_dead_workers_claim_is_recovered_only_after_its_lease(simulator, db: Session) -> None:
    phone = f.phone()
    _, message = _queue(db, phone, "claimed by a worker that died")
    now = utcnow()
    # What a claim leaves behind: sending, with an explicit lease.
    message.status, message.attempts = SENDING, 1
    message.claimed_at, message.lease_until = (
        now - timedelta(seconds=30),
        now + timedelta(seconds=90),
    )
    db.commit()
    assert sender.send_due() == 0  # the lease still runs: the worker may be mid-send
    assert _received(simulator, phone) == []
    message.lease_until = now - timedelta(seconds=1)
    db.commit()
    assert sender.send_due() == 1  # the lease ran out: recovered, once
    assert sender.send_due() == 0
    db.refresh(message)
    assert message.status == SENT and message.attempts == 2
    assert [m["body"] for m in _received(simulator, phone)] == ["claimed by a worker that died"]


def test_a_claim_records_who_holds_the_row_and_until_when(db: Session) -> None:
    _, message = _queue(db, f.phone(), "hello")
    before = utcnow()
    [claim] = sender.claim(10)
    db.refresh(message)
    assert claim.id == message.id and claim.attempts == 1
    assert message.status == SENDING and message.claimed_at is not None
    assert message.claimed_at >= before
    assert message.lease_until == message.claimed_at + sender.SEND_LEASE
    assert sender.claim(10) == []  # a claimed row matches no other claim


def test_status_callbacks_are_signed_and_never_go_backwards(client, db: Session) -> None:
    _, message = _queue(db, f.phone(), "hello")
    message.provider_id, message.status = "SM" + "a" * 32, SENT
    db.commit()

    def callback(status: str, signature: str | None = None, **extra: str) -> int:
        params = {"MessageSid": message.provider_id or "", "MessageStatus": status, **extra}
        path = "/channels/twilio/status"
        sig = signature if signature is not None else f.sign(path, params)
        return client.post(path, data=params, headers={"X-Twilio-Signature": sig}).status_code

    assert callback("delivered", signature="forged") == 403
    db.refresh(message)
    assert message.status == SENT
    assert callback("delivered") == 200
    assert callback("sent") == 200  # late and out of order
    db.refresh(message)
    assert message.status == DELIVERED
    assert callback("failed", ErrorCode="30008") == 200
    assert callback("delivered") == 200  # failed never turns back into delivered
    db.refresh(message)
    assert message.status == FAILED and message.error_code == "30008"


def test_phone_numbers_are_only_decrypted_to_send(db: Session) -> None:
    phone = f.phone()
    participant = conversations.participant_for_phone(phone, db_session=db)
    assert conversations.participant_for_phone(phone, db_session=db).id == participant.id
    assert participant.phone_hash == crypto.lookup_hash(phone)
    assert conversations.phone_of(participant) == phone


def test_status_callback_that_beats_the_senders_record_is_kept(client, db: Session) -> None:
    """Twilio may call back before the sender has recorded its answer: the row is found by
    the outbox id in the signed callback URL, and the sender's record doesn't undo it."""
    _, message = _queue(db, f.phone(), "hello")
    [claim] = sender.claim(10)
    sid = "SM" + "c" * 32
    params = {"MessageSid": sid, "MessageStatus": "delivered"}
    path = f"/channels/twilio/status?m={message.id}"
    response = client.post(path, data=params, headers={"X-Twilio-Signature": f.sign(path, params)})
    assert response.status_code == 200
    db.refresh(message)
    assert (message.status, message.provider_id) == (DELIVERED, sid)
    with session_scope() as s:
        sender._record_sent(s, claim, sid)
    db.refresh(message)
    assert message.status == DELIVERED and message.sent_at is not None
    # an unsigned reference can't be used to touch another row
    other = "SM" + "d" * 32
    forged = client.post(
        path,
        data={"MessageSid": other, "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": "x"},
    )
    assert forged.status_code == 403
