"""Scoring against the published rules (AHC HRSN, Hunger Vital Sign, HITS, PHQ-2)."""

from __future__ import annotations

import pytest

from api.screening import scoring
from api.screening.instrument import modules, questions_for
from api.screening.scoring import DECLINED, NEGATIVE, POSITIVE, Answer

CORE = "ahc-hrsn-core"
SUPP = "workforce-supplemental"
HITS = ["safety_hurt", "safety_insult", "safety_threaten", "safety_scream"]


def domain(results: list[scoring.DomainResult], name: str) -> scoring.DomainResult:
    return next(r for r in results if r.domain == name)


def core(answers: dict[str, Answer]) -> list[scoring.DomainResult]:
    return scoring.score([modules()[CORE]], answers)


def test_core_has_the_ten_ahc_items_with_their_loinc_codes() -> None:
    module = modules()[CORE]
    assert module.loinc == "96777-8"
    codes = [q.loinc for q in module.questions]
    assert codes == [
        "71802-3",
        "96778-6",
        "88122-7",
        "88123-5",
        "93030-5",
        "96779-4",
        "95618-5",
        "95617-7",
        "95616-9",
        "95615-1",
    ]
    hits = [q for q in module.questions if q.id in HITS]
    assert all([o.score for o in q.options] == [1, 2, 3, 4, 5] for q in hits)
    assert all(q.sensitive for q in hits)


def test_hunger_vital_sign_is_asked_once_across_modules() -> None:
    all_codes = [q.loinc for q in questions_for([CORE, SUPP]) if q.loinc]
    assert all_codes.count("88122-7") == 1 and all_codes.count("88123-5") == 1


@pytest.mark.parametrize(
    ("worry", "ran_out", "expected"),
    [
        ("often", "never", POSITIVE),
        ("never", "sometimes", POSITIVE),
        ("never", "never", NEGATIVE),
        (None, "never", NEGATIVE),
        (None, None, DECLINED),
    ],
)
def test_hunger_vital_sign(worry, ran_out, expected) -> None:  # type: ignore[no-untyped-def]
    answers = {}
    for qid, pick in (("food_worry", worry), ("food_ran_out", ran_out)):
        answers[qid] = Answer(qid, (pick,)) if pick else Answer(qid, declined=True)
    assert domain(core(answers), "food").status == expected


@pytest.mark.parametrize(
    ("picks", "status", "total"),
    [
        (["never", "never", "never", "never"], NEGATIVE, 4),
        (["sometimes", "sometimes", "rarely", "rarely"], NEGATIVE, 10),
        (["sometimes", "sometimes", "sometimes", "rarely"], POSITIVE, 11),
        (["frequently", "frequently", "frequently", "frequently"], POSITIVE, 20),
    ],
)
def test_hits_total_of_11_or_more_is_positive(picks, status, total) -> None:  # type: ignore[no-untyped-def]
    answers = {q: Answer(q, (p,)) for q, p in zip(HITS, picks, strict=True)}
    result = domain(core(answers), "safety")
    assert (result.status, result.score, result.loinc) == (status, total, "95614-4")


def test_hits_needs_all_four_answers() -> None:
    answers = {q: Answer(q, ("frequently",)) for q in HITS[:3]}
    answers[HITS[3]] = Answer(HITS[3], declined=True)
    result = domain(core(answers), "safety")
    assert result.status == DECLINED and result.score is None
    # a declined total is still urgent when an answer says someone hurts them often
    assert result.urgent is True


def test_housing_any_positive_and_homelessness_is_urgent() -> None:
    steady = core(
        {
            "living_situation": Answer("living_situation", ("steady",)),
            "housing_problems": Answer("housing_problems", ("none",)),
        }
    )
    assert domain(steady, "housing").status == NEGATIVE
    mold = core(
        {
            "living_situation": Answer("living_situation", ("steady",)),
            "housing_problems": Answer("housing_problems", ("mold", "pests")),
        }
    )
    assert domain(mold, "housing").status == POSITIVE
    homeless = core({"living_situation": Answer("living_situation", ("not_steady",))})
    assert domain(homeless, "housing").status == POSITIVE
    assert domain(homeless, "housing").urgent is True


def test_phq2_total_of_3_is_positive() -> None:
    supp = modules()[SUPP]
    phq = [q for q in supp.questions if q.domain == "mental_health"]
    assert [q.loinc for q in phq] == ["44250-9", "44255-8"]
    low = {q.id: Answer(q.id, (q.options[1].id,)) for q in phq}  # 1 + 1
    high = {q.id: Answer(q.id, (q.options[2].id,)) for q in phq}  # 2 + 2
    assert domain(scoring.score([supp], low), "mental_health").status == NEGATIVE
    assert domain(scoring.score([supp], high), "mental_health").status == POSITIVE
