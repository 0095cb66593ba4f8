"""Two participants never get the last seat: 20 bookings at once, each in its own session
and connection, for a slot of 3 seats. Exactly 3 succeed; the 17 others get `SlotTaken` with
fresh offers (the next slot). Runs on PostgreSQL (the real race) and on SQLite."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.booking import service
from api.booking.models import Appointment, Referral, Seat
from api.conversations.models import Participant
from api.db import session_scope
from api.staff import service as staff
from tests.support.booking import FIRST_SLOT, NOW, ZIP, food_partner, participant
from tests.support.isolated_db import isolated_database

PEOPLE, SEATS = 20, 3


def test_twenty_parallel_bookings_for_three_seats_exactly_three_succeed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with isolated_database(tmp_path, monkeypatch, application_name="firstcall-b1-booking"):
        with session_scope() as db:
            org = staff.create_org("b1-demo", "Booking race", db_session=db)
            food_partner(db, capacity=SEATS, slots=2)
            ids = [participant(db, f"+1619555{n:04d}", org_id=org.id).id for n in range(PEOPLE)]
        with session_scope(read_only=True) as db:
            person = db.get(Participant, ids[0])
            assert person is not None
            offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]
        assert offer.start == FIRST_SLOT

        gate = threading.Barrier(PEOPLE)
        booked: list[int] = []
        fresh: list[list[service.BookingOffer]] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def book(participant_id: str) -> None:
            try:
                gate.wait(timeout=30)
                with session_scope() as db:
                    person = db.get(Participant, participant_id)
                    assert person is not None
                    try:
                        seat = service.book(person, offer, db_session=db, now=NOW).appointment.seat
                    except service.SlotTaken as taken:
                        with lock:
                            fresh.append(taken.offers)
                        return
                with lock:
                    booked.append(int(seat or 0))
            except BaseException as exc:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(exc)

        threads = [threading.Thread(target=book, args=(pid,)) for pid in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        assert errors == []
        assert sorted(booked) == [1, 2, 3]
        assert len(fresh) == PEOPLE - SEATS
        assert all(o and o[0].start > FIRST_SLOT for o in fresh)  # the next slot, not the full one
        with session_scope(read_only=True) as db:
            count = db.scalar(
                select(func.count()).select_from(Seat).where(Seat.slot_start == FIRST_SLOT)
            )
            assert count == SEATS
            assert db.scalar(select(func.count()).select_from(Appointment)) == SEATS
            assert db.scalar(select(func.count()).select_from(Referral)) == SEATS
