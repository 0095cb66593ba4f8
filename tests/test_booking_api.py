"""GET /api/v1/referrals and /{id}: the caller's organization only, with the state, the
history, the partner, the appointment in the location's zone, the language, shared fields."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.booking import service, states
from api.staff import service as staff
from tests.support.booking import NOW, ZIP, food_partner, participant


def _booked(db: Session, org_id: str, phone: str, language: str = "en") -> service.Booking:
    person = participant(db, phone, org_id=org_id, language=language)
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]
    return service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW,
                        contact=service.Contact(name="Ana"))  # fmt: skip


def test_referrals_api_shows_state_history_partner_and_appointment_in_zone(
    client,
    db: Session,
    org,  # type: ignore[no-untyped-def]
) -> None:
    food_partner(db, capacity=2)
    booking = _booked(db, org.id, "+16195550201", language="es")
    states.transition(booking.referral, "accepted", by="partner", reason="see you then")
    key = staff.create_api_key(org, "test", db_session=db)
    db.commit()
    headers = {"Authorization": f"Bearer {key}"}

    listing = client.get("/api/v1/referrals", headers=headers)
    one = client.get(f"/api/v1/referrals/{booking.referral.id}", headers=headers)

    assert listing.status_code == 200 and one.status_code == 200
    assert [r["id"] for r in listing.json()] == [booking.referral.id]
    body = one.json()
    assert (body["status"], body["business_status"]) == ("accepted", "booked")
    assert body["service_id"] == "svc-b1-food"
    assert body["partner"] == {"name": "Harbor Pantry Org", "service": "Harbor Pantry"}
    assert body["appointment"]["start"] == "2026-12-02T09:00:00-08:00"
    assert body["appointment"]["timezone"] == "America/Los_Angeles"
    assert body["appointment"]["confirmed_at"].startswith("2026-12-01T16:00:00")
    assert body["language"] == "es"
    assert body["shared"] == {"name": "Ana", "phone": "+16195550201", "zip": ZIP}
    assert [(h["status"], h["by"], h["reason"]) for h in body["history"]] == [
        ("requested", "participant", "booked 2026-12-02T09:00:00-08:00"),
        ("accepted", "partner", "see you then"),
    ]
    assert all(h["at"] for h in body["history"])


def test_referrals_api_is_scoped_to_the_callers_organization(client, db: Session, org) -> None:  # type: ignore[no-untyped-def]
    theirs = staff.create_org("theirs", "Theirs", db_session=db)
    food_partner(db, capacity=2)
    mine = _booked(db, org.id, "+16195550211")
    other = _booked(db, theirs.id, "+16195550212")
    key = staff.create_api_key(org, "test", db_session=db)
    db.commit()
    headers = {"Authorization": f"Bearer {key}"}

    assert [r["id"] for r in client.get("/api/v1/referrals", headers=headers).json()] == [
        mine.referral.id]  # fmt: skip
    assert client.get(f"/api/v1/referrals/{other.referral.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/referrals/{mine.referral.id}").status_code == 401
    assert (
        client.get("/api/v1/referrals", headers={"Authorization": "Bearer no"}).status_code == 401
    )


def test_referrals_api_pages_and_filters_by_status(client, db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=3)
    bookings = [_booked(db, org.id, f"+1619555022{n}") for n in range(3)]
    service.cancel(bookings[0].appointment, db_session=db)
    key = staff.create_api_key(org, "test", db_session=db)
    db.commit()
    headers = {"Authorization": f"Bearer {key}"}

    page1 = client.get("/api/v1/referrals?limit=2", headers=headers).json()
    page2 = client.get("/api/v1/referrals?limit=2&offset=2", headers=headers).json()
    cancelled = client.get("/api/v1/referrals?status=cancelled", headers=headers).json()

    assert len(page1) == 2 and len(page2) == 1
    assert {r["id"] for r in page1 + page2} == {b.referral.id for b in bookings}
    assert [r["id"] for r in cancelled] == [bookings[0].referral.id]
    assert cancelled[0]["appointment"]["status"] == "cancelled"
