"""Putting messages in the outbox, and taking them back. Sending is api/outbox/sender.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from api.channels import registry
from api.conversations.models import Conversation
from api.i18n import sms
from api.outbox.models import CANCELLED, PENDING, OutboundMessage


def enqueue(
    conversation: Conversation,
    text: str,
    *,
    buttons: list[dict[str, Any]] | None = None,
    kind: str = "reply",
    db_session: Session,
) -> OutboundMessage:
    body = registry.get(conversation.channel).clean(text)  # each channel's own cleanup
    message = OutboundMessage(
        conversation_id=conversation.id,
        participant_id=conversation.participant_id,
        channel=conversation.channel,
        kind=kind,
        body=body,
        buttons=buttons or None,
        segments=sms.segments(body),
        status=PENDING,
    )
    db_session.add(message)
    db_session.flush()
    return message


def enqueue_to_number(number: str, text: str, *, kind: str, db_session: Session) -> OutboundMessage:
    """An SMS to someone who is not a participant (a partner), kept encrypted like phones."""
    from api import crypto

    body = sms.clean_for_sms(text)
    message = OutboundMessage(
        channel="sms",
        kind=kind,
        body=body,
        recipient_encrypted=crypto.encrypt(number),
        segments=sms.segments(body),
        status=PENDING,
    )
    db_session.add(message)
    db_session.flush()
    return message


def cancel_pending_sms(participant_id: str, *, reason: str, db_session: Session) -> int:
    """Cancel every SMS still waiting for this participant; returns how many.

    A row a sender has already claimed is checked again by the sender right before it calls
    Twilio, so an opt-out recorded now stops it too.
    """
    result = db_session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.participant_id == participant_id,
            OutboundMessage.channel == "sms",
            OutboundMessage.status == PENDING,
        )
        .values(status=CANCELLED, error_code=reason)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
