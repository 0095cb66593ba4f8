"""Seats: claimed by inserting a row the database refuses twice, freed by deleting it.

`claim()` never checks and then inserts: it tries to insert seat 1, 2, ... up to the slot's
capacity, each in its own SAVEPOINT, and takes the first the database accepts. On
PostgreSQL a rival's uncommitted seat makes the insert wait for it; when it commits, ours
fails on the primary key and we try the next seat. On SQLite writers take turns.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.booking.models import Seat


def claim(
    service_id: str,
    slot_start: datetime,
    capacity: int,
    appointment_id: str,
    *,
    db_session: Session,
) -> int | None:
    """The seat number taken for the appointment, or None when every seat is taken."""
    held = set(
        db_session.scalars(
            select(Seat.seat).where(Seat.service_id == service_id, Seat.slot_start == slot_start)
        )
    )
    for number in range(1, capacity + 1):
        if number in held:
            continue
        try:
            with db_session.begin_nested():
                db_session.add(
                    Seat(
                        service_id=service_id,
                        slot_start=slot_start,
                        seat=number,
                        appointment_id=appointment_id,
                    )
                )
        except IntegrityError:
            continue  # a rival took this one meanwhile: try the next
        return number
    return None


def release(appointment_id: str, *, db_session: Session) -> None:
    db_session.execute(delete(Seat).where(Seat.appointment_id == appointment_id))


def taken(
    service_ids: list[str], since: datetime, *, db_session: Session
) -> dict[str, dict[datetime, int]]:
    """Seats taken per service and slot start, from `since` on."""
    out: dict[str, dict[datetime, int]] = defaultdict(dict)
    if not service_ids:
        return out
    rows = db_session.execute(
        select(Seat.service_id, Seat.slot_start, func.count())
        .where(Seat.service_id.in_(service_ids), Seat.slot_start >= since)
        .group_by(Seat.service_id, Seat.slot_start)
    )
    for service_id, start, count in rows:
        out[service_id][start] = int(count)  # UTCDateTime: aware UTC on every backend
    return out
