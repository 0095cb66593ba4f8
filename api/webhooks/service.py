"""CMS webhooks: endpoints of an organization, deliveries queued in the unit of work of the
handoff event that causes them, the staff's dead-letter list and replay.

`handoff_event()` is the handoff service's hook: one delivery per enabled endpoint of the
handoff's organization, and the optional email notices (`notices.py`), in the caller's
session; the worker sends them (`sender.py`). Nothing here touches the network.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from api.db import utcnow
from api.handoff.models import ACKNOWLEDGE, CLOSE, Handoff, HandoffEvent
from api.webhooks import notices
from api.webhooks.models import (
    DEAD,
    DELIVERED,
    PENDING,
    SENDING,
    WebhookDelivery,
    WebhookEndpoint,
)

RETRY_FOR = timedelta(days=3)  # then the delivery is dead-lettered
NOTIFY_CHANNEL = "firstcall_webhooks"  # PostgreSQL NOTIFY: wakes the worker's dispatcher
LISTED = {"dead": (DEAD,), "pending": (PENDING, SENDING), "delivered": (DELIVERED,)}


class NotReplayable(ValueError):
    """Only a dead or delivered delivery is sent again (a pending one is on its way)."""


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def add_endpoint(
    org_id: str, url: str, *, description: str = "", db_session: Session
) -> tuple[WebhookEndpoint, str]:
    """Register a CMS endpoint; returns it and its secret (shown once, kept encrypted)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("the endpoint URL must be http(s)")
    secret = new_secret()
    endpoint = WebhookEndpoint(org_id=org_id, url=url, description=description)
    endpoint.secret = secret
    db_session.add(endpoint)
    db_session.flush()
    return endpoint, secret


def event_type(handoff: Handoff, event: HandoffEvent, *, urgent: bool) -> str:
    if event.kind == ACKNOWLEDGE:
        return "handoff.acknowledged"
    if event.kind == CLOSE:
        return "handoff.closed"
    if len(handoff.events) == 1:
        return "handoff.opened"
    return "handoff.urgent" if urgent else "handoff.flagged"


def handoff_event(
    handoff: Handoff, event: HandoffEvent, *, urgent: bool = False, db_session: Session
) -> list[WebhookDelivery]:
    """The handoff service's hook, in its unit of work: `event` (flushed) happened on
    `handoff`; `urgent`: the event itself was an urgent flag. An urgent handoff's deliveries
    jump the queue."""
    kind = event_type(handoff, event, urgent=urgent)
    now = utcnow()
    endpoints = db_session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.org_id == handoff.org_id, WebhookEndpoint.enabled.is_(True)
        )
    ).all()
    rows = [
        WebhookDelivery(
            org_id=handoff.org_id,
            endpoint_id=endpoint.id,
            handoff_id=handoff.id,
            handoff_event_id=event.id,
            event_type=kind,
            urgent=bool(handoff.urgent),
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            retry_until=now + RETRY_FOR,
        )
        for endpoint in endpoints
    ]
    if handoff.urgent:  # its earlier deliveries still waiting jump the queue with it
        db_session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.handoff_id == handoff.id,
                WebhookDelivery.status.in_((PENDING, SENDING)),
                WebhookDelivery.urgent.is_(False),
            )
            .values(urgent=True)
            .execution_options(synchronize_session=False)
        )
    db_session.add_all(rows)
    if kind in ("handoff.opened", "handoff.urgent"):
        notices.queue(
            handoff, urgent=kind == "handoff.urgent" or handoff.urgent, db_session=db_session
        )
    db_session.flush()
    if rows:
        wake(db_session)
    return rows


def wake(db_session: Session) -> None:
    """Tell a listening worker there is something to send (PostgreSQL: delivered at
    commit, so never before the rows are visible). SQLite: the dispatcher polls."""
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})


def for_org(
    org_id: str, status: str, *, db_session: Session, limit: int = 100, before: int | None = None
) -> list[WebhookDelivery]:
    """The organization's deliveries in `status` (dead | pending | delivered), newest first."""
    query = select(WebhookDelivery).where(
        WebhookDelivery.org_id == org_id, WebhookDelivery.status.in_(LISTED[status])
    )
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    return list(db_session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


def needing_attention(
    org_id: str, *, db_session: Session, limit: int = 200
) -> list[tuple[WebhookDelivery, str]]:
    """The dead-letter list and the deliveries still retrying after a failure, newest
    first, each with its handoff's participant id (opaque: for the dashboard's link)."""
    failing = (WebhookDelivery.status == DEAD) | (
        WebhookDelivery.status.in_((PENDING, SENDING)) & WebhookDelivery.last_error.is_not(None)
    )
    query = (
        select(WebhookDelivery, Handoff.participant_id)
        .join(Handoff, Handoff.id == WebhookDelivery.handoff_id)
        .where(WebhookDelivery.org_id == org_id, failing)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return [(row, participant_id) for row, participant_id in db_session.execute(query).all()]


def get_for_org(delivery_id: int, org_id: str, *, db_session: Session) -> WebhookDelivery | None:
    row = db_session.get(WebhookDelivery, delivery_id)
    return row if row is not None and row.org_id == org_id else None


def replay(
    row: WebhookDelivery, *, db_session: Session, now: datetime | None = None
) -> WebhookDelivery:
    """Send a dead or delivered delivery again: a new attempt with the same webhook-id and
    body (the receiver sees the same message), with a new 3-day window."""
    if row.status not in (DEAD, DELIVERED):
        raise NotReplayable(row.status)
    now = now or utcnow()
    row.status, row.next_attempt_at, row.retry_until = PENDING, now, now + RETRY_FOR
    row.replays += 1
    row.dead_at = None
    db_session.flush()
    wake(db_session)
    return row
