"""The partner matrix for staff: who provides or pays for what in each domain, languages, open
seats in the next 14 days less the seats booked, and the language and ZIP filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from api.booking.models import Appointment, Seat
from api.conversations.models import Participant
from api.directory import demo, snapshot
from api.directory.slots import expand
from api.staff import matrix

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tuesday, 08:00 in San Diego
PANTRY = "logan heights family pantry"
TANF = "county of san diego hhsa (calworks)"


@pytest.fixture
def loaded(db: Session) -> None:
    demo.load(db_session=db, now=NOW)


def _partner(view: matrix.MatrixView, key: str) -> matrix.Partner:
    return next(p for p in view.partners if p.key == key)


def test_cells_say_who_provides_who_pays_and_who_does_not(db: Session, loaded: None) -> None:
    view = matrix.build(NOW, db_session=db)
    tanf = _partner(view, TANF)
    assert tanf.label == "TANF (CalWORKs)" and tanf.in_directory
    assert view.cell("education", tanf) == matrix.Cell(
        pays_for=("books",), does_not_pay_for=("tuition",), serves=True
    )
    assert view.cell("housing", tanf).does_not_pay_for == ("housing_allowance",)
    assert view.cell("housing", tanf).pays_for == ()
    pantry = _partner(view, PANTRY)
    assert view.cell("food", pantry) == matrix.Cell(provides=("groceries",), serves=True)
    assert view.cell("legal", pantry).empty
    assert view.domains[:3] == ["food", "housing", "utilities"]  # the matrix data's order
    assert "substance_use" in view.domains


def test_languages_and_open_seats_less_the_booked_ones(db: Session, loaded: None, org) -> None:  # type: ignore[no-untyped-def]
    before = _partner(matrix.build(NOW, db_session=db), PANTRY)
    assert before.languages == ["en", "es"] and before.language_names == ["English", "Spanish"]
    assert before.open_seats and before.open_seats > 0

    card = next(c for c in snapshot.load(db).cards.values() if c.organization == before.name)
    slot = expand(card.id, card.rules, capacity=card.capacity, slot_minutes=card.slot_minutes,
                  start=NOW, exceptions=card.exceptions)[0]  # fmt: skip
    person = Participant(org_id=org.id, language="en")
    db.add(person)
    db.flush()
    booked = Appointment(
        org_id=org.id, participant_id=person.id, service_id=card.id, domain="food",
        start=slot.start, end=slot.end, timezone="UTC", seat=1,
    )  # fmt: skip
    db.add(booked)
    db.flush()
    db.add(Seat(service_id=card.id, slot_start=slot.start, seat=1, appointment_id=booked.id))
    db.flush()

    after = _partner(matrix.build(NOW, db_session=db), PANTRY)
    assert after.open_seats == before.open_seats - 1


def test_the_language_filter_keeps_speakers_and_interpretation(db: Session, loaded: None) -> None:
    view = matrix.build(NOW, db_session=db, language="vi")
    keys = {p.key for p in view.partners}
    assert PANTRY not in keys  # English and Spanish, no interpretation
    assert "pacific asian counseling services" in keys  # speaks Vietnamese
    assert "bayview housing collaborative" in keys  # interpretation offered
    assert all("vi" in p.languages or p.interpretation for p in view.partners)


def test_the_zip_filter_keeps_partners_that_reach_it_with_the_distance(
    db: Session, loaded: None
) -> None:
    north = matrix.build(NOW, db_session=db, zip_code="92028")  # Fallbrook, North County
    keys = {p.key: p for p in north.partners}
    assert PANTRY not in keys  # Logan Heights is more than 25 miles away
    career = keys["north county career center"]
    assert career.distance_miles is not None and career.distance_miles < 25
    south = matrix.build(NOW, db_session=db, zip_code="92113")
    assert _partner(south, PANTRY).distance_miles == pytest.approx(1.0, abs=0.5)
    assert north.problem is None


def test_an_unknown_zip_is_said_and_filters_nothing(db: Session, loaded: None) -> None:
    view = matrix.build(NOW, db_session=db, zip_code="00000")
    assert view.problem == "00000 is not a ZIP code we know"
    assert len(view.partners) == len(matrix.build(NOW, db_session=db).partners)
