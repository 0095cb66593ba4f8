"""Sending what the outbox holds: every row handed to Twilio once, by one sender.

1. **Claim** (`api/leases.py`, a short unit of work, committed): due rows become `sending`
   with an explicit lease (`claimed_at`, `lease_until`): `FOR UPDATE SKIP LOCKED` on
   PostgreSQL, a compare-and-set on the exact state read on SQLite. Replies go before planned
   messages (rows with an idempotency key), and only as many rows as the sender number's
   pace allows (`throttle.py`, shared by every worker); the rest wait their turn, unclaimed.
2. **Check** each row right before its send, in one short unit for the batch: the opt-out
   (`may_text`), then the gates (`gates.py`): past `not_after` it is dropped with the reason,
   in its `quiet_zone`'s quiet hours it waits for their end (or is dropped). A row whose
   provider id is already known (a status callback named it while it was `sending`) reached
   Twilio before its sender died: it is recorded as sent, not sent again. A quiet-hours
   deferral gives the claim back without spending a delivery attempt (30003 keeps its one
   retry).
3. **Send**: the twilio calls run in a thread pool with no session open, so no transaction
   (and no SQLite write lock) waits on the network. A row claimed again (its earlier
   attempt's outcome unknown: a sender killed mid-call, a network error) first asks Twilio
   whether that attempt got through (`reconcile.py`): exactly once, not at least once.
4. **Record** the outcomes in short units of work as they come in (every few rows), only
   while each row is still this claim's (same attempts). A reminder that fails for good
   becomes the case manager's task (`api.reminders.failures.on_failed`, the same path as a
   failed status callback).

A row whose sender died stays `sending` until its lease runs out; only then is it claimed
again. The lease is far longer than the twilio client's 10 s timeout, and than the backlog
we let Twilio hold, so a status callback has long come back before a row is taken again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from requests.adapters import HTTPAdapter
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from api import crypto, leases
from api.channels import twilio_sms
from api.config import get_settings
from api.conversations import service as conversations
from api.conversations.models import Participant
from api.db import session_scope, utcnow
from api.leases import Claim
from api.outbox import gates, reconcile, throttle
from api.outbox.models import (
    CANCELLED,
    COMPLIANCE,
    DROPPED,
    FAILED,
    OPT_OUT_CONFIRMATION,
    PENDING,
    SENDING,
    SENT,
    OutboundMessage,
)
from api.reminders import failures, program

log = logging.getLogger(__name__)

SEND_LEASE = timedelta(seconds=120)  # the default of OUTBOX_SEND_LEASE_SECONDS
MAX_ATTEMPTS = 8
DRAIN_SECONDS = 2.0  # one send_due() takes batches for about this long, then other jobs run
RECORD_EVERY = 25  # outcomes recorded per unit of work (and at least every RECORD_SECONDS)
RECORD_SECONDS = 0.05


def _due(now: datetime) -> Any:
    return and_(OutboundMessage.channel == "sms", leases.due(OutboundMessage, PENDING, now))


def send_lease(pace: throttle.Pace | None = None) -> timedelta:
    """Long enough for the backlog Twilio holds and its callback to come back first."""
    lease = timedelta(seconds=get_settings().outbox_send_lease_seconds)
    return max(lease, pace.backlog + timedelta(minutes=1)) if pace else lease


def claim(limit: int, *, now: datetime | None = None) -> list[Claim]:
    """Take up to `limit` due rows for this sender, committed before anything is sent."""
    now = now or utcnow()
    pace = throttle.current()
    with session_scope() as db:
        budget = throttle.Budget(db, pace, now) if pace else None
        return leases.claim(
            OutboundMessage, _due(now), limit=limit, now=now, lease=send_lease(pace),
            values={"claimed_at": now},
            order_by=(OutboundMessage.idempotency_key.is_not(None),),  # replies first
            weight=OutboundMessage.segments if budget else None,
            fit=budget.fit if budget else None,
            db_session=db,
        )  # fmt: skip


def send_due(limit: int | None = None, *, now: datetime | None = None) -> int:
    """Send the SMS due at `now` (default: now), batch after batch for about DRAIN_SECONDS;
    returns how many were handed to Twilio."""
    limit = limit or get_settings().outbox_batch_size
    deadline = time.monotonic() + DRAIN_SECONDS
    total = 0
    while True:
        claims = claim(limit, now=now)
        total += _send_batch(claims, now=now)
        if len(claims) < limit or time.monotonic() > deadline:
            return total


def _still_ours(db: Session, claimed: Claim) -> OutboundMessage | None:
    message = db.get(OutboundMessage, claimed.id, with_for_update=True)
    return message if _is_ours(message, claimed) else None


def _is_ours(message: OutboundMessage | None, claimed: Claim) -> bool:
    if message is None or message.attempts != claimed.attempts:
        log.warning("sms %s: claim %s was lost (lease ran out?)", claimed.id, claimed.attempts)
        return False
    return True


def _lock_rows(db: Session, claims: Iterable[Claim]) -> dict[int, OutboundMessage]:
    ids = [c.id for c in claims]
    query = select(OutboundMessage).where(OutboundMessage.id.in_(ids)).order_by(OutboundMessage.id)
    return {m.id: m for m in db.scalars(query.with_for_update())}


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


@dataclass(frozen=True)
class Ready:
    claim: Claim
    phone: str
    body: str
    recheck_since: datetime | None = None  # claimed again: ask Twilio first (reconcile.py)


def _prepare(claims: list[Claim], now: datetime) -> list[Ready]:
    """The checks right before the send, for a whole batch in one unit of work."""
    quiet = program.quiet_hours()
    ready = []
    with session_scope() as db:
        rows = _lock_rows(db, claims)
        participant_ids = {m.participant_id for m in rows.values() if m.participant_id}
        people = {
            p.id: p
            for p in db.scalars(select(Participant).where(Participant.id.in_(participant_ids)))
        }
        for claimed in claims:
            message = rows.get(claimed.id)
            if not _is_ours(message, claimed) or message is None or message.status != SENDING:
                continue
            found = _check(message, people, now=now, quiet=quiet)
            if found is not None:
                again = message.created_at if claimed.attempts > 1 else None
                ready.append(Ready(claimed, found, message.body, again))
    return ready


def _check(
    message: OutboundMessage,
    people: dict[str, Participant],
    *,
    now: datetime,
    quiet: Any,
) -> str | None:
    """The phone to send this row to, or None (and the row says why it is not sent)."""
    if message.provider_id is not None and message.sent_at is None and not message.error_code:
        # Twilio has it: its callback named this row while a sender (since dead) held it.
        message.status, message.sent_at = SENT, message.sent_at or utcnow()
        log.info("sms %s: already with Twilio, not sent again", message.id)
        return None
    participant = people.get(message.participant_id) if message.participant_id else None
    phone = conversations.phone_of(participant) if participant else None
    if participant is None and message.recipient_encrypted:  # a partner's number
        phone = crypto.decrypt(message.recipient_encrypted)
    if phone is None:
        message.status, message.error_code = FAILED, "no_phone"
        return None
    if participant and not may_text(participant, message):
        message.status, message.error_code = CANCELLED, "opted_out"
        return None
    verdict = gates.check(
        now=now, not_after=message.not_after, quiet_zone=message.quiet_zone, quiet=quiet
    )
    if isinstance(verdict, gates.Drop):
        message.status, message.status_reason = DROPPED, verdict.reason
        message.lease_until = None
        return None
    if isinstance(verdict, gates.Defer):  # not sent: the claim is given back, not spent
        message.status, message.status_reason = PENDING, verdict.reason
        message.next_attempt_at, message.lease_until = verdict.until, None
        message.attempts = max(message.attempts - 1, 0)
        return None
    return phone


Outcome = tuple[Claim, "str | twilio_sms.SendError"]
_pool_lock = threading.Lock()
_pool_state: dict[str, ThreadPoolExecutor] = {}


def _pool() -> ThreadPoolExecutor:
    """The threads that call Twilio, and a connection pool as large as they are."""
    with _pool_lock:
        pool = _pool_state.get("pool")
        if pool is None:
            threads = get_settings().outbox_send_threads
            session = getattr(twilio_sms.client().http_client, "session", None)
            if session is not None:
                for scheme in ("http://", "https://"):
                    session.mount(scheme, HTTPAdapter(pool_maxsize=threads))
            pool = ThreadPoolExecutor(threads, thread_name_prefix="sms-send")
            _pool_state["pool"] = pool
        return pool


def _call(ready: Ready, taken: set[str]) -> Outcome:
    try:
        if ready.recheck_since is not None:
            since = ready.recheck_since
            sid = reconcile.accepted(ready.phone, ready.body, since=since, taken=taken)
            if sid is not None:
                log.info("sms %s: an earlier attempt reached Twilio", ready.claim.id)
                return ready.claim, sid
        return ready.claim, twilio_sms.send(ready.phone, ready.body, reference=ready.claim.id)
    except twilio_sms.SendError as exc:
        log.warning("sms %s not sent: code=%s retry=%s", ready.claim.id, exc.code, exc.retry)
        return ready.claim, exc


def _call_in_order(rows: list[Ready]) -> list[Outcome]:
    taken: set[str] = set()  # this recipient's SIDs matched in this pass (same body twice)
    return [_call(r, taken) for r in rows]


def _send_batch(claims: list[Claim], *, now: datetime | None) -> int:
    """Different recipients in parallel; one recipient's rows in order, one after another
    (a conversation's texts must arrive in the order they were said)."""
    if not claims:
        return 0
    ready = _prepare(claims, now or utcnow())
    # No session is open from here until the outcomes are recorded.
    by_recipient: dict[str, list[Ready]] = {}
    for r in ready:
        by_recipient.setdefault(r.phone, []).append(r)
    if len(by_recipient) <= 1:
        return _record([o for rows in by_recipient.values() for o in _call_in_order(rows)])
    pool = _pool()
    futures = [pool.submit(_call_in_order, rows) for rows in by_recipient.values()]
    sent, done, last = 0, list[Outcome](), time.monotonic()
    for future in as_completed(futures):
        done.extend(future.result())
        if len(done) >= RECORD_EVERY or time.monotonic() - last > RECORD_SECONDS:
            sent, done, last = sent + _record(done), [], time.monotonic()
    return sent + _record(done)


def _record(outcomes: list[Outcome]) -> int:
    """Record outcomes in one unit of work; if that fails, one unit per row."""
    if not outcomes:
        return 0
    try:
        with session_scope() as db:
            rows = _lock_rows(db, (c for c, _ in outcomes))
            for claimed, result in outcomes:
                _apply(db, rows.get(claimed.id), claimed, result)
    except Exception:
        log.exception("recording %s outcomes together failed; one by one", len(outcomes))
        for claimed, result in outcomes:
            with session_scope() as db:
                _apply(db, _still_ours(db, claimed), claimed, result)
    return sum(1 for _, result in outcomes if isinstance(result, str))


def _apply(db: Session, message: OutboundMessage | None, claimed: Claim, result: Any) -> None:
    if not _is_ours(message, claimed) or message is None:
        return
    if isinstance(result, str):
        _mark_sent(message, claimed, result)
    else:
        _mark_failed(db, message, result)


def _record_sent(db: Session, claimed: Claim, sid: str) -> None:
    message = _still_ours(db, claimed)
    if message is not None:
        _mark_sent(message, claimed, sid)


def _mark_sent(message: OutboundMessage, claimed: Claim, sid: str) -> None:
    if message.provider_id not in (None, sid):
        log.warning("sms %s: sent as a second provider message", claimed.id)
    message.provider_id = sid
    message.sent_at = utcnow()
    if message.status == SENDING:  # a status callback may have come first and moved it on
        message.status = SENT


def _record_failure(db: Session, claimed: Claim, exc: twilio_sms.SendError) -> None:
    message = _still_ours(db, claimed)
    if message is not None:
        _mark_failed(db, message, exc)


def _mark_failed(db: Session, message: OutboundMessage, exc: twilio_sms.SendError) -> None:
    message.error_code = exc.code
    if exc.code == "21610" and message.participant_id:  # the recipient opted out at the carrier
        participant = db.get(Participant, message.participant_id)
        if participant is not None:
            conversations.opt_out_of_sms(participant, db_session=db)
    if exc.retry and message.attempts < MAX_ATTEMPTS:
        message.status = PENDING
        message.next_attempt_at = utcnow() + timedelta(seconds=min(2**message.attempts, 600))
    elif message.status != FAILED:
        message.status = FAILED
        failures.on_failed(message, exc.code, db_session=db)  # a reminder: a staff task
