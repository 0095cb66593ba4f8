"""Taking stored inbound messages through the dialogue engine, in order, exactly once each.

A message is claimed with an atomic status change and a lease, so the app's immediate
attempt and the worker's retry sweep never process it twice, and a crashed attempt is
picked up again once its lease runs out. Turns of one conversation run oldest first.

No database transaction is held while the engine works: Rasa calls our action server,
which writes to the same database. So a turn is: claim and prepare (one unit of work),
the engine call, then record the outcome (a second unit of work).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api.channels import registry
from api.channels.base import Message
from api.config import get_settings
from api.conversations import crisis, engine
from api.conversations import service as conversations
from api.conversations.models import Conversation, InboundMessage, Participant
from api.db import session_scope, utcnow
from api.i18n import detect
from api.i18n.catalog import program_args, render
from api.outbox.models import OPT_OUT_CONFIRMATION
from api.reminders import replies

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 50
CRISIS_PAYLOAD = "/crisis"
LANGUAGE_MENU_PAYLOAD = "/choose_language"


@dataclass(frozen=True)
class Prepared:
    message_id: int
    conversation_id: str
    text: str  # what the engine is sent: the words, a menu payload, or the crisis override
    metadata: dict[str, Any]
    crisis: bool
    attempts: int


def _reply(
    conversation: Conversation, language: str | None, key: str, *, kind: str, db_session: Session
) -> None:
    default = get_settings().program_default_language
    rendered = render(key, language, program_args(), program_default=default)
    registry.say(
        conversation, Message.of(rendered.text), language, kind=kind, db_session=db_session
    )


def _chosen_language(payload: str) -> str | None:
    if not payload.startswith(LANGUAGE_MENU_PAYLOAD + "{"):
        return None
    try:
        value = json.loads(payload[len(LANGUAGE_MENU_PAYLOAD) :]).get("language")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _language_menu(conversation: Conversation, *, db_session: Session) -> None:
    rendered = render("utter_language_menu", None)
    menu = Message.of(rendered.text, rendered.buttons)
    registry.say(conversation, menu, "en", db_session=db_session)  # every language in it
    conversation.last_menu = rendered.buttons


@dataclass(frozen=True)
class _Due:
    """The message a turn would take, read without any write lock."""

    message_id: int
    status: str
    attempts: int
    guess: detect.Detected | None  # the language, when the turn will need to guess it


def _next_due(conversation_id: str, *, immediate: bool) -> _Due | None:
    """The conversation's oldest unfinished message, if it is due now (a read-only unit).

    Language detection runs here, outside any write transaction: a turn never holds the
    write lock while it computes.
    """
    now = utcnow()
    with session_scope(read_only=True) as db:
        message = db.scalars(
            select(InboundMessage)
            .where(
                InboundMessage.conversation_id == conversation_id,
                InboundMessage.status.in_(("pending", "processing")),
            )
            .order_by(InboundMessage.id)
            .limit(1)
        ).first()
        if message is None:
            return None
        if (
            message.status == "processing"
            and message.claimed_at
            and now - message.claimed_at < LEASE
        ):
            return None  # another process has it
        first_try = immediate and message.attempts == 0
        if message.status == "pending" and message.next_attempt_at > now and not first_try:
            return None  # waiting to be retried
        conversation = db.get(Conversation, message.conversation_id)
        participant = db.get(Participant, conversation.participant_id) if conversation else None
        assert conversation is not None and participant is not None
        guess = None
        if (
            message.text
            and participant.language is None
            and not message.crisis
            and registry.get(conversation.channel).resolve_reply(
                message.text, conversation.last_menu
            )
            is None
        ):
            guess = detect.detect(message.text)
        return _Due(message.id, message.status, message.attempts, guess)


def _claim(conversation_id: str, *, immediate: bool) -> Prepared | None:
    """Claim the conversation's oldest unfinished message and prepare its turn.

    `immediate` is the app's first attempt right after storing: it may take a message that
    was never tried even though its retry time (a grace period for the worker) is ahead.
    Messages that need no engine (empty, media only) are answered and finished here.
    The claim is an atomic status change (compare-and-set on the status and attempts read).
    """
    due = _next_due(conversation_id, immediate=immediate)
    if due is None:
        return None
    with session_scope() as db:
        claimed = db.execute(
            update(InboundMessage)
            .where(
                InboundMessage.id == due.message_id,
                InboundMessage.status == due.status,
                InboundMessage.attempts == due.attempts,
            )
            .values(status="processing", claimed_at=utcnow(), attempts=due.attempts + 1)
            .execution_options(synchronize_session="fetch")
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        message = db.get(InboundMessage, due.message_id)
        assert message is not None
        conversation = db.get(Conversation, message.conversation_id)
        assert conversation is not None
        participant = db.get(Participant, conversation.participant_id)
        assert participant is not None
        return _prepare(message, conversation, participant, due.guess, db_session=db)


def _prepare(
    message: InboundMessage,
    conversation: Conversation,
    participant: Participant,
    guess: detect.Detected | None,
    *,
    db_session: Session,
) -> Prepared:
    if not message.text:
        key = "sms.media_only" if message.media_count else "message.empty"
        _reply(conversation, participant.language, key, kind="reply", db_session=db_session)
        _finish(message)
        return Prepared(message.id, conversation.id, "", {}, False, message.attempts)

    text = message.text
    # Normally answered when stored; this covers a message stored by any other path.
    is_crisis = crisis.answer_at_once(message, participant, conversation, db_session=db_session)
    if not is_crisis and replies.handle(message, participant, conversation, db_session=db_session):
        _finish(message)  # a reply to a reminder (or its menu of times): answered, no engine
        return Prepared(message.id, conversation.id, "", {}, False, message.attempts)
    payload = registry.get(conversation.channel).resolve_reply(text, conversation.last_menu)
    if participant.language is None and payload is None and not is_crisis:
        detected = guess or detect.detect(text)
        if not detected.sure or detected.tag is None:
            # Unsure, or a language we don't speak: ask, in every language at once.
            _language_menu(conversation, db_session=db_session)
            _finish(message)
            return Prepared(message.id, conversation.id, "", {}, False, message.attempts)
        participant.language = detected.tag  # a guess, kept until they choose another
    if is_crisis:
        text = CRISIS_PAYLOAD  # the safety net overrides the classifier
    elif payload is not None:
        text = payload
        chosen = _chosen_language(payload)
        if chosen is not None:  # the app owns the language: set it now, not after the engine
            conversations.set_language(participant, chosen)
    metadata = {
        "channel": conversation.channel,
        "language": participant.language,
        "message_id": message.id,  # the turn's idempotency key
    }
    return Prepared(message.id, conversation.id, text, metadata, is_crisis, message.attempts)


def process_conversation(conversation_id: str, *, immediate: bool = False) -> int:
    """Process the conversation's waiting messages in order; returns how many were done."""
    done = 0
    while (prepared := _claim(conversation_id, immediate=immediate)) is not None:
        if not prepared.text:  # answered without the engine
            done += 1
            continue
        try:
            replies = engine.send(prepared.conversation_id, prepared.text, prepared.metadata)
        except engine.EngineUnavailable as exc:
            log.warning("engine unavailable for message %s: %s", prepared.message_id, exc)
            with session_scope() as db:
                _engine_down(prepared, str(exc), db_session=db)
            break
        with session_scope() as db:
            _record(prepared, replies, db_session=db)
        done += 1
    return done


def _engine_down(prepared: Prepared, error: str, *, db_session: Session) -> None:
    message = db_session.get(InboundMessage, prepared.message_id)
    conversation = db_session.get(Conversation, prepared.conversation_id)
    assert message is not None and conversation is not None
    participant = db_session.get(Participant, conversation.participant_id)
    assert participant is not None
    if message.attempts == 1 and not prepared.crisis:  # a crisis had its resources already
        _reply(
            conversation, participant.language, "error.trouble", kind="error", db_session=db_session
        )
    message.status = "failed" if message.attempts >= MAX_ATTEMPTS else "pending"
    message.error = error[:200]
    message.next_attempt_at = utcnow() + _backoff(message.attempts)


def _record(prepared: Prepared, replies: list[engine.BotMessage], *, db_session: Session) -> None:
    message = db_session.get(InboundMessage, prepared.message_id)
    conversation = db_session.get(Conversation, prepared.conversation_id)
    assert message is not None and conversation is not None
    participant = db_session.get(Participant, conversation.participant_id)
    assert participant is not None
    # After an opt-out only its confirmation is sent: the replies to the very message that
    # opted out. A reply to anything else is cancelled by the sender.
    confirms_opt_out = (
        participant.sms_opted_out and participant.sms_opt_out_message_id == prepared.message_id
    )
    kind = OPT_OUT_CONFIRMATION if confirms_opt_out else "reply"
    language = participant.language or get_settings().program_default_language
    last_buttons: list[dict[str, Any]] | None = None
    for bot in replies:
        if prepared.crisis and crisis.is_crisis_text(bot.text):
            continue  # sent when the message was stored
        registry.say(
            conversation,
            Message.of(bot.text, bot.buttons),
            language,
            kind=kind,
            db_session=db_session,
        )
        last_buttons = bot.buttons or None
    conversation.last_menu = last_buttons
    if message.truncated:
        _reply(
            conversation,
            participant.language,
            "message.too_long",
            kind="reply",
            db_session=db_session,
        )
    _finish(message)


def _finish(message: InboundMessage) -> None:
    message.status = "done"
    message.processed_at = utcnow()
    message.error = None


def _backoff(attempts: int) -> timedelta:
    base = get_settings().inbound_retry_after_seconds
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 300))


def conversations_due(*, db_session: Session, limit: int = 100) -> list[str]:
    """Conversations with a message waiting for a retry, or a claim whose lease ran out."""
    now = utcnow()
    rows = db_session.execute(
        select(InboundMessage.conversation_id)
        .where(
            or_(
                (InboundMessage.status == "pending") & (InboundMessage.next_attempt_at <= now),
                (InboundMessage.status == "processing") & (InboundMessage.claimed_at < now - LEASE),
            )
        )
        .group_by(InboundMessage.conversation_id)
        .limit(limit)
    )
    return [row[0] for row in rows]
