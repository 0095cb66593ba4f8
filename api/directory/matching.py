"""Matching a participant's positive screening domains to partner services.

For each domain, services are ranked by: the domain; a language the participant speaks (or
interpretation offered); distance from the participant's ZIP; service area and age
eligibility where known; the partner matrix; and open capacity in the next 14 days. Every
offer carries its reasons, so staff can see why. Urgent domains come first (housing when
homeless, then safety), then the participant's order. When nothing fits, the result says
so in words a case manager can act on ("no partner for legal in 92113, in Vietnamese").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale

from api.directory import geo
from api.directory import matrix as partner_matrix
from api.directory.slots import HORIZON_DAYS, Slot
from api.directory.snapshot import Card, Directory
from api.screening.scoring import POSITIVE, DomainResult

MAX_MILES = 25.0
OFFERED_SLOTS = 3
LEAD_TIME = timedelta(hours=2)  # the partner needs a little notice
Taken = Callable[[str], Mapping[datetime, int]]  # service id -> seats taken per slot start


@dataclass(frozen=True)
class Participant:
    zip: str | None
    languages: tuple[str, ...] = ("en",)  # the participant's, first = preferred
    age: int | None = None
    homeless: bool = False


@dataclass
class Offer:
    service_id: str
    service: str
    organization: str | None
    domain: str
    score: float
    reasons: list[str]
    distance_miles: float | None
    open_seats: int
    slots: list[Slot]
    referral_method: str | None
    address: str | None
    timezone: str
    required_documents: tuple[str, ...]


@dataclass
class DomainMatch:
    domain: str
    urgent: bool
    offers: list[Offer] = field(default_factory=list)
    no_match: str | None = None  # the case manager's task when nothing fits
    excluded: dict[str, int] = field(default_factory=dict)  # why others were left out


def language_name(code: str) -> str:
    return str(Locale("en").languages.get(code, code))


def needs(results: Sequence[DomainResult]) -> tuple[list[str], bool]:
    """The positive domains in screening order, and whether housing came out urgent (no
    steady place to live): the input of `match`."""
    positive = [r.domain for r in results if r.status == POSITIVE]
    homeless = any(r.domain == "housing" and r.urgent for r in results)
    return list(dict.fromkeys(positive)), homeless


def as_data(result: DomainMatch) -> dict[str, Any]:
    """A match as JSON data for staff and the handoff: why each partner, and each slot with
    its start as ISO 8601 in the location's zone and the zone's name."""
    return {
        "domain": result.domain,
        "urgent": result.urgent,
        "no_match": result.no_match,
        "excluded": result.excluded,
        "offers": [
            {
                "service_id": o.service_id,
                "service": o.service,
                "organization": o.organization,
                "score": o.score,
                "reasons": o.reasons,
                "distance_miles": o.distance_miles,
                "open_seats": o.open_seats,
                "referral_method": o.referral_method,
                "address": o.address,
                "timezone": o.timezone,
                "required_documents": list(o.required_documents),
                "slots": [
                    {
                        "start": s.start.astimezone(ZoneInfo(o.timezone)).isoformat(),
                        "end": s.end.astimezone(ZoneInfo(o.timezone)).isoformat(),
                        "open": s.open,
                    }
                    for s in o.slots
                ],  # fmt: skip
            }
            for o in result.offers
        ],
    }


def order_domains(domains: Sequence[str], *, homeless: bool = False) -> list[tuple[str, bool]]:
    """(domain, urgent) in the order to offer: housing when homeless, safety, then as given."""
    first = []
    if homeless and "housing" in domains:
        first.append(("housing", True))
    if "safety" in domains:
        first.append(("safety", True))
    taken = {d for d, _ in first}
    return first + [(d, False) for d in dict.fromkeys(domains) if d not in taken]


def _language(card: Card, person: Participant) -> tuple[float, str] | None:
    """The preferred language spoken, then interpretation, then another language they speak."""
    preferred, *others = person.languages or ("en",)
    if preferred in card.languages:
        return 3.0, f"speaks {language_name(preferred)}"
    if card.interpretation:
        return 2.0, f"interpretation offered ({card.interpretation})"
    for code in others:
        if code in card.languages:
            return 1.5, f"speaks {language_name(code)}"
    return None


def _prescore(
    card: Card, domain: str, person: Participant, where: geo.Zip | None, why: Counter[str]
) -> tuple[float, list[str], float | None] | None:
    """The score and reasons before capacity, or None (and why counted) when it can't fit."""
    if card.status != "active":
        why["not active"] += 1
        return None
    language = _language(card, person)
    if language is None:
        why[f"no {language_name(person.languages[0])}"] += 1
        return None
    score, reasons = language[0], [f"meets {domain.replace('_', ' ')}", language[1]]
    if card.area_zips or card.area_counties:
        if where is None:
            reasons.append("serves a listed area (your ZIP is unknown)")
        elif where.code in card.area_zips or where.county.casefold() in card.area_counties:
            score += 1.0
            reasons.append(f"serves {where.code}")
        else:
            why["outside its service area"] += 1
            return None
    age = person.age
    low, high = card.minimum_age, card.maximum_age
    if age is not None and ((low is not None and age < low) or (high is not None and age > high)):
        why["age"] += 1
        return None
    if low is not None or high is not None:
        span = f"ages {low or 0:g}+" if high is None else f"ages {low or 0:g}-{high:g}"
        reasons.append(span if age is not None else f"{span} (age not asked)")
    distance = None
    if where is not None:
        located = [s for s in card.sites if s.latitude is not None and s.longitude is not None]
        if located:
            distance = min(
                geo.miles(where.latitude, where.longitude, s.latitude, s.longitude)  # type: ignore[arg-type]
                for s in located
            )
            if distance > MAX_MILES:
                why["too far"] += 1
                return None
            score -= distance / 5.0
            reasons.append(f"{distance:.1f} miles from {where.code}")
    verdict = partner_matrix.load().verdict(card.organization, domain)
    if verdict.fits is False:
        why["partner matrix"] += 1
        return None
    if verdict.fits and verdict.reason:
        score += 1.0
        reasons.append(verdict.reason)
    return score, reasons, distance


def match_domain(
    directory: Directory,
    domain: str,
    person: Participant,
    *,
    now: datetime,
    urgent: bool = False,
    limit: int = 3,
    taken: Taken | None = None,
) -> DomainMatch:
    result = DomainMatch(domain, urgent)
    where = geo.lookup(person.zip)
    why: Counter[str] = Counter()
    ranked = []
    for card in directory.by_domain.get(domain, []):
        pre = _prescore(card, domain, person, where, why)
        if pre is not None:
            ranked.append((pre[0], card.name, card, pre))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    start = now + LEAD_TIME
    for _, _, card, (score, reasons, distance) in ranked:
        if len(result.offers) >= limit:
            break
        slots = card.slots(start, days=HORIZON_DAYS, taken=taken(card.id) if taken else None)
        open_slots = [s for s in slots if s.open > 0]
        seats = sum(s.open for s in open_slots)
        if not seats:
            why["no open time in the next 14 days"] += 1
            continue
        reasons = [*reasons, f"{seats} open seats in the next {HORIZON_DAYS} days"]
        site = card.sites[0] if card.sites else None
        result.offers.append(
            Offer(
                service_id=card.id,
                service=card.name,
                organization=card.organization,
                domain=domain,
                score=round(score + min(seats, 20) / 20.0, 3),
                reasons=reasons,
                distance_miles=None if distance is None else round(distance, 1),
                open_seats=seats,
                slots=open_slots[:OFFERED_SLOTS],
                referral_method=card.referral_method,
                address=site.address if site else None,
                timezone=card.zone.key,
                required_documents=card.documents,
            )
        )
    result.offers.sort(key=lambda o: -o.score)
    result.excluded = dict(why)
    if not result.offers:
        result.no_match = _no_match(domain, person, why)
    return result


def _no_match(domain: str, person: Participant, why: Counter[str]) -> str:
    label = domain.replace("_", " ")
    text = f"no partner for {label} in {person.zip or 'an unknown ZIP'}, in "
    text += language_name(person.languages[0]) if person.languages else "any language"
    if why:
        text += " (" + ", ".join(f"{n} {reason}" for reason, n in why.most_common()) + ")"
    return text


def match(
    directory: Directory,
    domains: Sequence[str],
    person: Participant,
    *,
    now: datetime,
    limit: int = 3,
    taken: Taken | None = None,
) -> list[DomainMatch]:
    """One result per positive domain, urgent ones first."""
    return [
        match_domain(directory, domain, person, now=now, urgent=urgent, limit=limit, taken=taken)
        for domain, urgent in order_domains(domains, homeless=person.homeless)
    ]
