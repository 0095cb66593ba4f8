"""Sending what the outbox holds: every row handed to Twilio once, by one sender.

1. **Claim** (`api/leases.py`, a short unit of work, committed): due rows become `sending`
   with an explicit lease (`claimed_at`, `lease_until`): `FOR UPDATE SKIP LOCKED` on
   PostgreSQL, a compare-and-set on the exact state read on SQLite.
2. **Send**: a short read checks the opt-out and finds the phone, then Twilio is called
   with no session open, so no transaction (and no SQLite write lock) waits on the network.
3. **Record** the outcome in a new short unit of work, only while the row is still this
   claim's (same attempts).

A row whose sender died stays `sending` until its lease runs out; only then is it claimed
again. The lease is far longer than the twilio client's 10 s timeout.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_
from sqlalchemy.orm import Session

from api import crypto, leases
from api.channels import twilio_sms
from api.conversations import service as conversations
from api.conversations.models import Participant
from api.db import session_scope, utcnow
from api.leases import Claim
from api.outbox.models import (
    CANCELLED,
    COMPLIANCE,
    FAILED,
    OPT_OUT_CONFIRMATION,
    PENDING,
    SENDING,
    SENT,
    OutboundMessage,
)

log = logging.getLogger(__name__)

SEND_LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8


def _due(now: datetime) -> Any:
    return and_(OutboundMessage.channel == "sms", leases.due(OutboundMessage, PENDING, now))


def claim(limit: int, *, now: datetime | None = None) -> list[Claim]:
    """Take up to `limit` due rows for this sender, committed before anything is sent."""
    now = now or utcnow()
    return leases.claim(
        OutboundMessage, _due(now), limit=limit, now=now, lease=SEND_LEASE,
        values={"claimed_at": now},
    )  # fmt: skip


def send_due(limit: int = 50, *, now: datetime | None = None) -> int:
    """Send the SMS due at `now` (default: now); returns how many were handed to Twilio."""
    return sum(_send(claimed) for claimed in claim(limit, now=now))


def _still_ours(db: Session, claimed: Claim) -> OutboundMessage | None:
    message = db.get(OutboundMessage, claimed.id, with_for_update=True)
    if message is None or message.attempts != claimed.attempts:
        log.warning("sms %s: claim %s was lost (lease ran out?)", claimed.id, claimed.attempts)
        return None
    return message


def may_text(participant: Participant, message: OutboundMessage) -> bool:
    """After an opt-out only two texts leave: the opt-out confirmation, and the answer to a
    HELP asked after the opt-out (carrier rules: HELP is answered whatever the opt-in
    status). A reply to anything stored before the opt-out is never sent after it."""
    if not participant.sms_opted_out or message.kind == OPT_OUT_CONFIRMATION:
        return True
    opted_out_at = participant.sms_opted_out_at
    return (
        message.kind == COMPLIANCE
        and opted_out_at is not None
        and message.created_at > opted_out_at
    )


def _send(claimed: Claim) -> int:
    with session_scope() as db:
        message = _still_ours(db, claimed)
        if message is None or message.status != SENDING:
            return 0
        participant = (
            db.get(Participant, message.participant_id) if message.participant_id else None
        )
        phone = conversations.phone_of(participant) if participant else None
        if participant is None and message.recipient_encrypted:  # a partner's number
            phone = crypto.decrypt(message.recipient_encrypted)
        if phone is None:
            message.status, message.error_code = FAILED, "no_phone"
            return 0
        if participant and not may_text(participant, message):
            message.status, message.error_code = CANCELLED, "opted_out"
            return 0
        body = message.body
    # No session is open from here until the outcome is recorded.
    try:
        sid = twilio_sms.send(phone, body, reference=claimed.id)
    except twilio_sms.SendError as exc:
        log.warning("sms %s not sent: code=%s retry=%s", claimed.id, exc.code, exc.retry)
        with session_scope() as db:
            _record_failure(db, claimed, exc)
        return 0
    with session_scope() as db:
        _record_sent(db, claimed, sid)
    return 1


def _record_sent(db: Session, claimed: Claim, sid: str) -> None:
    message = _still_ours(db, claimed)
    if message is None:
        return
    if message.provider_id not in (None, sid):
        log.warning("sms %s: sent as a second provider message", claimed.id)
    message.provider_id = sid
    message.sent_at = utcnow()
    if message.status == SENDING:  # a status callback may have come first and moved it on
        message.status = SENT


def _record_failure(db: Session, claimed: Claim, exc: twilio_sms.SendError) -> None:
    message = _still_ours(db, claimed)
    if message is None:
        return
    message.error_code = exc.code
    if exc.code == "21610" and message.participant_id:  # the recipient opted out at the carrier
        participant = db.get(Participant, message.participant_id)
        if participant is not None:
            conversations.opt_out_of_sms(participant, db_session=db)
    if exc.retry and message.attempts < MAX_ATTEMPTS:
        message.status = PENDING
        message.next_attempt_at = utcnow() + timedelta(seconds=min(2**message.attempts, 600))
    else:
        message.status = FAILED
