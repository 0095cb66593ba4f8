"""The safety net at the door: a crisis is answered the moment its message is stored.

Resources (utter_crisis in the participant's language) and the urgent flag go out in the
same unit of work that stores the message, so they never wait behind older messages of
the conversation or for the engine. The turn still sends the engine `/crisis` later (the
dialogue goes on from there); the engine's own crisis text is then dropped, not sent twice.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.channels import registry
from api.channels.base import Message
from api.config import get_settings
from api.conversations.models import Conversation, InboundMessage, Participant
from api.handoff import service as handoff
from api.i18n.catalog import program_args, render
from api.i18n.locales import SUPPORTED_LOCALES
from api.safety import net

CRISIS_TEMPLATE = "utter_crisis"


def answer_at_once(
    message: InboundMessage,
    participant: Participant,
    conversation: Conversation,
    *,
    db_session: Session,
) -> bool:
    """Run the safety net on a just-stored message; True when it is a crisis.

    Idempotent: a message already answered is left alone.
    """
    if message.crisis:
        return True
    language = net.detect(message.text) if message.text else None
    if language is None:
        return False
    message.crisis = True
    if participant.language is None:
        participant.language = language  # never hold up a crisis with a language menu
    if not registry.get(conversation.channel).opted_out(participant):
        default = get_settings().program_default_language
        rendered = render(
            CRISIS_TEMPLATE, participant.language, program_args(), program_default=default
        )
        crisis_text = Message.of(rendered.text)
        registry.say(
            conversation, crisis_text, participant.language, kind="crisis", db_session=db_session
        )
    handoff.flag(
        participant,
        conversation,
        "crisis",
        db_session=db_session,
        message_id=message.id,
        urgent=True,
    )
    return True


def is_crisis_text(text: str) -> bool:
    """Whether an engine reply is the crisis text (in any of our languages)."""
    args = program_args()
    return any(text == render(CRISIS_TEMPLATE, tag, args).text for tag in SUPPORTED_LOCALES)
