"""The Twilio SMS webhook: signatures, storing first, dedupe, keywords, odd input."""

from __future__ import annotations

from xml.etree import ElementTree

from sqlalchemy.orm import Session

from api import crypto
from tests import factories as f


def twiml_messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    root = ElementTree.fromstring(response.text)
    assert root.tag == "Response"
    return [el.text or "" for el in root.findall("./Message")]


def test_signed_message_is_stored_and_answered_with_empty_twiml(client, db: Session, org) -> None:
    sender = f.phone()
    response = f.post_sms(client, f.sms_params(sender, "hello there"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert twiml_messages(response) == []  # replies go through the outbox, not TwiML
    [message] = f.inbound(db)
    assert message.text == "hello there"
    [participant] = f.participants(db)
    assert participant.org_id == org.id
    # the phone number is never stored in clear
    assert participant.phone_hash == crypto.lookup_hash(sender)
    assert sender not in (participant.phone_encrypted or "")
    assert crypto.decrypt(participant.phone_encrypted or "") == sender


def test_unsigned_or_forged_requests_are_refused_and_not_stored(client, db: Session) -> None:
    params = f.sms_params(f.phone(), "hi")
    assert f.post_sms(client, params, signature="").status_code == 403
    forged = f.sign("/channels/twilio/sms", params)
    tampered = {**params, "Body": "something else"}
    assert f.post_sms(client, tampered, signature=forged).status_code == 403
    wrong_url = client.post(
        "/channels/twilio/sms?x=1", data=params, headers={"X-Twilio-Signature": forged}
    )
    assert wrong_url.status_code == 403
    assert f.inbound(db) == []
    assert f.participants(db) == []


def test_twilio_retry_of_the_same_message_is_stored_once(client, db: Session) -> None:
    params = f.sms_params(f.phone(), "hello")
    assert f.post_sms(client, params).status_code == 200
    assert f.post_sms(client, params).status_code == 200
    assert len(f.inbound(db)) == 1


def test_engine_down_gives_localized_trouble_reply_and_keeps_message_queued(
    client, db: Session
) -> None:
    f.post_sms(client, f.sms_params(f.phone(), "hola, necesito ayuda con la renta"))
    [message] = f.inbound(db)
    assert message.status == "pending"  # kept for the worker to retry
    assert message.attempts == 1
    [reply] = f.outbound(db)
    assert reply.kind == "error"
    assert reply.body == f.sms_text("error.trouble", "es")
    [participant] = f.participants(db)
    assert participant.language == "es"  # detected from the first message
    assert reply.status == "pending"  # the worker sends it


def test_stop_start_help_are_answered_before_nlu(client, db: Session) -> None:
    sender = f.phone()
    f.post_sms(client, f.sms_params(sender, "STOP"))
    [participant] = f.participants(db)
    db.refresh(participant)
    assert participant.sms_opted_out is True
    f.post_sms(client, f.sms_params(sender, "i still want to talk"))
    f.post_sms(client, f.sms_params(sender, "  Start "))
    db.refresh(participant)
    assert participant.sms_opted_out is False
    f.post_sms(client, f.sms_params(sender, "help"))
    statuses = [m.status for m in f.inbound(db)]
    assert statuses == ["keyword", "opted_out", "keyword", "keyword"]
    bodies = [m.body for m in f.outbound(db)]
    assert len(bodies) == 3  # nothing was sent in reply to the opted-out message
    assert "START" in bodies[0]
    assert "HELP" in bodies[1]
    help_text = bodies[2]
    assert "Msg & data rates may apply" in help_text and "STOP" in help_text
    assert "Workforce Connect" in help_text
    # only the opt-out confirmation may go to someone who opted out
    assert [m.kind for m in f.outbound(db)] == ["opt_out_confirmation", "compliance", "compliance"]


def test_media_only_and_empty_messages_get_a_sensible_reply(client, db: Session) -> None:
    sender = f.phone()
    media = f.sms_params(sender, "", NumMedia="1", MediaUrl0="https://example.invalid/a.jpg")
    assert f.post_sms(client, media).status_code == 200
    assert f.post_sms(client, f.sms_params(sender, "   ")).status_code == 200
    replies = [m.body for m in f.outbound(db)]
    assert replies == [f.sms_text("sms.media_only", "en"), f.sms_text("message.empty", "en")]
    assert [m.status for m in f.inbound(db)] == ["done", "done"]


def test_huge_and_emoji_messages_are_stored_truncated_without_5xx(client, db: Session) -> None:
    sender = f.phone()
    huge = "ayuda " * 2000
    assert f.post_sms(client, f.sms_params(sender, huge)).status_code == 200
    assert f.post_sms(client, f.sms_params(sender, "🙏🏽🏠❓")).status_code == 200
    first, second = f.inbound(db)
    assert first.truncated is True and len(first.text) == 1600
    assert second.text == "🙏🏽🏠❓"


def test_missing_from_gets_no_5xx(client, db: Session) -> None:
    params = f.sms_params("", "hi")
    assert f.post_sms(client, params).status_code == 200
    assert f.inbound(db) == []
