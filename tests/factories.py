"""Small factories per area, and the Twilio signing helper tests share."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from api.config import get_settings
from api.conversations.models import Conversation, InboundMessage, Participant
from api.outbox.models import OutboundMessage

_counter = iter(range(10_000, 99_999))


def phone() -> str:
    return f"+1555{next(_counter):07d}"


def sign(path: str, params: dict[str, str]) -> str:
    settings = get_settings()
    return RequestValidator(settings.twilio_auth_token).compute_signature(
        f"{settings.public_base_url}{path}", params
    )


def sms_params(sender: str, body: str, **extra: Any) -> dict[str, str]:
    sid = extra.pop("sid", f"SM{next(_counter):032d}")
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": get_settings().twilio_account_sid,
        "From": sender,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }
    params.update({k: str(v) for k, v in extra.items()})
    return params


def post_sms(client: TestClient, params: dict[str, str], signature: str | None = None):  # type: ignore[no-untyped-def]
    from api.conversations import runner

    path = "/channels/twilio/sms"
    response = client.post(
        path,
        data=params,
        headers={"X-Twilio-Signature": signature if signature is not None else sign(path, params)},
    )
    runner.get().wait_idle(timeout=60)  # the turn runs after the acknowledgement
    return response


def sms_text(key: str, language: str) -> str:
    """What a participant's phone shows for a template: rendered, then cleaned for SMS."""
    from api.i18n.catalog import program_args, render
    from api.i18n.sms import clean_for_sms

    return clean_for_sms(render(key, language, program_args()).text)


def inbound(db: Session) -> list[InboundMessage]:
    return list(db.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def outbound(db: Session, channel: str | None = None) -> list[OutboundMessage]:
    query = select(OutboundMessage).order_by(OutboundMessage.id)
    if channel:
        query = query.where(OutboundMessage.channel == channel)
    return list(db.scalars(query))


def participants(db: Session) -> list[Participant]:
    return list(db.scalars(select(Participant)))


def conversations(db: Session) -> list[Conversation]:
    return list(db.scalars(select(Conversation)))
