"""The directory as matching reads it: one in-memory card per service, rebuilt only when an
import changed something."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.directory import geo
from api.directory.models import (
    HsdsAddress,
    HsdsLanguage,
    HsdsLocation,
    HsdsOrganization,
    HsdsRequiredDocument,
    HsdsSchedule,
    HsdsService,
    HsdsServiceArea,
    HsdsServiceAtLocation,
    ServiceDomain,
    SlotException,
)
from api.directory.slots import HORIZON_DAYS, Exception_, Rule, Slot, expand, parse_rule

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Site:
    location_id: str
    name: str | None
    latitude: float | None
    longitude: float | None
    zone: ZoneInfo
    address: str | None


@dataclass(frozen=True)
class Card:
    id: str
    name: str
    organization: str | None
    status: str
    domains: tuple[str, ...]
    languages: frozenset[str]  # primary ISO 639-1 subtags
    interpretation: str | None
    sites: tuple[Site, ...]
    area_zips: frozenset[str]
    area_counties: frozenset[str]
    minimum_age: float | None
    maximum_age: float | None
    capacity: int
    slot_minutes: int
    rules: tuple[tuple[Rule, ZoneInfo], ...]
    exceptions: tuple[Exception_, ...]
    referral_method: str | None
    documents: tuple[str, ...]

    @property
    def zone(self) -> ZoneInfo:
        return self.sites[0].zone if self.sites else UTC_ZONE

    def slots(
        self,
        start: datetime,
        *,
        days: int = HORIZON_DAYS,
        taken: Mapping[datetime, int] | None = None,
    ) -> list[Slot]:
        """This service's slots from `start` for `days` days (api/directory/slots.expand)."""
        return expand(
            self.id,
            self.rules,
            capacity=self.capacity,
            slot_minutes=self.slot_minutes,
            start=start,
            days=days,
            exceptions=self.exceptions,
            taken=taken,
        )


@dataclass
class Directory:
    cards: dict[str, Card] = field(default_factory=dict)
    by_domain: dict[str, list[Card]] = field(default_factory=dict)

    @classmethod
    def of(cls, cards: list[Card]) -> Directory:
        by_domain: dict[str, list[Card]] = defaultdict(list)
        for card in cards:
            for domain in card.domains:
                by_domain[domain].append(card)
        return cls({c.id: c for c in cards}, dict(by_domain))


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else UTC_ZONE
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def _codes(languages: list[HsdsLanguage]) -> set[str]:
    return {(lang.code or "").split("-")[0].lower() for lang in languages if lang.code}


def _grouped(rows: list[Any], key: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        out[getattr(row, key)].append(row)
    return out


def load(db_session: Session) -> Directory:
    s = db_session.scalars
    services = list(s(select(HsdsService)))
    orgs = {o.id: o.name for o in s(select(HsdsOrganization))}
    domains = _grouped(list(s(select(ServiceDomain))), "service_id")
    sals = _grouped(list(s(select(HsdsServiceAtLocation))), "service_id")
    locations = {loc.id: loc for loc in s(select(HsdsLocation))}
    addresses = _grouped(list(s(select(HsdsAddress))), "location_id")
    languages = list(s(select(HsdsLanguage)))
    by_service = _grouped([lang for lang in languages if lang.service_id], "service_id")
    by_location = _grouped([lang for lang in languages if lang.location_id], "location_id")
    schedules = list(s(select(HsdsSchedule)))
    areas = _grouped(list(s(select(HsdsServiceArea))), "service_id")
    exceptions = _grouped(list(s(select(SlotException))), "service_id")
    documents = _grouped(list(s(select(HsdsRequiredDocument))), "service_id")
    sal_location = {sal.id: sal.location_id for group in sals.values() for sal in group}
    sched_by_service = _grouped([x for x in schedules if x.service_id], "service_id")
    sched_by_sal = _grouped(
        [x for x in schedules if x.service_at_location_id], "service_at_location_id"
    )
    sched_by_location = _grouped([x for x in schedules if x.location_id], "location_id")

    def site(location_id: str) -> Site | None:
        loc = locations.get(location_id)
        if loc is None or loc.location_type == "virtual":
            return None
        address = next(iter(addresses.get(location_id, [])), None)
        text = f"{address.address_1}, {address.city} {address.postal_code}" if address else None
        return Site(loc.id, loc.name, loc.latitude, loc.longitude, _zone(loc.timezone), text)

    cards = []
    for svc in services:
        my_sals = sals.get(svc.id, [])
        sites = tuple(x for x in (site(sal.location_id or "") for sal in my_sals) if x)
        default_zone = sites[0].zone if sites else UTC_ZONE
        zones = {x.location_id: x.zone for x in sites}
        own = list(sched_by_service.get(svc.id, []))
        for sal in my_sals:
            own += sched_by_sal.get(sal.id, [])
        if not own:  # no hours of its own: the location's opening hours
            for sal in my_sals:
                own += sched_by_location.get(sal.location_id or "", [])
        rules = []
        for sched in own:
            parsed = parse_rule(
                {c.key: getattr(sched, c.key) for c in HsdsSchedule.__table__.columns}
            )
            location_id = sched.location_id or sal_location.get(sched.service_at_location_id or "")
            if parsed.rule is not None:
                rules.append((parsed.rule, zones.get(location_id or "", default_zone)))
        codes = _codes(by_service.get(svc.id, []))
        for sal in my_sals:
            codes |= _codes(by_location.get(sal.location_id or "", []))
        zips: set[str] = set()
        counties: set[str] = set()
        for area in areas.get(svc.id, []):
            if area.extent_type == "postal_codes" and area.extent:
                zips |= {z for z in (geo.normalize_zip(p) for p in area.extent.split(",")) if z}
            elif area.name:
                counties.add(area.name.casefold())
        cards.append(
            Card(
                id=svc.id,
                name=svc.name,
                organization=orgs.get(svc.organization_id or ""),
                status=svc.status,
                domains=tuple(sorted(d.domain for d in domains.get(svc.id, []))),
                languages=frozenset(c for c in codes if c),
                interpretation=svc.interpretation_services or None,
                sites=sites,
                area_zips=frozenset(zips),
                area_counties=frozenset(counties),
                minimum_age=svc.minimum_age,
                maximum_age=svc.maximum_age,
                capacity=svc.capacity_per_slot,
                slot_minutes=svc.slot_minutes,
                rules=tuple(rules),
                exceptions=tuple(
                    Exception_(e.kind, e.starts_at, e.ends_at, e.capacity)
                    for e in exceptions.get(svc.id, [])
                ),
                referral_method=svc.referral_method,
                documents=tuple(d.document for d in documents.get(svc.id, []) if d.document),
            )
        )
    return Directory.of(cards)


_cache: dict[str, tuple[tuple[object, ...], Directory]] = {}


def cached(db_session: Session) -> Directory:
    """The directory, rebuilt when an import added, changed or removed something."""
    signature = tuple(
        db_session.execute(select(func.count(), func.max(model.imported_at))).one()
        for model in (HsdsService, HsdsSchedule, HsdsLocation)
    ) + (
        db_session.scalar(select(func.count()).select_from(SlotException)),
        db_session.scalar(select(func.count()).select_from(ServiceDomain)),
    )
    url = str(db_session.get_bind().engine.url)
    hit = _cache.get(url)
    if hit is None or hit[0] != signature:
        hit = (signature, load(db_session))
        _cache[url] = hit
    return hit[1]
