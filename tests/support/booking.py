"""A tiny partner directory for the booking tests: one food service in San Diego with a
few explicit slots of a chosen capacity, and participants to book them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from api.conversations import service as conversations
from api.conversations.models import Participant
from api.directory.models import (
    HsdsAddress,
    HsdsLanguage,
    HsdsLocation,
    HsdsOrganization,
    HsdsService,
    HsdsServiceAtLocation,
    ServiceDomain,
    SlotException,
)
from api.screening.consent import record_consent

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tuesday 08:00 in San Diego
FIRST_SLOT = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # Wednesday 09:00 in San Diego
ZIP = "92101"


def food_partner(
    db: Session, *, service_id: str = "svc-b1-food", name: str = "Harbor Pantry",
    capacity: int = 3, slots: int = 1, lat: float = 32.7157, lon: float = -117.1611,
    languages: tuple[str, ...] = ("en", "es"),
) -> str:  # fmt: skip
    """A food service with `slots` one-hour slots of `capacity` seats from FIRST_SLOT on."""
    org_id, loc_id = f"org-{service_id}", f"loc-{service_id}"
    db.add(HsdsOrganization(id=org_id, name=f"{name} Org", extra={}))
    db.flush()  # no relationships between HSDS rows: parents are flushed first by hand
    db.add(HsdsLocation(id=loc_id, organization_id=org_id, location_type="physical",
                        name=name, latitude=lat, longitude=lon,
                        timezone="America/Los_Angeles", extra={}))  # fmt: skip
    db.flush()
    db.add(HsdsAddress(id=f"addr-{service_id}", location_id=loc_id, address_1="1 Harbor Dr",
                       city="San Diego", state_province="CA", postal_code=ZIP, country="US",
                       address_type="physical", extra={}))  # fmt: skip
    db.add(HsdsService(id=service_id, organization_id=org_id, name=name, status="active",
                       referral_method="email", referral_target="intake@pantry.example",
                       capacity_per_slot=capacity, slot_minutes=60, extra={}))  # fmt: skip
    db.flush()
    db.add(HsdsServiceAtLocation(id=f"sal-{service_id}", service_id=service_id,
                                 location_id=loc_id, extra={}))  # fmt: skip
    for code in languages:
        db.add(HsdsLanguage(id=f"lang-{service_id}-{code}", service_id=service_id, code=code,
                            extra={}))  # fmt: skip
    db.add(ServiceDomain(service_id=service_id, domain="food", source="direct"))
    for n in range(slots):  # one hour each, a day apart
        start = FIRST_SLOT + timedelta(days=n)
        db.add(SlotException(id=f"x-{service_id}-{n}", service_id=service_id, kind="extra",
                             starts_at=start, ends_at=start + timedelta(hours=1),
                             capacity=capacity))  # fmt: skip
    db.flush()
    return service_id


def participant(
    db: Session, phone: str, *, org_id: str, language: str = "en", share: bool = True
) -> Participant:
    person = conversations.participant_for_phone(phone, db_session=db)
    person.org_id, person.language = org_id, language
    db.flush()
    record_consent(person, ("share_partner",), share, channel="sms", db_session=db)
    db.flush()
    return person
