"""Offers: up to 3 open times for one domain, from matching and the slots, full seats left out,
each in its location's named zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.booking import seats
from api.conversations.models import Participant
from api.directory import matching, snapshot

OFFERED = 3


@dataclass(frozen=True)
class BookingOffer:
    """One time the participant can pick: a slot of a service at its location."""

    service_id: str
    service: str
    organization: str | None
    domain: str
    start: datetime  # UTC
    end: datetime
    timezone: str  # the location's IANA zone
    location_id: str | None = None
    address: str | None = None
    required_documents: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=(), compare=False)

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))

    @property
    def key(self) -> tuple[str, datetime]:
        return self.service_id, self.start


def _person(participant: Participant, zip_code: str | None) -> matching.Participant:
    return matching.Participant(zip=zip_code, languages=(participant.language or "en",))


def offers(
    participant: Participant,
    domain: str,
    zip_code: str | None,
    now: datetime,
    *,
    db_session: Session,
    exclude: frozenset[tuple[str, datetime]] = frozenset(),
    exclude_services: frozenset[str] = frozenset(),
    limit: int = OFFERED,
) -> list[BookingOffer]:
    """The best open times: the first time of each ranked partner, then their next ones."""
    directory = snapshot.cached(db_session)
    ids = [card.id for card in directory.by_domain.get(domain, [])]
    held = seats.taken(ids, now, db_session=db_session)
    result = matching.match_domain(
        directory, domain, _person(participant, zip_code), now=now,
        taken=lambda service_id: held.get(service_id, {}),
    )  # fmt: skip
    picked: list[BookingOffer] = []
    ranked = [o for o in result.offers if o.service_id not in exclude_services]
    columns = [[s for s in offer.slots if (offer.service_id, s.start) not in exclude]
               for offer in ranked]  # fmt: skip
    for row in range(max((len(c) for c in columns), default=0)):
        for offer, column in zip(ranked, columns, strict=True):
            if row < len(column) and len(picked) < limit:
                picked.append(_offer(offer, column[row].start, column[row].end, directory))
    return picked


def _offer(
    offer: matching.Offer, start: datetime, end: datetime, directory: snapshot.Directory
) -> BookingOffer:
    card = directory.cards[offer.service_id]
    site = card.sites[0] if card.sites else None
    return BookingOffer(
        service_id=offer.service_id,
        service=offer.service,
        organization=offer.organization,
        domain=offer.domain,
        start=start,
        end=end,
        timezone=offer.timezone,
        location_id=site.location_id if site else None,
        address=offer.address,
        required_documents=offer.required_documents,
        reasons=tuple(offer.reasons),
    )


def slot_capacity(service_id: str, start: datetime, *, db_session: Session) -> int | None:
    """How many seats the slot starting then has today (None: there is no such slot now,
    e.g. a closure was added since it was offered)."""
    card = snapshot.cached(db_session).cards.get(service_id)
    if card is None or card.status != "active":
        return None
    slots = card.slots(start, days=1)
    return next((s.capacity for s in slots if s.start == start), None)
