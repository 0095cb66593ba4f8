"""Every channel the app speaks, by name. A new channel is one module and one line here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.channels.base import Channel, Message
from api.channels.sms_channel import SmsChannel
from api.channels.web_channel import WebChannel

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from api.conversations.models import Conversation
    from api.outbox.models import OutboundMessage

_CHANNELS: dict[str, Channel] = {
    "sms": SmsChannel(),
    "web": WebChannel(),
}


def get(name: str) -> Channel:
    try:
        return _CHANNELS[name]
    except KeyError:
        raise ValueError(f"unknown channel {name!r}") from None


def names() -> list[str]:
    return list(_CHANNELS)


def say(
    conversation: Conversation,
    message: Message,
    language: str | None,
    *,
    kind: str = "reply",
    db_session: Session,
) -> OutboundMessage:
    """Render a channel-neutral message for the conversation's channel and put it in the
    outbox: the one way turns and services send something."""
    from api.outbox import service as outbox

    out = get(conversation.channel).render(message, language)
    return outbox.enqueue(
        conversation, out.body, buttons=out.buttons, kind=kind, db_session=db_session
    )
