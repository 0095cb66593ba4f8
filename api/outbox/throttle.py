"""The pace per sender number, shared by every worker process through the database.

Twilio sends at most so many segments a second from one number (1 for a US long code) and
queues the rest, up to 10 hours' worth (beyond that: error 21611). We hand Twilio only a
short backlog (`SMS_PROVIDER_BACKLOG_SECONDS`): the rest waits in our outbox, where an
opt-out, a cancelled appointment or quiet hours can still stop it, and where a reply to a
participant goes ahead of planned messages.

One row per sender (`sms_sender_pace`) holds the moment the sender is next free. A claim
locks it (`FOR UPDATE` on PostgreSQL; SQLite's write units already hold the write lock),
takes only the rows whose segments fit in the backlog, and moves the moment on by their
segments at the rate, in the claim's own unit of work: two workers never both spend the
same second. No Redis or other server is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.config import Settings, get_settings
from api.db import Base, UTCDateTime

# North American toll-free prefixes (Twilio's default for them is 3 segments/s).
TOLL_FREE = tuple(f"+1{code}" for code in ("800", "833", "844", "855", "866", "877", "888"))


class SenderPace(Base):
    __tablename__ = "sms_sender_pace"

    sender: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_free_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Pace:
    sender: str  # the From number or the messaging service SID
    rate: float  # segments per second
    backlog: timedelta  # how much Twilio may hold for us at once


def current(settings: Settings | None = None) -> Pace | None:
    """This deployment's pace, or None when sends are not throttled."""
    settings = settings or get_settings()
    backlog = timedelta(seconds=settings.sms_provider_backlog_seconds)
    sender = settings.twilio_messaging_service_sid or settings.twilio_from_number or ""
    if settings.sms_rate is not None:  # 0: off (the benchmarks and tests say so themselves)
        rate = settings.sms_rate
    elif settings.twilio_messaging_service_sid:
        rate = settings.sms_rate_messaging_service
    elif sender.startswith(TOLL_FREE):
        rate = settings.sms_rate_toll_free
    else:
        rate = settings.sms_rate_long_code
    return Pace(sender, rate, backlog) if rate > 0 else None


def _locked(db: Session, sender: str, now: datetime) -> SenderPace:
    dialect = db.get_bind().dialect.name
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    db.execute(
        insert(SenderPace)
        .values(sender=sender, next_free_at=now)
        .on_conflict_do_nothing(index_elements=["sender"])
    )
    query = select(SenderPace).where(SenderPace.sender == sender)
    if dialect == "postgresql":
        query = query.with_for_update()
    return db.scalars(query.execution_options(populate_existing=True)).one()


class Budget:
    """What one claim may hand Twilio, inside the claim's unit of work (the row is locked)."""

    def __init__(self, db: Session, pace: Pace, now: datetime) -> None:
        self.pace, self.row = pace, _locked(db, pace.sender, now)
        self.start = max(self.row.next_free_at, now)
        self.room = (now + pace.backlog - self.start).total_seconds() * pace.rate
        self.idle = self.start <= now  # nothing queued: one long message may always go

    def fit(self, segments: list[int]) -> int:
        """How many of these rows (in order) fit; their segments are then spent."""
        taken, spent = 0, 0
        for n in segments:
            if spent + n > self.room and not (self.idle and taken == 0):
                break
            taken, spent = taken + 1, spent + n
        if taken:
            self.row.next_free_at = self.start + timedelta(seconds=spent / self.pace.rate)
        return taken

    def next_room(self) -> datetime:
        """When one more segment will fit."""
        return self.start - self.pace.backlog + timedelta(seconds=1 / self.pace.rate)
