"""Sending what the outbox holds: claim due rows, send each, record the outcome.

Claims are atomic status changes (pending -> sending), so several workers can run.
A row stuck in "sending" past its lease (a worker died mid-send) is tried again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select, update

from api.channels import twilio_sms
from api.conversations.models import Participant
from api.conversations.service import phone_of
from api.db import session_scope, utcnow
from api.outbox.models import CANCELLED, FAILED, PENDING, SENDING, SENT, OutboundMessage

log = logging.getLogger(__name__)

SEND_LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8


def _claim(limit: int) -> list[int]:
    now = utcnow()
    with session_scope() as db:
        candidates = list(
            db.scalars(
                select(OutboundMessage.id)
                .where(
                    OutboundMessage.channel == "sms",
                    or_(
                        (OutboundMessage.status == PENDING)
                        & (OutboundMessage.next_attempt_at <= now),
                        (OutboundMessage.status == SENDING)
                        & (OutboundMessage.next_attempt_at <= now - SEND_LEASE),
                    ),
                )
                .order_by(OutboundMessage.id)
                .limit(limit)
            )
        )
        claimed = []
        for message_id in candidates:
            result = db.execute(
                update(OutboundMessage)
                .where(
                    OutboundMessage.id == message_id,
                    OutboundMessage.status.in_((PENDING, SENDING)),
                    OutboundMessage.next_attempt_at <= now,
                )
                .values(
                    status=SENDING,
                    attempts=OutboundMessage.attempts + 1,
                    next_attempt_at=now,
                )
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(message_id)
        return claimed


def send_due(limit: int = 50) -> int:
    """Send due SMS from the outbox; returns how many were handed to Twilio."""
    sent = 0
    for message_id in _claim(limit):
        with session_scope() as db:
            message = db.get(OutboundMessage, message_id)
            assert message is not None
            participant = (
                db.get(Participant, message.participant_id) if message.participant_id else None
            )
            phone = phone_of(participant) if participant else None
            if phone is None:
                message.status, message.error_code = FAILED, "no_phone"
                continue
            if participant and participant.sms_opted_out and message.kind != "compliance":
                message.status, message.error_code = CANCELLED, "opted_out"
                continue
            try:
                sid = twilio_sms.send(phone, message.body)
            except twilio_sms.SendError as exc:
                log.warning("sms %s not sent: code=%s retry=%s", message.id, exc.code, exc.retry)
                message.error_code = exc.code
                if exc.code == "21610" and participant is not None:
                    participant.sms_opted_out = True
                if exc.retry and message.attempts < MAX_ATTEMPTS:
                    message.status = PENDING
                    message.next_attempt_at = utcnow() + timedelta(
                        seconds=min(2**message.attempts, 600)
                    )
                else:
                    message.status = FAILED
                continue
            message.status, message.provider_id, message.sent_at = SENT, sid, utcnow()
            sent += 1
    return sent
