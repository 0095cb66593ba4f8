"""Sending CMS webhooks: claimed with the shared leases (api/leases.py), urgent first,
signed per Standard Webhooks, retried with exponential backoff for 3 days, then dead.

A pass claims the due urgent deliveries before any other, so an urgent handoff jumps the
queue of a receiver that was down. Each is sent with no transaction open; the outcome is
recorded in a new unit of work, only while the row is still this claim's (its attempts).
The body is composed at the first attempt from the handoff as it is then, and kept: every
retry and replay sends the same message under the same webhook-id.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from api import leases
from api.db import session_scope, utcnow
from api.handoff.models import Handoff, HandoffEvent
from api.leases import Claim
from api.referrals.webhook import WebhookError, post_signed
from api.webhooks import payload
from api.webhooks.models import (
    DEAD,
    DELIVERED,
    PENDING,
    SENDING,
    WebhookDelivery,
    WebhookEndpoint,
)

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, ... doubling, at most 6 hours between attempts."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 6 * 3600))


def claim(limit: int, *, now: datetime) -> list[Claim]:
    """Due deliveries for this sender, the urgent ones first (each class oldest first), in
    one short unit of work."""
    row = WebhookDelivery
    return leases.claim(
        row,
        leases.due(row, PENDING, now),
        limit=limit,
        now=now,
        lease=LEASE,
        order_by=(row.urgent.desc(),),
    )


def send_due(limit: int = 20, *, now: datetime | None = None) -> int:
    """Send the deliveries due at `now`, urgent first; returns how many were delivered."""
    now = now or utcnow()
    return sum(_send(c.id, c.attempts, now) for c in claim(limit, now=now))


def _body(row: WebhookDelivery, *, db_session: Session) -> dict[str, Any]:
    body = row.body
    if body is None:
        handoff = db_session.get(Handoff, row.handoff_id)
        assert handoff is not None
        event = db_session.get(HandoffEvent, row.handoff_event_id) if row.handoff_event_id else None
        body = payload.compose(row, handoff, event, db_session=db_session)
        row.body = body
    return body


def _send(delivery_id: int, attempts: int, now: datetime) -> int:
    with session_scope() as db:
        row = db.get(WebhookDelivery, delivery_id, with_for_update=True)
        if row is None or row.attempts != attempts or row.status != SENDING:
            return 0
        endpoint = db.get(WebhookEndpoint, row.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            row.status, row.dead_at, row.last_error = DEAD, now, "endpoint_disabled"
            return 0
        body = _body(row, db_session=db)
        url, secret, message_id = endpoint.url, endpoint.secret, row.webhook_id
    error: WebhookError | None = None
    status: int | None = None
    try:  # no session is open while the network is
        status = post_signed(url, body, message_id=message_id, secret=secret)
    except WebhookError as exc:
        error, status = exc, exc.status_code
    with session_scope() as db:
        row = db.get(WebhookDelivery, delivery_id, with_for_update=True)
        if row is None or row.attempts != attempts:
            return 0  # the lease was lost: another sender has it now
        row.last_status_code = status
        if error is None:
            row.status, row.delivered_at, row.last_error = DELIVERED, utcnow(), None
            return 1
        log.warning("webhook delivery %s not delivered: %s", delivery_id, error.code)
        row.last_error = error.code
        retry_at = now + backoff(row.attempts)
        if retry_at > row.retry_until:  # three days of trying: the dead-letter list
            row.status, row.dead_at = DEAD, now
        else:
            row.status, row.next_attempt_at = PENDING, retry_at
        return 0
