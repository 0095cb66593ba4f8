"""Issue 10, FHIR: one test per profile rule the fhir.resources models can't check
(api/fhir/rules.py). Each rule passes on a bundle built from a real screening, and finds the
fault in a copy broken the way that rule is about, so no rule passes by saying nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from api.fhir import rules
from api.fhir.bundle import build_bundle
from tests.support.fhir import referred

Bundle = dict[str, Any]


@pytest.fixture
def bundle(db: Session, org: Any) -> Bundle:
    """A real screening and a booked referral (ServiceRequest + Task)."""
    return build_bundle(referred(db, org).screened.handoff, db_session=db)


def _broken(bundle: Bundle, resource_type: str, change: Callable[[dict[str, Any]], Any]) -> Bundle:
    """A copy with the first resource of that type changed."""
    broken = copy.deepcopy(bundle)
    change(rules.resources(broken, resource_type)[0])
    return broken


def _first(bundle: Bundle, resource_type: str, when: Callable[[dict[str, Any]], bool]) -> Any:
    return next(r for r in rules.resources(bundle, resource_type) if when(r))


def _holds(rule: rules.Rule, good: Bundle, bad: Bundle, words: str) -> None:
    assert rule(good) == []
    problems = rule(bad)
    assert problems and any(words in problem for problem in problems), problems


def test_bundle_is_a_collection(bundle: Bundle) -> None:
    bad = copy.deepcopy(bundle)
    bad["type"] = "document"
    _holds(rules.bundle_is_a_collection, bundle, bad, "not collection")


def test_meta_profile_on_every_resource(bundle: Bundle) -> None:
    kinds = {r["resourceType"] for r in rules.resources(bundle)}
    assert kinds <= set(rules.p.PROFILES_BY_TYPE)
    for kind in kinds:
        bad = _broken(bundle, kind, lambda r: r.update(meta={"profile": []}))
        _holds(rules.meta_profile_on_every_resource, bundle, bad, "names none of")


def test_patient_name_is_us_core(bundle: Bundle) -> None:
    assert rules.resources(bundle, "Patient")[0]["name"][0]["given"]  # the booking's first name
    text_only = _broken(bundle, "Patient", lambda r: r.update(name=[{"text": "Ana"}]))
    _holds(rules.patient_name_is_us_core, bundle, text_only, "given/family xor")
    both = _broken(bundle, "Patient", lambda r: r["name"][0].update(
        extension=[{"url": rules.p.DATA_ABSENT_REASON_EXT, "valueCode": "unknown"}]))  # fmt: skip
    _holds(rules.patient_name_is_us_core, bundle, both, "given/family xor")
    nameless = _broken(bundle, "Patient", lambda r: r.pop("name"))
    _holds(rules.patient_name_is_us_core, bundle, nameless, "no name")


def test_references_resolve_in_the_bundle(bundle: Bundle) -> None:
    bad = _broken(bundle, "Observation", lambda r: r.update(subject={"reference": "urn:uuid:gone"}))
    _holds(rules.references_resolve_in_the_bundle, bundle, bad, "urn:uuid:gone")


def test_one_patient_is_every_subject(bundle: Bundle) -> None:
    org_ref = {
        "reference": next(
            e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Organization"
        )
    }
    bad = _broken(bundle, "Condition", lambda r: r.update(subject=org_ref))
    _holds(rules.one_patient_is_every_subject, bundle, bad, "not the bundle's Patient")


def test_observation_has_sdoh_category(bundle: Bundle) -> None:
    def drop_sdoh(obs: dict[str, Any]) -> None:
        obs["category"] = [c for c in obs["category"] if c["coding"][0]["code"] != "sdoh"]

    _holds(
        rules.observation_has_sdoh_category,
        bundle,
        _broken(bundle, "Observation", drop_sdoh),
        "no sdoh category",
    )

    def unknown_domain(obs: dict[str, Any]) -> None:
        obs["category"][-1]["coding"][0]["code"] = "housing"

    bad = _broken(bundle, "Observation", unknown_domain)
    _holds(rules.observation_has_sdoh_category, bundle, bad, "is not an SDOHCC one")


def test_observation_code_and_value_are_loinc(bundle: Bundle) -> None:
    bad = copy.deepcopy(bundle)
    answered = _first(
        bad,
        "Observation",
        lambda r: "valueCodeableConcept" in r and r["valueCodeableConcept"].get("coding"),
    )
    answered["valueCodeableConcept"]["coding"][0]["code"] = "steady"
    _holds(rules.observation_code_and_value_are_loinc, bundle, bad, "is not a LOINC LA code")
    bad = _broken(
        bundle,
        "Observation",
        lambda r: r["code"]["coding"][0].update(system="http://snomed.info/sct"),
    )
    _holds(rules.observation_code_and_value_are_loinc, bundle, bad, "code is not LOINC")


def test_declined_item_is_asked_declined(bundle: Bundle) -> None:
    bad = copy.deepcopy(bundle)
    declined = _first(bad, "Observation", lambda r: "dataAbsentReason" in r)
    declined["dataAbsentReason"]["coding"][0]["code"] = "unknown"
    _holds(rules.declined_item_is_asked_declined, bundle, bad, "is not asked-declined")


def test_observation_derived_from_questionnaire_response(bundle: Bundle) -> None:
    bad = copy.deepcopy(bundle)
    answered = _first(bad, "Observation", lambda r: "performer" in r)
    answered["derivedFrom"] = [answered["subject"]]  # the Patient, not the response
    _holds(rules.observation_derived_from_questionnaire_response, bundle, bad, "derivedFrom")


def test_questionnaire_response_is_coded(bundle: Bundle) -> None:
    bad = _broken(
        bundle, "QuestionnaireResponse", lambda r: r.update(questionnaire="http://example.org/q")
    )
    _holds(rules.questionnaire_response_is_coded, bundle, bad, "is not in the bundle")
    bad = _broken(bundle, "QuestionnaireResponse", lambda r: r["item"][0].update(linkId="made_up"))
    _holds(rules.questionnaire_response_is_coded, bundle, bad, "is not in the questionnaire")

    def other_answer(qr: dict[str, Any]) -> None:
        answered = next(i for i in qr["item"] if i.get("answer"))
        answered["answer"][0]["valueCoding"]["code"] = "LA0000-0"

    bad = _broken(bundle, "QuestionnaireResponse", other_answer)
    _holds(rules.questionnaire_response_is_coded, bundle, bad, "is not one of its answer options")

    def snomed_item(form: dict[str, Any]) -> None:
        next(i for i in form["item"] if "code" in i)["code"][0]["system"] = rules.p.SNOMED

    bad = _broken(bundle, "Questionnaire", snomed_item)
    _holds(rules.questionnaire_response_is_coded, bundle, bad, "code is not LOINC")


def test_condition_is_an_sdoh_health_concern(bundle: Bundle) -> None:
    checks: list[tuple[Callable[[dict[str, Any]], Any], str]] = [
        (lambda r: r.update(category=r["category"][1:]), "no health-concern category"),
        (
            lambda r: r["verificationStatus"]["coding"][0].update(code="confirmed"),
            "not unconfirmed",
        ),
        (lambda r: r["clinicalStatus"]["coding"][0].update(code="resolved"), "not active"),
        (lambda r: r.update(code={"text": "housing"}), "neither ICD-10-CM nor SNOMED CT"),
        (lambda r: r.update(evidence=[]), "evidence does not resolve"),
    ]
    for change, words in checks:
        _holds(
            rules.condition_is_an_sdoh_health_concern,
            bundle,
            _broken(bundle, "Condition", change),
            words,
        )


def test_consent_per_purpose_is_complete(bundle: Bundle) -> None:
    def sdohcc(r: dict[str, Any]) -> bool:
        return rules.p.CONSENT_PROFILE in r["meta"]["profile"]

    bad = copy.deepcopy(bundle)
    _first(bad, "Consent", sdohcc).pop("organization")
    _holds(rules.consent_per_purpose_is_complete, bundle, bad, "needs organization and source")
    bad = _broken(bundle, "Consent", lambda r: r.pop("dateTime"))
    _holds(rules.consent_per_purpose_is_complete, bundle, bad, "no dateTime")


def test_service_request_is_an_sdoh_referral(bundle: Bundle) -> None:
    bad = _broken(bundle, "ServiceRequest", lambda r: r.update(category=[]))
    _holds(rules.service_request_is_an_sdoh_referral, bundle, bad, "no SDOHCC category")
    bad = _broken(bundle, "ServiceRequest", lambda r: r.pop("supportingInfo"))
    _holds(rules.service_request_is_an_sdoh_referral, bundle, bad, "no SDOHCC Consent")
    patient = rules.resources(bundle, "Task")[0]["for"]
    bad = _broken(bundle, "ServiceRequest", lambda r: r.update(reasonReference=[patient]))
    _holds(rules.service_request_is_an_sdoh_referral, bundle, bad, "not the screening's")


def test_task_manages_its_referral(bundle: Bundle) -> None:
    patient = rules.resources(bundle, "Task")[0]["for"]
    bad = _broken(bundle, "Task", lambda r: r.update(focus=patient))
    _holds(rules.task_manages_its_referral, bundle, bad, "focus is not a ServiceRequest")
    bad = _broken(bundle, "Task", lambda r: r.update(status="received"))
    _holds(rules.task_manages_its_referral, bundle, bad, "not a referral task status")
    bad = _broken(bundle, "Task", lambda r: r.update(status="rejected"))
    _holds(rules.task_manages_its_referral, bundle, bad, "without statusReason.text")


def test_one_task_per_service_request(bundle: Bundle) -> None:
    bad = copy.deepcopy(bundle)
    bad["entry"] = [e for e in bad["entry"] if e["resource"]["resourceType"] != "Task"]
    _holds(rules.one_task_per_service_request, bundle, bad, "0 Tasks, not one")


def test_every_rule_has_its_test() -> None:
    tested = {name[len("test_") :] for name in globals() if name.startswith("test_")}
    assert set(rules.RULES) <= tested
