"""Booking: appointments, the seats they hold, referrals and each referral's history.

A seat is a row keyed by (service, slot start, seat number): booking inserts the row and
lets the database refuse a second one (no check-then-insert), so two participants never
get the last seat. Cancelling or a partner's decline deletes the row, freeing the seat.

A referral's `status` is a Gravity SDOH Clinical Care Task status and `business_status`
our sub-step (api/booking/states.py has the rules). The fields shared with the partner are
only those the participant consented to share; they are kept encrypted at rest.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api import crypto
from api.db import Base, UTCDateTime, utcnow

# Appointment.status
BOOKED, CANCELLED, DECLINED = "booked", "cancelled", "declined"
ATTENDED, NO_SHOW = "attended", "no-show"


def _id() -> str:
    return uuid.uuid4().hex


class Appointment(Base):
    """The participant's first appointment with a partner, start in UTC plus the location's
    named zone (a local time is always shown in that zone)."""

    __tablename__ = "booking_appointments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_locations.id"))
    domain: Mapped[str] = mapped_column(String(32))
    start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))  # IANA zone of the location
    seat: Mapped[int | None] = mapped_column(Integer)  # None once the seat is freed
    status: Mapped[str] = mapped_column(String(16), default=BOOKED, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # booked or moved
    # the participant's own "yes, I'll come" (a reply to a reminder); None again once it moves
    participant_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Seat(Base):
    """One taken seat of one slot. The primary key is the concurrency guard."""

    __tablename__ = "booking_seats"
    __table_args__ = (PrimaryKeyConstraint("service_id", "slot_start", "seat"),)

    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"))
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime)
    seat: Mapped[int] = mapped_column(Integer)
    appointment_id: Mapped[str] = mapped_column(ForeignKey("booking_appointments.id"), unique=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Referral(Base):
    """A referral to a partner for one domain: a Gravity Task (status, business status)."""

    __tablename__ = "booking_referrals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    appointment_id: Mapped[str | None] = mapped_column(
        ForeignKey("booking_appointments.id"), index=True
    )
    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    domain: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    business_status: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16))
    # why: the domain and the coded screening result (LOINC codes), no free text
    reason: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the consented fields (name, phone, ...), a Fernet token of their JSON
    shared_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    appointment: Mapped[Appointment | None] = relationship(lazy="joined")
    events: Mapped[list[ReferralEvent]] = relationship(
        order_by="ReferralEvent.id", lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def shared(self) -> dict[str, Any]:
        if not self.shared_encrypted:
            return {}
        data: dict[str, Any] = json.loads(crypto.decrypt(self.shared_encrypted))
        return data

    @shared.setter
    def shared(self, fields: dict[str, Any]) -> None:
        self.shared_encrypted = (
            crypto.encrypt(json.dumps(fields, sort_keys=True)) if fields else None
        )


class ReferralEvent(Base):
    """One change of a referral: the status and business status it moved to, when, by whom
    (`participant`, `partner`, `staff:<who>`, `system`) and why."""

    __tablename__ = "booking_referral_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("booking_referrals.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    business_status: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
