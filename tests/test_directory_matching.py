"""Matching positive screening domains to the demo partners: ranked, explained, urgent first,
and an honest "no match" for the case manager when nothing fits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from api.directory import demo, snapshot
from api.directory.matching import (
    Participant,
    as_data,
    match,
    match_domain,
    needs,
    order_domains,
)
from api.directory.snapshot import Directory
from api.screening.instrument import DOMAINS

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tuesday, 08:00 in San Diego
LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def directory(db: Session) -> Directory:
    demo.load(db_session=db, now=NOW)
    return snapshot.load(db)


def test_urgent_domains_first_housing_when_homeless_then_safety(directory: Directory) -> None:
    picked = ["food", "legal", "safety", "housing"]
    assert order_domains(picked, homeless=True) == [
        ("housing", True), ("safety", True), ("food", False), ("legal", False)]  # fmt: skip
    assert [d for d, _ in order_domains(picked)] == ["safety", "food", "legal", "housing"]

    results = match(directory, picked, Participant("92113", ("es",), homeless=True), now=NOW)

    assert [(r.domain, r.urgent) for r in results] == [
        ("housing", True), ("safety", True), ("food", False), ("legal", False)]  # fmt: skip


def test_food_near_downtown_takes_email_referrals_and_explains_the_ranking(
    directory: Directory,
) -> None:
    result = match_domain(directory, "food", Participant("92101", ("en",)), now=NOW)

    assert result.no_match is None
    assert len(result.offers) == 3
    assert {o.referral_method for o in result.offers} == {"email"}
    scores = [o.score for o in result.offers]
    assert scores == sorted(scores, reverse=True)
    for offer in result.offers:
        assert "meets food" in offer.reasons and "speaks English" in offer.reasons
        assert any(r.endswith("miles from 92101") for r in offer.reasons)
        assert any(r.startswith("partner matrix: ") for r in offer.reasons)
        assert 1 <= len(offer.slots) <= 3 and offer.timezone == "America/Los_Angeles"
        assert all(s.start >= NOW and s.open > 0 for s in offer.slots)
        assert offer.distance_miles is not None and offer.distance_miles < 5


def test_a_spoken_language_ranks_above_interpretation(directory: Directory) -> None:
    arabic = match_domain(directory, "health_care", Participant("92105", ("ar",)), now=NOW)
    assert arabic.offers[0].service == "New Patient Visits"
    assert "speaks Arabic" in arabic.offers[0].reasons

    vietnamese = match_domain(directory, "housing", Participant("92101", ("vi", "en")), now=NOW)
    reasons = {o.service: o.reasons for o in vietnamese.offers}
    assert "interpretation offered (Telephone interpretation in any language)" in reasons[
        "Rapid Rehousing Intake"]  # fmt: skip
    assert "speaks English" in reasons["South Bay Rental Assistance"]  # the second language


def test_no_match_describes_the_gap_for_a_case_manager(directory: Directory) -> None:
    result = match_domain(directory, "legal", Participant("92113", ("vi",)), now=NOW)

    assert result.offers == []
    assert (
        result.no_match
        == "no partner for legal in 92113, in Vietnamese (2 no Vietnamese, 1 too far)"
    )  # noqa: E501
    assert result.excluded == {"no Vietnamese": 2, "too far": 1}


def test_the_partner_matrix_decides_and_explains(directory: Directory) -> None:
    person = Participant("92113", ("es",))
    childcare = match_domain(directory, "childcare", person, now=NOW)
    housing = match_domain(directory, "housing", person, now=NOW)
    education = match_domain(directory, "education", person, now=NOW)

    tanf = "CalWORKs Supportive Services"
    assert "partner matrix: TANF (CalWORKs) pays for child care" in next(
        o.reasons for o in childcare.offers if o.service == tanf)  # fmt: skip
    assert tanf not in {o.service for o in housing.offers}  # no housing allowance
    assert housing.excluded.get("partner matrix") == 1
    assert "partner matrix: TANF (CalWORKs) pays for books (not tuition)" in next(
        o.reasons for o in education.offers if o.service == tanf)  # fmt: skip


def test_service_area_and_age_are_respected_where_known(directory: Directory) -> None:
    city_heights = match_domain(directory, "food", Participant("92105", ("es",)), now=NOW)
    assert "Logan Heights Weekly Groceries" not in {o.service for o in city_heights.offers}
    assert city_heights.excluded.get("outside its service area") == 1

    young = match_domain(directory, "education", Participant("92105", ("en",), age=16), now=NOW)
    assert "Adult ESL and GED Classes" not in {o.service for o in young.offers}
    adult = match_domain(directory, "education", Participant("92105", ("en",), age=30), now=NOW)
    offer = next(o for o in adult.offers if o.service == "Adult ESL and GED Classes")
    assert "ages 18+" in offer.reasons


class _AllTaken(dict[datetime, int]):
    def get(self, key: Any, default: Any = None) -> int:  # type: ignore[override]
        return 99


def test_full_and_closed_days_and_booked_seats_leave_no_offer(directory: Directory) -> None:
    pantry = next(c for c in directory.cards.values() if c.name == "Downtown Grocery Pantry")
    logan = next(c for c in directory.cards.values() if c.name == "Logan Heights Weekly Groceries")
    result = match_domain(directory, "food", Participant("92101", ("en",)), now=NOW, limit=4)
    offers = {o.service: o for o in result.offers}
    from api.directory.slots import expand

    pantry_days = {s.start.astimezone(LA).strftime("%a") for s in expand(
        pantry.id, pantry.rules, capacity=pantry.capacity, slot_minutes=30, start=NOW,
        exceptions=pantry.exceptions) if s.open}  # fmt: skip
    logan_days = [s.start.astimezone(LA).date() for s in expand(
        logan.id, logan.rules, capacity=1, slot_minutes=30, start=NOW,
        exceptions=logan.exceptions) if s.open]  # fmt: skip
    assert "Mon" not in pantry_days and {"Wed", "Fri", "Tue"} <= pantry_days  # full Mondays
    thursdays = sorted({d for d in logan_days if d.weekday() == 3})
    assert [d.isoformat() for d in thursdays] == ["2026-12-10"]  # 3 December closed
    assert offers["Downtown Grocery Pantry"].open_seats > 0

    booked = match_domain(
        directory, "food", Participant("92101", ("en",)), now=NOW, taken=lambda _: _AllTaken()
    )
    assert booked.offers == []
    assert booked.no_match is not None and "no open time in the next 14 days" in booked.no_match


def test_every_domain_finds_a_partner_somewhere_in_the_demo(directory: Directory) -> None:
    for domain in DOMAINS:
        found = [
            zip_
            for zip_ in ("92101", "92113", "92105", "91910", "92054")
            if match_domain(directory, domain, Participant(zip_, ("es",)), now=NOW).offers
        ]
        assert found, domain


def test_screening_results_become_needs_and_a_match_becomes_data(directory: Directory) -> None:
    from api.screening.scoring import NEGATIVE, POSITIVE, DomainResult

    results = [
        DomainResult("housing", "ahc-hrsn-core", POSITIVE, urgent=True),
        DomainResult("food", "ahc-hrsn-core", POSITIVE),
        DomainResult("utilities", "ahc-hrsn-core", NEGATIVE),
        DomainResult("legal", "workforce-supplemental", POSITIVE),
    ]
    domains, homeless = needs(results)
    assert (domains, homeless) == (["housing", "food", "legal"], True)

    found = match(directory, domains, Participant("92101", ("es",), homeless=homeless), now=NOW)
    data = as_data(found[0])

    assert data["domain"] == "housing" and data["urgent"] is True
    first = data["offers"][0]
    assert first["timezone"] == "America/Los_Angeles" and first["reasons"]
    start = datetime.fromisoformat(first["slots"][0]["start"])
    assert start.utcoffset() is not None and start.utcoffset().total_seconds() == -8 * 3600
    assert json.loads(json.dumps(data)) == data  # plain JSON
