"""A booked referral to a partner, built from the real models, for the referral tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from api.booking import states
from api.booking.models import Appointment, Referral, Seat
from api.conversations import service as conversations
from api.directory.models import HsdsOrganization, HsdsService
from api.staff import service as staff

START = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)  # 9:00 in San Diego


def booked_referral(
    db: Session,
    *,
    method: str = "email",
    target: str = "intake@food.example",
    phone: str = "+16195550101",
    language: str = "es",
    shared: dict[str, str] | None = None,
) -> Referral:
    org = staff.org_by_slug("demo", db_session=db) or staff.create_org(
        "demo", "Demo program", db_session=db
    )
    participant = conversations.participant_for_phone(phone, db_session=db)
    participant.org_id = org.id
    participant.language = language
    conversations.current_conversation(participant, "sms", db_session=db)
    partner = HsdsOrganization(id="org-food", name="Harbor Food Bank", extra={})
    service = HsdsService(
        id="svc-food",
        organization_id=partner.id,
        name="Harbor Food Pantry",
        status="active",
        referral_method=method,
        referral_target=target,
        capacity_per_slot=2,
        extra={},
    )
    db.add_all([partner, service])
    db.flush()
    appointment = Appointment(
        org_id=org.id,
        participant_id=participant.id,
        service_id=service.id,
        domain="food",
        start=START,
        end=START + timedelta(hours=1),
        timezone="America/Los_Angeles",
        seat=1,
    )
    db.add(appointment)
    db.flush()
    db.add(Seat(service_id=service.id, slot_start=START, seat=1, appointment_id=appointment.id))
    referral = Referral(
        org_id=org.id,
        participant_id=participant.id,
        appointment_id=appointment.id,
        service_id=service.id,
        domain="food",
        language=language,
        reason={
            "domain": "food",
            "status": "positive",
            "loinc": "88122-7",
            "questions": ["food_worry", "food_ran_out"],
        },
        status=None,
        events=[],
    )
    referral.shared = shared if shared is not None else {"name": "Ana"}
    db.add(referral)
    states.transition(referral, states.DRAFT, states.BOOKED, by="participant", reason="booked")
    db.flush()
    return referral
