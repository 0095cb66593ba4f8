"""Screening sessions, their answers (saved the moment they are given), and consents."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, utcnow

ACTIVE, COMPLETED, STOPPED = "active", "completed", "stopped"


class Consent(Base):
    """One row per decision; the newest row per purpose is the participant's current answer."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # texting | share_case_manager | share_partner
    granted: Mapped[bool] = mapped_column(Boolean)
    language: Mapped[str] = mapped_column(String(16))
    text_version: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScreeningSession(Base):
    __tablename__ = "screening_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"))
    modules: Mapped[list[str]] = mapped_column(JSON)
    versions: Mapped[dict[str, str]] = mapped_column(JSON)  # module -> label in its file
    # module -> content digest: the session runs on these (screening_instrument_versions)
    digests: Mapped[dict[str, str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE, index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)  # index of the question asked next
    misses: Mapped[int] = mapped_column(Integer, default=0)  # unclear replies to this question
    language: Mapped[str | None] = mapped_column(String(16))
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The turn's idempotency key: the inbound message last applied, and what it said, so
    # the engine's retry of the same message changes nothing and says the same again.
    turn_key: Mapped[int | None] = mapped_column(Integer)
    turn_said: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScreeningAnswer(Base):
    __tablename__ = "screening_answers"
    __table_args__ = (UniqueConstraint("session_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("screening_sessions.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    option_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    raw_text: Mapped[str] = mapped_column(String(200), default="")  # stored truncated
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InstrumentVersion(Base):
    """A snapshot of one module's file content, kept so live sessions survive edits."""

    __tablename__ = "screening_instrument_versions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))  # the label in the file
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
