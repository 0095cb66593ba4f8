"""The outbox worker sends with the real twilio client to our Twilio-compatible server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session

from api import crypto
from api.channels import twilio_sms
from api.channels.simulator.server import create_simulator_app
from api.config import get_settings
from api.conversations import service as conversations
from api.outbox import sender
from api.outbox import service as outbox
from api.outbox.models import CANCELLED, DELIVERED, FAILED, PENDING, SENT
from tests import factories as f
from tests.support.servers import ThreadServer, free_port


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadServer]:
    # Callbacks go to a closed local port here; test_status_callbacks covers them.
    app = create_simulator_app(get_settings(), app_url=f"http://127.0.0.1:{free_port()}")
    with ThreadServer(app) as server:
        monkeypatch.setenv("TWILIO_API_BASE", server.url)
        get_settings.cache_clear()
        twilio_sms.client.cache_clear()
        yield server
    get_settings.cache_clear()
    twilio_sms.client.cache_clear()


def _queue(db: Session, phone: str, body: str, kind: str = "reply"):  # type: ignore[no-untyped-def]
    participant = conversations.participant_for_phone(phone, db_session=db)
    conversation = conversations.current_conversation(participant, "sms", db_session=db)
    message = outbox.enqueue(conversation, body, kind=kind, db_session=db)
    db.commit()
    return participant, message


def _received(server: ThreadServer, phone: str) -> list[dict]:  # type: ignore[type-arg]
    return httpx.get(f"{server.url}/sim/messages", params={"phone": phone}).json()


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
    assert got["status_callback"] == "https://firstcall.test/channels/twilio/status"


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


def test_opted_out_participants_get_only_compliance_messages(simulator, db: Session) -> None:
    phone = f.phone()
    participant, reply = _queue(db, phone, "a reply")
    participant.sms_opted_out = True
    _, confirmation = _queue(db, phone, "You're unsubscribed", kind="compliance")
    sender.send_due()
    db.refresh(reply)
    db.refresh(confirmation)
    assert reply.status == CANCELLED and confirmation.status == SENT
    assert [m["body"] for m in _received(simulator, phone)] == ["You're unsubscribed"]


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
