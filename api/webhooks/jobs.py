"""The worker's webhook jobs: the pass in `run_once` (due deliveries, retries, notices),
and the dispatcher thread that sends a new delivery at once instead of at the next pass.

The dispatcher wakes on PostgreSQL `NOTIFY firstcall_webhooks` (sent in the unit of work
that queues a delivery, so it arrives at commit); on SQLite it polls a cheap read-only
query every WEBHOOK_DISPATCH_POLL_SECONDS. It claims with the same leases as the pass, so
the two never send a row twice.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import Engine, select

from api import leases
from api.config import get_settings
from api.db import session_scope, utcnow
from api.webhooks import notices, sender
from api.webhooks.models import PENDING, WebhookDelivery
from api.webhooks.service import NOTIFY_CHANNEL

log = logging.getLogger(__name__)


def run(*, now: datetime | None = None) -> int:
    """One pass; returns how many webhooks were delivered (notices are counted apart)."""
    delivered = sender.send_due(now=now)
    notices.send_due(now=now)
    return delivered


def anything_due(now: datetime | None = None) -> bool:
    with session_scope(read_only=True) as db:
        query = select(WebhookDelivery.id).where(
            leases.due(WebhookDelivery, PENDING, now or utcnow())
        )
        return db.scalar(query.limit(1)) is not None


def _engine() -> Engine:
    """The engine `session_scope()` uses (the app's, or a test's own database)."""
    with session_scope(read_only=True) as db:
        return db.get_bind().engine


def _listen(stop: threading.Event, poll: float) -> None:
    import psycopg

    url = _engine().url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        while not stop.is_set():
            woken = any(True for _ in conn.notifies(timeout=poll, stop_after=1))
            if woken or anything_due():
                sender.send_due()


def _poll(stop: threading.Event, poll: float) -> None:
    while not stop.wait(poll):
        if anything_due():
            sender.send_due()


def dispatch(stop: threading.Event) -> None:
    """Until `stop`: send deliveries as soon as they are queued. A failure is logged and
    the loop goes on (the worker's pass sends whatever this missed)."""
    poll = get_settings().webhook_dispatch_poll_seconds
    while not stop.is_set():
        try:
            if _engine().dialect.name == "postgresql":
                _listen(stop, max(poll, 1.0))
            else:
                _poll(stop, poll)
        except Exception:
            log.exception("webhook dispatcher failed; restarting")
            stop.wait(1.0)


def start_dispatcher(stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=dispatch, args=(stop,), name="webhooks", daemon=True)
    thread.start()
    return thread
