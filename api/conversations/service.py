"""Participants and conversations: find or create them, store inbound messages first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import crypto
from api.config import get_settings
from api.conversations.models import Conversation, InboundMessage, Participant
from api.db import utcnow
from api.i18n.locales import normalize_tag
from api.outbox import service as outbox
from api.staff import service as staff

# A conversation left idle this long starts afresh (the participant keeps their language).
CONVERSATION_IDLE = timedelta(days=30)


def participant_for_phone(phone: str, *, db_session: Session) -> Participant:
    digest = crypto.lookup_hash(phone)
    found = db_session.scalar(select(Participant).where(Participant.phone_hash == digest))
    if found is not None:
        return found
    participant = Participant(
        phone_hash=digest,
        phone_encrypted=crypto.encrypt(phone),
        org_id=staff.default_org_id(db_session=db_session),
    )
    try:
        with db_session.begin_nested():
            db_session.add(participant)
    except IntegrityError:  # the same phone's first two texts raced; the other one won
        return db_session.scalars(select(Participant).where(Participant.phone_hash == digest)).one()
    return participant


def new_web_participant(language: str | None, *, db_session: Session) -> Participant:
    participant = Participant(
        language=normalize_tag(language),
        language_confirmed=normalize_tag(language) is not None,
        org_id=staff.default_org_id(db_session=db_session),
    )
    db_session.add(participant)
    db_session.flush()
    return participant


def phone_of(participant: Participant) -> str | None:
    return crypto.decrypt(participant.phone_encrypted) if participant.phone_encrypted else None


def current_conversation(
    participant: Participant, channel: str, *, db_session: Session
) -> Conversation:
    conversation = db_session.scalars(
        select(Conversation)
        .where(Conversation.participant_id == participant.id, Conversation.channel == channel)
        .order_by(Conversation.last_activity_at.desc())
        .limit(1)
    ).first()
    now = utcnow()
    if conversation is None or now - conversation.last_activity_at > CONVERSATION_IDLE:
        conversation = Conversation(participant_id=participant.id, channel=channel)
        db_session.add(conversation)
        db_session.flush()
    return conversation


@dataclass(frozen=True)
class Stored:
    message: InboundMessage
    duplicate: bool


def store_inbound(
    conversation: Conversation,
    text: str,
    *,
    external_id: str | None,
    media_count: int = 0,
    db_session: Session,
) -> Stored:
    """Store the message before anything else happens. A retried delivery is a duplicate."""
    limit = get_settings().max_message_chars
    clean = (text or "").replace("\x00", "").strip()
    message = InboundMessage(
        conversation_id=conversation.id,
        channel=conversation.channel,
        external_id=external_id,
        text=clean[:limit],
        truncated=len(clean) > limit,
        media_count=media_count,
        # The app tries at once; the worker's retry sweep waits out this grace period.
        next_attempt_at=utcnow() + timedelta(seconds=get_settings().inbound_retry_after_seconds),
    )
    if external_id is not None:
        existing = db_session.scalar(
            select(InboundMessage).where(
                InboundMessage.channel == conversation.channel,
                InboundMessage.external_id == external_id,
            )
        )
        if existing is not None:
            return Stored(existing, duplicate=True)
    try:
        with db_session.begin_nested():
            db_session.add(message)
    except IntegrityError:
        existing = db_session.scalars(
            select(InboundMessage).where(
                InboundMessage.channel == conversation.channel,
                InboundMessage.external_id == external_id,
            )
        ).one()
        return Stored(existing, duplicate=True)
    conversation.last_activity_at = utcnow()
    return Stored(message, duplicate=False)


def set_language(participant: Participant, tag: str, *, confirmed: bool = True) -> bool:
    """Record a participant's language; returns True when it changed."""
    normalized = normalize_tag(tag)
    if normalized is None:
        return False
    changed = participant.language != normalized
    participant.language = normalized
    participant.language_confirmed = participant.language_confirmed or confirmed
    return changed


def opt_out_of_sms(
    participant: Participant, *, by_message_id: int | None = None, db_session: Session
) -> int:
    """Record an SMS opt-out (STOP, a free-text opt-out, Twilio's 21610) and cancel what waits.

    `by_message_id` is the inbound message that asked: its own reply, the confirmation, is
    the only one sent from now on. Returns how many queued texts were cancelled.
    """
    participant.sms_opted_out = True
    participant.sms_opted_out_at = utcnow()
    participant.sms_opt_out_message_id = by_message_id
    db_session.flush()
    return outbox.cancel_pending_sms(participant.id, reason="opted_out", db_session=db_session)


def opt_in_to_sms(participant: Participant) -> None:
    """START or UNSTOP: texts may be sent again."""
    participant.sms_opted_out = False
    participant.sms_opted_out_at = None
    participant.sms_opt_out_message_id = None
