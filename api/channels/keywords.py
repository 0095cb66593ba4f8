"""Carrier keywords (STOP, START, HELP and friends), answered before NLU, in any language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations import service as conversations
from api.conversations.models import Conversation, InboundMessage, Participant
from api.i18n.catalog import program_args, render
from api.i18n.folding import fold
from api.outbox import service as outbox
from api.outbox.models import COMPLIANCE, OPT_OUT_CONFIRMATION

OPT_OUT = {"stop", "stopall", "unsubscribe", "end", "quit", "revoke", "optout", "cancel"}
OPT_IN = {"start", "unstop", "yes start"}
HELP = {"help", "info"}


def keyword_of(text: str) -> str | None:
    word = fold(text)
    if word in OPT_OUT:
        return "stop"
    if word in OPT_IN:
        return "start"
    if word in HELP:
        return "help"
    return None


def handle(
    message: InboundMessage,
    participant: Participant,
    conversation: Conversation,
    *,
    db_session: Session,
) -> bool:
    """Answer a bare carrier keyword; True when the message was one (it never reaches NLU)."""
    keyword = keyword_of(message.text)
    if keyword is None:
        return False
    settings = get_settings()
    language = participant.language or settings.program_default_language
    kind = COMPLIANCE
    if keyword == "stop":  # everything still queued is cancelled; the confirmation follows
        conversations.opt_out_of_sms(participant, by_message_id=message.id, db_session=db_session)
        kind = OPT_OUT_CONFIRMATION
    elif keyword == "start":
        conversations.opt_in_to_sms(participant)
    rendered = render(f"sms.{keyword}", language, program_args())
    outbox.enqueue(conversation, rendered.text, kind=kind, db_session=db_session)
    message.status = "keyword"
    return True
