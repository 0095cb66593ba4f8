"""The partner directory: Open Referral HSDS 3.0 objects in their own tables, and our fields.

Each HSDS table has the object's fields as columns, named as in HSDS, plus `extra`: every
other field of the object as it was imported (attributes, metadata, funding, ...), so an
export gives back what came in. Our own fields (screening domains, referral method,
booking capacity, the location's named time zone, extra slots and closures) sit beside
them and travel in HSDS documents under the `x_firstcall` key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, utcnow

ID = String(64)


class HsdsRow:
    """What every HSDS table has: the id, the unmodelled fields, and when it was imported."""

    kind: ClassVar[str]
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class HsdsOrganization(HsdsRow, Base):
    __tablename__ = "hsds_organizations"
    kind = "organization"

    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))


class HsdsLocation(HsdsRow, Base):
    __tablename__ = "hsds_locations"
    kind = "location"

    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("hsds_organizations.id"), index=True
    )
    location_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # ours: the IANA zone the location's schedules are expanded in
    timezone: Mapped[str | None] = mapped_column(String(64))


class HsdsAddress(HsdsRow, Base):
    __tablename__ = "hsds_addresses"
    kind = "address"

    location_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_locations.id"), index=True)
    address_1: Mapped[str] = mapped_column(String(300))
    address_2: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    state_province: Mapped[str] = mapped_column(String(120))
    postal_code: Mapped[str] = mapped_column(String(20), index=True)
    country: Mapped[str] = mapped_column(String(8))
    address_type: Mapped[str] = mapped_column(String(16))


class HsdsService(HsdsRow, Base):
    __tablename__ = "hsds_services"
    kind = "service"

    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("hsds_organizations.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(32))
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[float | None] = mapped_column(Float)
    maximum_age: Mapped[float | None] = mapped_column(Float)
    alert: Mapped[str | None] = mapped_column(Text)
    # ours: how the partner takes referrals, and how many people one slot holds
    referral_method: Mapped[str | None] = mapped_column(String(16))
    referral_target: Mapped[str | None] = mapped_column(String(500))
    capacity_per_slot: Mapped[int] = mapped_column(Integer, default=1)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=60)


class HsdsServiceAtLocation(HsdsRow, Base):
    __tablename__ = "hsds_service_at_locations"
    kind = "service_at_location"

    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_locations.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)


class HsdsContact(HsdsRow, Base):
    __tablename__ = "hsds_contacts"
    kind = "contact"

    organization_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_organizations.id"))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("hsds_service_at_locations.id")
    )
    location_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_locations.id"))
    name: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(300))
    department: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))


class HsdsPhone(HsdsRow, Base):
    __tablename__ = "hsds_phones"
    kind = "phone"

    location_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_locations.id"))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_organizations.id"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_contacts.id"))
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("hsds_service_at_locations.id")
    )
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[float | None] = mapped_column(Float)
    type: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)


class HsdsLanguage(HsdsRow, Base):
    __tablename__ = "hsds_languages"
    kind = "language"

    service_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_locations.id"), index=True)
    phone_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_phones.id"))
    name: Mapped[str | None] = mapped_column(String(120))
    code: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class HsdsSchedule(HsdsRow, Base):
    __tablename__ = "hsds_schedules"
    kind = "schedule"

    service_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_locations.id"), index=True)
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("hsds_service_at_locations.id"), index=True
    )
    valid_from: Mapped[str | None] = mapped_column(String(32))
    valid_to: Mapped[str | None] = mapped_column(String(32))
    dtstart: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[float | None] = mapped_column(Float)
    until: Mapped[str | None] = mapped_column(String(32))
    count: Mapped[float | None] = mapped_column(Float)
    wkst: Mapped[str | None] = mapped_column(String(2))
    freq: Mapped[str | None] = mapped_column(String(16))
    interval: Mapped[float | None] = mapped_column(Float)
    byday: Mapped[str | None] = mapped_column(String(64))
    byweekno: Mapped[str | None] = mapped_column(String(64))
    bymonthday: Mapped[str | None] = mapped_column(String(64))
    byyearday: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[str | None] = mapped_column(String(16))
    closes_at: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)


class HsdsRequiredDocument(HsdsRow, Base):
    __tablename__ = "hsds_required_documents"
    kind = "required_document"

    service_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    document: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(500))


class HsdsServiceArea(HsdsRow, Base):
    __tablename__ = "hsds_service_areas"
    kind = "service_area"

    service_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(Text)
    extent_type: Mapped[str | None] = mapped_column(String(32))
    uri: Mapped[str | None] = mapped_column(String(500))


class ServiceDomain(Base):
    """Ours: a screening domain (api/screening/instruments) that a service meets."""

    __tablename__ = "directory_service_domains"

    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
    source: Mapped[str] = mapped_column(String(16))  # "direct" or "taxonomy"


class SlotException(Base):
    """Ours: an extra slot, a closure, or a capacity change (0 = full) for a time window."""

    __tablename__ = "directory_slot_exceptions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # extra | closure | capacity
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


# Import order (parents first); deletes go the other way.
HSDS_MODELS: tuple[type[HsdsRow], ...] = (
    HsdsOrganization,
    HsdsLocation,
    HsdsAddress,
    HsdsService,
    HsdsServiceAtLocation,
    HsdsContact,
    HsdsPhone,
    HsdsLanguage,
    HsdsSchedule,
    HsdsRequiredDocument,
    HsdsServiceArea,
)
MODEL_BY_KIND: dict[str, type[HsdsRow]] = {m.kind: m for m in HSDS_MODELS}
# Columns of ours in HSDS tables: exported under `x_firstcall`, not as HSDS fields.
OUR_FIELDS: dict[str, tuple[str, ...]] = {
    "location": ("timezone",),
    "service": ("referral_method", "referral_target", "capacity_per_slot", "slot_minutes"),
}
