"""Putting messages in the outbox. Sending is the worker's job (api/outbox/worker.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation
from api.db import utcnow
from api.i18n import sms
from api.outbox.models import DELIVERED, PENDING, OutboundMessage


def enqueue(
    conversation: Conversation,
    text: str,
    *,
    buttons: list[dict[str, Any]] | None = None,
    kind: str = "reply",
    db_session: Session,
) -> OutboundMessage:
    body = sms.clean_for_sms(text) if conversation.channel == "sms" else text
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


def take_web_messages(conversation_id: str, *, db_session: Session) -> list[OutboundMessage]:
    """Web chat delivery: hand over what is waiting for this conversation, oldest first."""
    waiting = list(
        db_session.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.conversation_id == conversation_id,
                OutboundMessage.channel == "web",
                OutboundMessage.status == PENDING,
            )
            .order_by(OutboundMessage.id)
        )
    )
    now = utcnow()
    for message in waiting:
        message.status = DELIVERED
        message.sent_at = now
        message.attempts += 1
    return waiting
