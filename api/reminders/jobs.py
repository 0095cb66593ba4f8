"""The worker's reminder job: planned rows for web chat (participants with no working SMS)
are copied into their latest web conversation when due, where the page's poll reads them
(a planned row made days ahead has an old id, below the page's cursor, and must not show
before its time). SMS reminders are sent by the outbox sender (api/outbox/sender.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from api.conversations.models import Conversation
from api.db import session_scope, utcnow
from api.outbox import service as outbox
from api.outbox.models import DROPPED, PENDING, SENT, OutboundMessage
from api.reminders.planner import PLANNED_KINDS, latest_conversation

PAST_NOT_AFTER = "past_not_after"
NO_WEB_CHAT = "no_web_chat"


def _due_web(now: datetime) -> ColumnElement[bool]:
    return (
        (OutboundMessage.channel == "web")
        & OutboundMessage.conversation_id.is_(None)
        & OutboundMessage.kind.in_(PLANNED_KINDS)
        & (OutboundMessage.status == PENDING)
        & (OutboundMessage.next_attempt_at <= now)
    )


def deliver_web_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Copy the due web reminders into web chat; returns how many. Each row moves from
    pending by a compare-and-set, so two workers never copy one twice."""
    now = now or utcnow()
    with session_scope(read_only=True) as db:
        ids = list(db.scalars(select(OutboundMessage.id).where(_due_web(now)).limit(limit)))
    if not ids:
        return 0
    with session_scope() as db:
        return sum(_deliver(db, row_id, now) for row_id in ids)


def _take(db: Session, row_id: int, now: datetime, status: str, reason: str) -> bool:
    result = db.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == row_id, OutboundMessage.status == PENDING)
        .values(status=status, status_reason=reason, sent_at=now if status == SENT else None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def _deliver(db: Session, row_id: int, now: datetime) -> int:
    row = db.get(OutboundMessage, row_id)
    if row is None or row.participant_id is None:
        return 0
    if row.not_after is not None and now > row.not_after:
        _take(db, row_id, now, DROPPED, PAST_NOT_AFTER)
        return 0
    web = latest_conversation(row.participant_id, "web", db)
    if web is None:
        _take(db, row_id, now, DROPPED, NO_WEB_CHAT)
        return 0
    if not _take(db, row_id, now, SENT, f"web_chat:{web}"):
        return 0  # another worker took it
    conversation = db.get(Conversation, web)
    assert conversation is not None
    copy = outbox.enqueue(conversation, row.body, kind=row.kind, db_session=db)
    copy.appointment_id = row.appointment_id
    return 1


def sent_since(since: datetime) -> int:
    """Planned SMS (reminders, follow-ups) handed to Twilio since `since` (for the worker's
    printout)."""
    with session_scope(read_only=True) as db:
        return int(
            db.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(
                    OutboundMessage.kind.in_(PLANNED_KINDS),
                    OutboundMessage.channel == "sms",
                    OutboundMessage.sent_at >= since,
                )
            )
            or 0
        )
