"""The partner matrix for staff (/staff/partners): screening domains x partner organizations.

A cell says what the partner provides, pays for, or is listed as not paying for in that
domain (the matrix data, api/directory/demo/matrix.yml), and whether one of its services in
the directory meets the domain. Each partner shows the languages its services speak (or
interpretation), and its open seats in the next 14 days: the slots of its active services
less the seats already booked. Filters: a language (spoken or interpreted) and a ZIP (a
service area that lists it, or a site within matching's distance; a service with no area
and no located site serves anywhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from api.booking import seats
from api.directory import geo, snapshot
from api.directory import matrix as partner_matrix
from api.directory.matching import MAX_MILES, language_name
from api.directory.slots import HORIZON_DAYS
from api.directory.snapshot import Card


@dataclass(frozen=True)
class Cell:
    provides: tuple[str, ...] = ()
    pays_for: tuple[str, ...] = ()
    does_not_pay_for: tuple[str, ...] = ()
    serves: bool = False  # a directory service of the partner meets the domain

    @property
    def empty(self) -> bool:
        return not (self.provides or self.pays_for or self.does_not_pay_for or self.serves)


@dataclass
class Partner:
    key: str  # the organization's name, casefolded
    name: str
    label: str
    languages: list[str] = field(default_factory=list)  # ISO 639-1 codes
    interpretation: bool = False
    open_seats: int | None = None  # None: no bookable service in the directory
    distance_miles: float | None = None
    in_directory: bool = False

    @property
    def language_names(self) -> list[str]:
        return [language_name(code) for code in self.languages]


@dataclass
class MatrixView:
    domains: list[str]
    partners: list[Partner]
    cells: dict[tuple[str, str], Cell]
    language: str | None = None
    zip_code: str | None = None
    problem: str | None = None  # a filter that could not be applied, in words
    horizon_days: int = HORIZON_DAYS

    def cell(self, domain: str, partner: Partner) -> Cell:
        return self.cells.get((domain, partner.key), Cell())


def _items(entry: partner_matrix.Entry | None, supports: dict[str, str], domain: str) -> Cell:
    if entry is None:
        return Cell()

    def pick(items: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(s for s in items if supports.get(s) == domain)

    return Cell(pick(entry.provides), pick(entry.pays_for), pick(entry.does_not_pay_for))


def _near(card: Card, where: geo.Zip) -> tuple[bool, float | None]:
    """Whether the service reaches the ZIP, and the distance to its nearest site."""
    located = [s for s in card.sites if s.latitude is not None and s.longitude is not None]
    distance = (
        min(geo.miles(where.latitude, where.longitude, s.latitude, s.longitude)  # type: ignore[arg-type]
            for s in located)
        if located else None
    )  # fmt: skip
    if card.area_zips or card.area_counties:
        listed = where.code in card.area_zips or where.county.casefold() in card.area_counties
        return listed, distance
    if distance is None:
        return True, None  # no area, no located site: serves anywhere (phone, online)
    return distance <= MAX_MILES, distance


def _open_seats(cards: list[Card], now: datetime, db_session: Session) -> dict[str, int]:
    active = [c for c in cards if c.status == "active"]
    held = seats.taken([c.id for c in active], now, db_session=db_session)
    out = {}
    for card in active:
        slots = card.slots(now, days=HORIZON_DAYS, taken=held.get(card.id, {}))
        out[card.id] = sum(s.open for s in slots)
    return out


def build(
    now: datetime,
    *,
    db_session: Session,
    language: str | None = None,
    zip_code: str | None = None,
    data: partner_matrix.Matrix | None = None,
) -> MatrixView:
    data = data or partner_matrix.load()
    directory = snapshot.cached(db_session)
    by_org: dict[str, list[Card]] = {}
    for card in directory.cards.values():
        if card.organization:
            by_org.setdefault(card.organization.casefold(), []).append(card)
    domains = list(dict.fromkeys(data.supports.values()))
    domains += sorted({d for c in directory.cards.values() for d in c.domains} - set(domains))
    names = {key: entry.organization for key, entry in data.entries.items()}
    names.update({key: cards[0].organization or key for key, cards in by_org.items()})
    where = geo.lookup(zip_code) if zip_code else None
    problem = f"{zip_code} is not a ZIP code we know" if zip_code and where is None else None
    open_by_card = _open_seats(list(directory.cards.values()), now, db_session)

    partners: list[Partner] = []
    cells: dict[tuple[str, str], Cell] = {}
    for key in sorted(names, key=lambda k: names[k].casefold()):
        entry = data.entries.get(key)
        cards = by_org.get(key, [])
        partner = Partner(key, names[key], entry.label if entry else names[key])
        partner.in_directory = bool(cards)
        partner.languages = sorted({code for c in cards for code in c.languages})
        partner.interpretation = any(c.interpretation for c in cards)
        if language and not (language in partner.languages or partner.interpretation):
            continue
        if where is not None:
            reach = [_near(c, where) for c in cards]
            if not any(ok for ok, _ in reach):
                continue
            distances = [d for ok, d in reach if ok and d is not None]
            partner.distance_miles = round(min(distances), 1) if distances else None
        bookable = [open_by_card[c.id] for c in cards if c.id in open_by_card]
        partner.open_seats = sum(bookable) if bookable else None
        partners.append(partner)
        for domain in domains:
            cell = _items(entry, data.supports, domain)
            serves = any(domain in c.domains for c in cards)
            cell = Cell(cell.provides, cell.pays_for, cell.does_not_pay_for, serves)
            if not cell.empty:
                cells[(domain, key)] = cell
    return MatrixView(domains, partners, cells, language, zip_code, problem)
