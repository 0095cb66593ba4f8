"""Sending a referral to its partner: rows queued in the booking's unit of work, sent by
the worker (`send_due`), retried with backoff until they go (or fail for good).

1. `queue()` writes a ReferralDelivery (the content encrypted) by the partner's method.
2. `send_due()` claims due rows with a lease (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite a
   compare-and-set), sends each with no transaction open, and records the outcome in a new
   unit of work, only while the row is still this claim's. A lost answer is retried under
   the same Message-ID / webhook-id, so the partner can tell it is the same message.
3. The content is composed when the row is sent, from the referral as it is then, and kept
   with the row; a referral closed meanwhile is not sent. SMS is handed to the outbox (its
   own sender); phone is a task for staff.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from api import leases
from api.booking import states
from api.booking.models import Appointment, Referral
from api.db import session_scope, utcnow
from api.directory.models import HsdsService
from api.leases import Claim
from api.mail import smtp
from api.referrals import content as contents
from api.referrals import webhook
from api.referrals.models import (
    CANCELLED,
    DONE,
    FAILED,
    OPEN,
    PENDING,
    SENDING,
    SENT,
    ReferralDelivery,
)

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 12  # about two days of backoff


class NoReferralMethod(ValueError):
    """The service has no usable referral method or target."""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def queue(referral: Referral, *, kind: str = "referral", db_session: Session) -> ReferralDelivery:
    service = db_session.get(HsdsService, referral.service_id)
    method = service.referral_method if service else None
    target = service.referral_target if service else None
    if method not in ("email", "sms", "webhook", "phone") or not target:
        raise NoReferralMethod(f"service {referral.service_id} has no referral method")
    row = ReferralDelivery(
        referral_id=referral.id,
        service_id=referral.service_id,
        kind=kind,
        method=method,
        target=target,
        message_key=f"ref_{uuid.uuid4().hex}",
        status=OPEN if method == "phone" else PENDING,
    )
    row.content = {}  # composed when it is sent: the referral as it is then (a new time, ...)
    db_session.add(row)
    db_session.flush()
    return row


def tell_partner(referral: Referral, kind: str, *, db_session: Session) -> ReferralDelivery | None:
    """Booking's hook for a change the partner must know (`update`: a new time; `cancelled`).
    Sent only if the partner has the referral by then (see `_send`)."""
    try:
        return queue(referral, kind=kind, db_session=db_session)
    except NoReferralMethod:
        return None


def _partner_has_it(referral_id: str, *, db_session: Session) -> bool:
    return (
        db_session.scalar(
            select(ReferralDelivery.id).where(
                ReferralDelivery.referral_id == referral_id,
                ReferralDelivery.kind == "referral",
                ReferralDelivery.status.in_((SENT, DONE)),
            )
        )
        is not None
    )


def content_of(row: ReferralDelivery, *, db_session: Session) -> dict[str, Any]:
    """What was sent (kept with the row), or what would be sent now."""
    sent = row.content
    if sent:
        return sent
    referral = db_session.get(Referral, row.referral_id)
    assert referral is not None
    return contents.compose(referral, kind=row.kind, db_session=db_session)


def queue_after_booking(referral: Referral, *, db_session: Session) -> ReferralDelivery | None:
    """Booking's hook: the referral goes to the partner. A partner with no usable method is
    logged; the referral stays waiting and is escalated like an unanswered one."""
    try:
        return queue(referral, db_session=db_session)
    except NoReferralMethod:
        log.warning("referral %s: service has no referral method", referral.id)
        return None


def _hand_to_outbox(row: ReferralDelivery, content: dict[str, Any], *, db_session: Session) -> None:
    from api.outbox import service as outbox

    appointment = db_session.scalar(
        select(Appointment)
        .join(Referral, Referral.appointment_id == Appointment.id)
        .where(Referral.id == row.referral_id)
    )  # the partner's own zone: a notice to it respects quiet hours there
    message = outbox.enqueue_to_number(
        row.target, content["sms"], kind="partner_referral", db_session=db_session,
        quiet_zone=appointment.timezone if appointment else None,
    )  # fmt: skip
    row.outbound_message_id, row.status, row.sent_at = message.id, SENT, utcnow()
    row.content = content
    _mark_notified(row.referral_id, "sms", db_session=db_session)


def _due(now: datetime) -> Any:
    row = ReferralDelivery
    return and_(row.method.in_(("email", "webhook", "sms")), leases.due(row, PENDING, now))


def claim(limit: int, *, now: datetime) -> list[Claim]:
    return leases.claim(ReferralDelivery, _due(now), limit=limit, now=now, lease=LEASE)


def send_due(limit: int = 20, *, now: datetime | None = None) -> int:
    """Send the email and webhook deliveries due at `now`; returns how many went."""
    now = now or utcnow()
    return sum(_send(c.id, c.attempts, now) for c in claim(limit, now=now))


def _send(delivery_id: int, attempts: int, now: datetime) -> int:
    with session_scope() as db:
        row = db.get(ReferralDelivery, delivery_id, with_for_update=True)
        if row is None or row.attempts != attempts or row.status != SENDING:
            return 0
        referral = db.get(Referral, row.referral_id)
        if referral is None or (row.kind == "referral" and referral.status in states.FINAL):
            row.status, row.last_error = CANCELLED, "referral_closed"  # nothing to tell now
            return 0
        if row.kind != "referral" and not _partner_has_it(referral.id, db_session=db):
            row.status, row.last_error = CANCELLED, "partner_never_had_it"
            return 0
        content = contents.compose(referral, kind=row.kind, db_session=db)
        if row.method == "sms":  # the outbox sends it, with its own rules
            _hand_to_outbox(row, content, db_session=db)
            return 1
        method, target, key, service_id = row.method, row.target, row.message_key, row.service_id
    error: smtp.MailError | webhook.WebhookError | None = None
    try:  # no session is open while the network is
        if method == "email":
            message = smtp.build(target, content["subject"], content["text"], message_id=key)
            smtp.send(message)
        else:
            webhook.post(target, content["payload"], message_id=key, service_id=service_id)
    except (smtp.MailError, webhook.WebhookError) as exc:
        error = exc
    with session_scope() as db:
        row = db.get(ReferralDelivery, delivery_id, with_for_update=True)
        if row is None or row.attempts != attempts:
            return 0
        if error is None:
            row.status, row.sent_at, row.last_error = SENT, utcnow(), None
            row.content = content  # what the partner got
            _mark_notified(row.referral_id, method, db_session=db)
            return 1
        log.warning("referral delivery %s not sent: %s", delivery_id, error.code)
        row.last_error = error.code
        if error.retry and row.attempts < MAX_ATTEMPTS:
            row.status, row.next_attempt_at = PENDING, now + backoff(row.attempts)
        else:
            row.status = FAILED
        return 0


def _mark_notified(referral_id: str, method: str, *, db_session: Session) -> None:
    """The first delivery that reaches the partner: requested / partner-notified."""
    referral = db_session.get(Referral, referral_id)
    if referral is None or referral.business_status != states.BOOKED:
        return
    status = states.REQUESTED if referral.status == states.DRAFT else referral.status
    try:
        states.transition(
            referral, status, states.PARTNER_NOTIFIED, by="system", reason=f"sent by {method}"
        )
    except states.InvalidTransition:
        log.info("referral %s: not marked notified from %s", referral_id, referral.status)


def record_call(
    delivery_id: int, outcome: str, *, by: str, db_session: Session
) -> ReferralDelivery:
    """A phone task's outcome, as staff record it (reached, voicemail, no_answer, wrong_number)."""
    row = db_session.get(ReferralDelivery, delivery_id)
    if row is None or row.method != "phone":
        raise LookupError(delivery_id)
    row.outcome, row.outcome_by = outcome, by
    if outcome == "reached":
        row.content = content_of(row, db_session=db_session)  # what was read to them
        row.status, row.sent_at = DONE, utcnow()
        _mark_notified(row.referral_id, "phone", db_session=db_session)
    return row
