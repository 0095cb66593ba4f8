"""The worker: one loop that sends the outbox, retries waiting turns and beats its heart.

Reminders and partner contact will run here too (api/reminders, api/booking): every job
is a row in the database, so nothing is lost when a process restarts.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import datetime

from api.config import get_settings
from api.conversations import turns
from api.db import session_scope, utcnow
from api.handoff import abandoned
from api.health.models import WorkerHeartbeat
from api.outbox import sender
from api.referrals import jobs as referral_jobs
from api.reminders import jobs as reminder_jobs
from api.staff import service as staff
from api.webhooks import jobs as webhook_jobs

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str) -> None:
    with session_scope() as db:
        row = db.get(WorkerHeartbeat, name)
        if row is None:
            db.add(WorkerHeartbeat(name=name, last_seen=utcnow()))
        else:
            row.last_seen = utcnow()


def run_once(name: str, *, now: datetime | None = None) -> dict[str, int]:
    """One pass of every job as of `now` (default: the clock); returns what it did.
    `now` is for `firstcall worker --once --now ...`: what is due at that time is done."""
    beat(name)
    with session_scope() as db:
        due = turns.conversations_due(db_session=db)
    processed = sum(turns.process_conversation(conversation_id) for conversation_id in due)
    started = utcnow()
    return {
        "turns": processed,
        "sms_sent": sender.send_due(now=now),
        "reminders_sent": reminder_jobs.sent_since(started),  # of sms_sent: reminders, follow-ups
        "reminders_web": reminder_jobs.deliver_web_due(now=now),
        "abandoned_screenings": sweep_abandoned_screenings(now=now),
        "referrals_sent": referral_jobs.run(now=now),
        "webhooks_delivered": webhook_jobs.run(now=now),
    }


def sweep_abandoned_screenings(*, now: datetime | None = None) -> int:
    """Quiet screenings still reach staff (api/handoff/abandoned.py); a write unit only
    when there is one to hand over."""
    with session_scope(read_only=True) as db:
        quiet = abandoned.due(db_session=db, now=now)
    if not quiet:
        return 0
    with session_scope() as db:
        return abandoned.sweep(db_session=db, now=now)


def check_ready() -> None:
    """Refuse to start when PROGRAM_ORG_SLUG names no organization (a clear message)."""
    with session_scope(read_only=True) as db:
        staff.require_program_org(db_session=db)


def run_forever(stop: threading.Event | None = None) -> None:
    check_ready()
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    name = worker_name()
    poll = get_settings().worker_poll_seconds
    webhook_jobs.start_dispatcher(stop)  # a new webhook goes at once, not at the next pass
    log.info("worker %s started", name)
    batch = get_settings().outbox_batch_size
    while not stop.is_set():
        did: dict[str, int] = {}
        try:
            did = run_once(name)
        except Exception:  # a bad pass must not kill the worker; the next pass retries
            log.exception("worker pass failed")
        if did.get("sms_sent", 0) < batch:  # a full batch: more is due, go again at once
            stop.wait(poll)
    log.info("worker %s stopped", name)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    run_forever()
