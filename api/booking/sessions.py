"""The booking conversation's state (like the screening's, in our database, not in Rasa):
which step it is on, the domains still to book for, what was collected, and the menu shown.

The name and the phone the participant gave for the partner are encrypted at rest.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, utcnow

ACTIVE, DONE = "active", "done"


class BookingSession(Base):
    __tablename__ = "booking_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE, index=True)
    # zip | name | phone | offer | done
    step: Mapped[str] = mapped_column(String(16), default="zip")
    # the positive domains to book for, in the order to offer (urgent first)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    domain_index: Mapped[int] = mapped_column(Integer, default=0)
    max_referrals: Mapped[int] = mapped_column(Integer, default=3)
    zip_code: Mapped[str | None] = mapped_column(String(10))
    name_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    # the numbered menu last shown, each a BookingOffer as data; `seen` every start offered
    offers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    seen: Mapped[list[str]] = mapped_column(JSON, default=list)
    menu: Mapped[int] = mapped_column(Integer, default=0)  # names the menu in its payloads
    # an appointment being moved ("reschedule"), else None
    rescheduling_id: Mapped[str | None] = mapped_column(ForeignKey("booking_appointments.id"))
    booked: Mapped[list[str]] = mapped_column(JSON, default=list)  # appointment ids
    # the inbound message last answered and what was said: an engine retry says it again
    last_message_id: Mapped[int | None] = mapped_column(Integer, index=True)
    last_said: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
