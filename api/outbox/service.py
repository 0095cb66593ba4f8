"""Putting messages in the outbox, and taking them back. Sending is api/outbox/sender.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.channels import registry
from api.conversations.models import Conversation
from api.i18n import sms, style
from api.outbox.models import CANCELLED, DROPPED, PENDING, SENDING, OutboundMessage


def enqueue(
    conversation: Conversation,
    text: str,
    *,
    buttons: list[dict[str, Any]] | None = None,
    kind: str = "reply",
    quiet_zone: str | None = None,
    db_session: Session,
) -> OutboundMessage:
    """`quiet_zone`: the recipient's zone when the message is not a reply to what they just
    sent (a partner's answer, a staff message): the sender keeps it out of quiet hours."""
    text = style.apply(
        text, conversation.participant_id, channel=conversation.channel, db_session=db_session
    )  # the participant's text style (Vietnamese without marks), then the channel's cleanup
    body = registry.get(conversation.channel).clean(text)
    message = OutboundMessage(
        conversation_id=conversation.id,
        participant_id=conversation.participant_id,
        channel=conversation.channel,
        kind=kind,
        body=body,
        buttons=buttons or None,
        segments=sms.segments(body),
        status=PENDING,
        quiet_zone=quiet_zone,
    )
    db_session.add(message)
    db_session.flush()
    return message


def enqueue_to_number(
    number: str, text: str, *, kind: str, quiet_zone: str | None = None, db_session: Session
) -> OutboundMessage:
    """An SMS to someone who is not a participant (a partner), kept encrypted like phones;
    `quiet_zone` the partner's zone (a notice: quiet hours apply)."""
    from api import crypto

    body = sms.clean_for_sms(text)
    message = OutboundMessage(
        channel="sms",
        kind=kind,
        body=body,
        recipient_encrypted=crypto.encrypt(number),
        segments=sms.segments(body),
        status=PENDING,
        quiet_zone=quiet_zone,
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


def enqueue_planned(
    *,
    idempotency_key: str,
    channel: str,
    kind: str,
    body: str,
    participant_id: str,
    conversation_id: str | None,
    appointment_id: str | None,
    send_at: datetime,
    not_after: datetime | None,
    quiet_zone: str | None,
    status_reason: str | None = None,
    db_session: Session,
) -> OutboundMessage | None:
    """A planned message (a reminder): inserted once per `idempotency_key`, or skipped when
    the key is there already (ON CONFLICT DO NOTHING on both backends, so two planners at
    once never make two rows). Returns the new row, or None when it was already planned.
    `status_reason` set: the row is recorded as dropped (planned, never sent: the audit)."""
    body = style.apply(body, participant_id, channel=channel, db_session=db_session)
    body = registry.get(channel).clean(body)
    values = dict(
        idempotency_key=idempotency_key, channel=channel, kind=kind, body=body,
        participant_id=participant_id, conversation_id=conversation_id,
        appointment_id=appointment_id, next_attempt_at=send_at, not_after=not_after,
        quiet_zone=quiet_zone, segments=sms.segments(body),
        status=DROPPED if status_reason else PENDING, status_reason=status_reason,
    )  # fmt: skip
    dialect = postgresql if db_session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(OutboundMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboundMessage.id)
    )
    new_id = db_session.execute(statement).scalar()
    return db_session.get(OutboundMessage, new_id) if new_id is not None else None


def cancel_planned(appointment_id: str, *, reason: str, db_session: Session) -> int:
    """Cancel an appointment's planned messages still waiting (cancelled, moved); returns
    how many. Their keys (and those of rows dropped at planning) are freed, suffixed with
    the row id, so planning the same appointment at the same time again makes new rows."""
    rows = db_session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.appointment_id == appointment_id,
            OutboundMessage.status.in_((PENDING, SENDING, DROPPED)),
            OutboundMessage.idempotency_key.is_not(None),
        )
    ).all()
    cancelled = 0
    for row in rows:
        if row.status != DROPPED:  # a claimed row: the sender sees it is no longer sending
            row.status, row.status_reason = CANCELLED, reason
            cancelled += 1
        row.idempotency_key = f"{row.idempotency_key}#{row.id}"
    db_session.flush()
    return cancelled
