"""Putting messages in the outbox. Sending is the worker's job (api/outbox/worker.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.conversations.models import Conversation
from api.i18n import sms
from api.outbox.models import PENDING, OutboundMessage


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
