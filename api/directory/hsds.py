"""The directory back out as HSDS 3.0 service documents, and HSDS's paginated list."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.directory.models import (
    OUR_FIELDS,
    HsdsAddress,
    HsdsContact,
    HsdsLanguage,
    HsdsLocation,
    HsdsOrganization,
    HsdsPhone,
    HsdsRequiredDocument,
    HsdsRow,
    HsdsSchedule,
    HsdsService,
    HsdsServiceArea,
    HsdsServiceAtLocation,
    ServiceDomain,
    SlotException,
)

OURS = "x_firstcall"
SKIP = {"id", "extra", "imported_at"}


def hsds_fields(row: HsdsRow) -> dict[str, Any]:
    """The row as an HSDS object without nested objects: id first, None left out."""
    ours = OUR_FIELDS.get(row.kind, ())
    out: dict[str, Any] = {"id": row.id}
    out.update(row.extra or {})
    for column in row.__table__.columns:  # type: ignore[attr-defined]
        key = column.key
        if key in SKIP or key in ours:
            continue
        value = getattr(row, key)
        if value is not None:
            out[key] = int(value) if isinstance(value, float) and value.is_integer() else value
    return out


class _Loaded:
    """Every row the documents of some services need, fetched in a few queries."""

    def __init__(self, services: Sequence[HsdsService], db_session: Session) -> None:
        def rows(model: Any, key: str, ids: Sequence[str]) -> dict[str, list[Any]]:
            found = db_session.scalars(select(model).where(_in(getattr(model, key), ids)))
            return _group(found, key)

        ids = [s.id for s in services]
        self.sals = rows(HsdsServiceAtLocation, "service_id", ids)
        sal_ids = [s.id for group in self.sals.values() for s in group]
        location_ids = sorted(
            {s.location_id for group in self.sals.values() for s in group if s.location_id}
        )
        self.locations = {r[0].id: r[0] for r in rows(HsdsLocation, "id", location_ids).values()}
        org_ids = sorted({s.organization_id for s in services if s.organization_id})
        self.orgs = {r[0].id: r[0] for r in rows(HsdsOrganization, "id", org_ids).values()}
        self.addresses = rows(HsdsAddress, "location_id", location_ids)
        owners = {
            "service_id": ids,
            "location_id": location_ids,
            "service_at_location_id": sal_ids,
            "organization_id": org_ids,
        }
        self.by_owner: dict[tuple[str, str], dict[str, list[Any]]] = {}
        for model in (HsdsPhone, HsdsSchedule, HsdsLanguage, HsdsContact):
            for owner, owner_ids in owners.items():
                if hasattr(model, owner):
                    self.by_owner[(model.kind, owner)] = rows(model, owner, owner_ids)
        contact_ids = [c.id for group in self._all("contact") for c in group]
        self.by_owner[("phone", "contact_id")] = rows(HsdsPhone, "contact_id", contact_ids)
        phone_ids = [p.id for group in self._all("phone") for p in group]
        self.by_owner[("language", "phone_id")] = rows(HsdsLanguage, "phone_id", phone_ids)
        self.documents = rows(HsdsRequiredDocument, "service_id", ids)
        self.areas = rows(HsdsServiceArea, "service_id", ids)
        self.domains = rows(ServiceDomain, "service_id", ids)
        self.exceptions = rows(SlotException, "service_id", ids)

    def _all(self, kind: str) -> list[list[Any]]:
        return [
            group
            for (k, _), groups in self.by_owner.items()
            if k == kind
            for group in groups.values()
        ]

    def owned(self, kind: str, owner: str, owner_id: str) -> list[Any]:
        return self.by_owner.get((kind, owner), {}).get(owner_id, [])


def _in(column: Any, ids: Sequence[str]) -> Any:
    return column.in_(list(ids))  # an empty list is an empty IN, which SQLAlchemy renders


def _group(rows: Any, key: str) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    for group in grouped.values():
        group.sort(key=lambda r: str(getattr(r, "id", "")) + str(getattr(r, "domain", "")))
    return grouped


def _phone(row: HsdsPhone, data: _Loaded) -> dict[str, Any]:
    out = hsds_fields(row)
    languages = data.owned("language", "phone_id", row.id)
    if languages:
        out["languages"] = [hsds_fields(lang) for lang in languages]
    return out


def _with(out: dict[str, Any], data: _Loaded, owner: str, owner_id: str) -> dict[str, Any]:
    for kind, key in (("phone", "phones"), ("schedule", "schedules"),
                      ("language", "languages"), ("contact", "contacts")):  # fmt: skip
        rows = data.owned(kind, owner, owner_id)
        if not rows:
            continue
        if kind == "phone":
            out[key] = [_phone(r, data) for r in rows]
        elif kind == "contact":
            out[key] = [_contact(r, data) for r in rows]
        else:
            out[key] = [hsds_fields(r) for r in rows]
    return out


def _contact(row: HsdsContact, data: _Loaded) -> dict[str, Any]:
    out = hsds_fields(row)
    phones = data.owned("phone", "contact_id", row.id)
    if phones:
        out["phones"] = [_phone(p, data) for p in phones]
    return out


def _location(row: HsdsLocation, data: _Loaded) -> dict[str, Any]:
    out = _with(hsds_fields(row), data, "location_id", row.id)
    if data.addresses.get(row.id):
        out["addresses"] = [hsds_fields(a) for a in data.addresses[row.id]]
    if row.timezone:
        out[OURS] = {"timezone": row.timezone}
    return out


def service_document(service: HsdsService, data: _Loaded) -> dict[str, Any]:
    out = _with(hsds_fields(service), data, "service_id", service.id)
    org = data.orgs.get(service.organization_id or "")
    if org is not None:
        out["organization"] = _with(hsds_fields(org), data, "organization_id", org.id)
        out["organization"].pop("schedules", None)
    sals = []
    for sal in data.sals.get(service.id, []):
        item = _with(hsds_fields(sal), data, "service_at_location_id", sal.id)
        location = data.locations.get(sal.location_id or "")
        if location is not None:
            item["location"] = _location(location, data)
        sals.append(item)
    if sals:
        out["service_at_locations"] = sals
    if data.documents.get(service.id):
        out["required_documents"] = [hsds_fields(d) for d in data.documents[service.id]]
    if data.areas.get(service.id):
        out["service_areas"] = [hsds_fields(a) for a in data.areas[service.id]]
    out[OURS] = _ours(service, data)
    return out


def _ours(service: HsdsService, data: _Loaded) -> dict[str, Any]:
    ours: dict[str, Any] = {
        "capacity_per_slot": service.capacity_per_slot,
        "slot_minutes": service.slot_minutes,
    }
    domains = data.domains.get(service.id, [])
    if any(d.source == "direct" for d in domains):  # taxonomy ones come back from the terms
        ours["domains"] = [d.domain for d in domains]
    if service.referral_method:
        ours["referral_method"] = service.referral_method
    if service.referral_target:
        ours["referral_target"] = service.referral_target
    exceptions = data.exceptions.get(service.id, [])
    if exceptions:
        ours["slot_exceptions"] = [
            {"id": e.id, "kind": e.kind, "start": e.starts_at.isoformat(),
             "end": e.ends_at.isoformat(), "capacity": e.capacity, "note": e.note}
            for e in sorted(exceptions, key=lambda e: e.starts_at)
        ]  # fmt: skip
    return ours


def get_service(service_id: str, *, db_session: Session) -> dict[str, Any] | None:
    service = db_session.get(HsdsService, service_id)
    if service is None:
        return None
    return service_document(service, _Loaded([service], db_session))


def list_services(*, db_session: Session, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """HSDS's Page: contents, total_items, total_pages, page_number, size, first/last, empty."""
    page, per_page = max(1, page), max(1, min(per_page, 500))
    total = db_session.scalar(select(func.count()).select_from(HsdsService)) or 0
    services = list(
        db_session.scalars(
            select(HsdsService)
            .order_by(HsdsService.name, HsdsService.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    data = _Loaded(services, db_session)
    pages = math.ceil(total / per_page) if total else 0
    return {
        "contents": [service_document(s, data) for s in services],
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(services),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not services,
    }
