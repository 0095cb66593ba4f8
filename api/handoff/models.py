"""Handoffs to case managers: the structured summary, urgent flags raised at once, and every
event on the way (flags, acknowledgement, closing) with its time. Also which abandoned
screenings were handed over (api/handoff/abandoned.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, UTCDateTime, utcnow

OPEN, ACKNOWLEDGED, CLOSED = "open", "acknowledged", "closed"
FLAG, ACKNOWLEDGE, CLOSE = "flag", "acknowledge", "close"


class Handoff(Base):
    """Status: open -> acknowledged -> closed. A new event after closing opens a new one."""

    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(200))

    events: Mapped[list[HandoffEvent]] = relationship(
        order_by="HandoffEvent.id", lazy="selectin", cascade="all, delete-orphan"
    )


class HandoffEvent(Base):
    """One thing that happened: a flag (with its reason), an acknowledgement, a closing."""

    __tablename__ = "handoff_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handoff_id: Mapped[str] = mapped_column(ForeignKey("handoffs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # flag | acknowledge | close
    reason: Mapped[str | None] = mapped_column(String(500))  # the flag's reason, a closing note
    by: Mapped[str | None] = mapped_column(String(200))  # staff (None: the participant's turn)
    # the inbound message that raised a flag: the same message flags a reason only once
    message_id: Mapped[int | None] = mapped_column(Integer)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScreeningAbandonment(Base):
    """A quiet screening session the sweep has seen: handed to staff (`handoff_id`, once per
    session), or seen without consent to share (no handoff; looked at again if it changes)."""

    __tablename__ = "screening_abandonments"

    session_id: Mapped[str] = mapped_column(ForeignKey("screening_sessions.id"), primary_key=True)
    handoff_id: Mapped[str | None] = mapped_column(ForeignKey("handoffs.id"))
    last_reply_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
