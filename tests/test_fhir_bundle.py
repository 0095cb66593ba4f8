"""Issue 10, FHIR: GET /api/v1/handoffs/{id}/fhir returns the handoff as a FHIR R4 Bundle on
the Gravity SDOH Clinical Care profiles, built from a real screening, that the fhir.resources
R4B models accept and our profile rules pass; only what the participant agreed to share."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from api.fhir import profiles, rules
from api.fhir.bundle import build_bundle
from api.screening import service
from api.staff import service as staff
from tests.support.fhir import PHONE, screened


def _headers(db: Session, org: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff.create_api_key(org, 'cm', db_session=db)}"}


def _get(client: TestClient, headers: dict[str, str], handoff_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/handoffs/{handoff_id}/fhir", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    return body


def _of(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return rules.resources(bundle, resource_type)


def _observation(bundle: dict[str, Any], loinc: str) -> dict[str, Any]:
    return next(o for o in _of(bundle, "Observation") if o["code"]["coding"][0]["code"] == loinc)


def test_handoff_fhir_bundle_validates_with_fhir_resources_r4b(
    client: TestClient, db: Session, org: Any
) -> None:
    done = screened(db, org)
    db.commit()
    bundle = _get(client, _headers(db, org), done.handoff.id)
    parsed = Bundle.model_validate(bundle)  # raises on anything R4B does not allow
    assert parsed.type == "collection" and len(parsed.entry or []) == len(bundle["entry"])
    assert rules.check(bundle) == []
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {
        "Patient", "Organization", "Consent", "Questionnaire", "QuestionnaireResponse",
        "Observation", "Condition",
    }  # fmt: skip
    assert bundle["identifier"]["value"] == done.handoff.id


def test_another_organizations_handoff_fhir_is_not_found(
    client: TestClient, db: Session, org: Any
) -> None:
    done = screened(db, org)
    other = staff.create_org("other", "Another Program", db_session=db)
    other_headers = _headers(db, other)
    db.commit()
    url = f"/api/v1/handoffs/{done.handoff.id}/fhir"
    assert client.get(url, headers=other_headers).status_code == 404
    assert client.get("/api/v1/handoffs/nope/fhir", headers=_headers(db, org)).status_code == 404
    assert client.get(url).status_code == 401


def test_patient_only_consented_fields(client: TestClient, db: Session, org: Any) -> None:
    done = screened(db, org, language="es")
    headers = _headers(db, org)
    db.commit()
    patient = _of(_get(client, headers, done.handoff.id), "Patient")[0]
    assert patient["telecom"] == [{"system": "phone", "value": PHONE, "use": "mobile"}]
    language = patient["communication"][0]
    assert language["language"]["coding"] == [{"system": "urn:ietf:bcp:47", "code": "es"}]
    assert language["preferred"] is True
    # the participant stops sharing: no contact, no language, no answers; the consents say so
    service.withdraw_consent(done.participant, "sms", db_session=db)
    db.commit()
    bundle = _get(client, headers, done.handoff.id)
    patient = _of(bundle, "Patient")[0]
    assert "telecom" not in patient and "communication" not in patient
    assert PHONE not in str(bundle)
    assert not _of(bundle, "Observation") and not _of(bundle, "QuestionnaireResponse")
    assert not _of(bundle, "Condition")
    statuses = {c["category"][0]["text"]: c["status"] for c in _of(bundle, "Consent")}
    assert statuses == {
        "texting": "active",
        "share_case_manager": "inactive",
        "share_partner": "inactive",
    }
    Bundle.model_validate(bundle)
    assert rules.check(bundle) == []


def test_declined_item_is_asked_declined(db: Session, org: Any) -> None:
    bundle = build_bundle(screened(db, org).handoff, db_session=db)
    declined = _observation(bundle, "88123-5")  # food ran out: skipped
    assert declined["dataAbsentReason"]["coding"] == [
        {
            "system": profiles.DATA_ABSENT_REASON,
            "code": "asked-declined",
            "display": "Asked But Declined",
        }
    ]
    assert not any(key.startswith("value") for key in declined)
    core = next(q for q in _of(bundle, "QuestionnaireResponse") if "ahc-hrsn" in q["questionnaire"])
    item = next(i for i in core["item"] if i["linkId"] == "food_ran_out")
    assert "answer" not in item
    assert item["extension"] == [
        {"url": profiles.DATA_ABSENT_REASON_EXT, "valueCode": "asked-declined"}
    ]


def test_observation_answers_are_la_codes_with_domain_categories(db: Session, org: Any) -> None:
    bundle = build_bundle(screened(db, org).handoff, db_session=db)
    living = _observation(bundle, "71802-3")
    assert living["valueCodeableConcept"]["coding"][0]["code"] == "LA31995-6"  # not steady
    codes = {c["code"] for cat in living["category"] for c in cat["coding"]}
    assert {"survey", "sdoh", "housing-instability", "homelessness"} <= codes
    problems = _observation(bundle, "96778-6")  # pests and mold: two answers, two components
    assert [c["valueCodeableConcept"]["coding"][0]["code"] for c in problems["component"]] == [
        "LA31996-4", "LA28580-1"
    ]  # fmt: skip
    assert "inadequate-housing" in str(problems["category"])
    safety_total = _observation(bundle, "95614-4")  # HITS: computed, no performer
    assert safety_total["valueQuantity"]["value"] == 12 and "performer" not in safety_total
    hunger = _observation(bundle, "88124-3")
    assert hunger["valueCodeableConcept"]["coding"][0]["code"] == "LA19952-3"  # at risk
    child_care = _observation(bundle, "93031-3")  # "Yes" to the child-care item
    assert child_care["valueCodeableConcept"]["text"] == "Yes"
    assert child_care["valueCodeableConcept"]["coding"][0] == {
        "system": profiles.LOINC,
        "code": "LA30127-7",
        "display": "Child care",
    }  # LOINC's display for the code (as in the IG's PRAPARE Questionnaire), not ours


def test_questionnaire_response_per_instrument(db: Session, org: Any) -> None:
    done = screened(db, org)
    bundle = build_bundle(done.handoff, db_session=db)
    responses = _of(bundle, "QuestionnaireResponse")
    canonicals = sorted(q["questionnaire"] for q in responses)
    assert canonicals == [
        "https://firstcall.test/fhir/Questionnaire/ahc-hrsn-core|2026-11",
        "https://firstcall.test/fhir/Questionnaire/workforce-supplemental|2026-11",
    ]
    assert {q["status"] for q in responses} == {"completed"}
    core = next(q for q in responses if "ahc-hrsn-core" in q["questionnaire"])
    living = next(i for i in core["item"] if i["linkId"] == "living_situation")
    assert living["answer"][0]["valueCoding"]["code"] == "LA31995-6"
    # the Questionnaire in the bundle carries the LOINC codes (R4 response items have none)
    forms = {q["url"]: q for q in _of(bundle, "Questionnaire")}
    ahc = forms["https://firstcall.test/fhir/Questionnaire/ahc-hrsn-core"]
    assert ahc["code"][0]["code"] == "96777-8"
    assert ahc["derivedFrom"] == ["http://loinc.org/q/96777-8"]
    item = next(i for i in ahc["item"] if i["linkId"] == "living_situation")
    assert item["code"] == [{"system": "http://loinc.org", "code": "71802-3"}]
    workforce = forms["https://firstcall.test/fhir/Questionnaire/workforce-supplemental"]
    legal_item = next(i for i in workforce["item"] if i["linkId"] == "legal_help")
    assert "code" not in legal_item and "code" not in workforce  # no LOINC code for these
    childcare = next(i for i in workforce["item"] if i["linkId"] == "childcare_unmet")
    assert [o["valueCoding"] for o in childcare["answerOption"]][1] == {
        "system": "https://firstcall.test/fhir/CodeSystem/workforce-supplemental-answers",
        "code": "childcare_unmet.no",
        "display": "No",
    }  # LOINC has no answer code for "no" on 93031-3: ours
    answers = next(q for q in responses if "workforce" in q["questionnaire"])
    legal = next(i for i in answers["item"] if i["linkId"] == "legal_help")
    assert legal["answer"][0]["valueCoding"]["code"] == "LA33-6"
    assert not any(
        o["code"]["coding"][0]["code"] == "legal_help" for o in _of(bundle, "Observation")
    )


def test_condition_per_positive_domain(db: Session, org: Any) -> None:
    done = screened(db, org)
    bundle = build_bundle(done.handoff, db_session=db)
    conditions = _of(bundle, "Condition")
    expected = set(done.positive) - profiles.NO_CONDITION_DOMAINS
    assert {"housing", "food", "safety", "transportation", "legal"} <= expected
    assert len(conditions) == len(expected)
    by_category = {
        c["code"]
        for cond in conditions
        for cat in cond["category"]
        for c in cat["coding"]
        if c["system"] == profiles.SDOHCC_CODES
    }
    # no steady place to live is homelessness, not only housing instability
    assert {"homelessness", "food-insecurity", "intimate-partner-violence"} <= by_category
    homeless = next(c for c in conditions if "homelessness" in str(c["category"]))
    assert {
        "system": profiles.ICD10CM,
        "code": "Z59.00",
        "display": "Homelessness, unspecified",
    } in homeless["code"]["coding"]
    urls = rules.by_full_url(bundle)
    evidence = urls[homeless["evidence"][0]["detail"][0]["reference"]]
    assert evidence["code"]["coding"][0]["code"] == "71802-3"


def test_consent_per_purpose_with_its_time(db: Session, org: Any) -> None:
    done = screened(db, org, language="es")
    bundle = build_bundle(done.handoff, db_session=db)
    consents = {c["category"][0]["text"]: c for c in _of(bundle, "Consent")}
    assert set(consents) == {"texting", "share_case_manager", "share_partner"}
    assert {c["status"] for c in consents.values()} == {"active"}
    sharing = consents["share_partner"]
    assert sharing["meta"]["profile"] == [profiles.CONSENT_PROFILE]
    assert sharing["provision"]["type"] == "permit" and sharing["dateTime"].endswith("Z")
    words = base64.b64decode(sharing["sourceAttachment"]["data"]).decode("utf-8")
    assert sharing["sourceAttachment"]["language"] == "es" and "agencia" in words.lower()
    assert consents["texting"]["meta"]["profile"] == [profiles.BASE_CONSENT_PROFILE]


def test_same_handoff_gives_the_same_resource_ids(db: Session, org: Any) -> None:
    handoff = screened(db, org).handoff
    first, second = build_bundle(handoff, db_session=db), build_bundle(handoff, db_session=db)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


def test_crisis_before_any_consent_shares_no_screening(db: Session, org: Any) -> None:
    from api.conversations.models import Participant
    from api.handoff import service as handoffs

    person = Participant(org_id=org.id, language="vi")
    db.add(person)
    db.flush()
    bundle = build_bundle(
        handoffs.flag(person, None, "crisis", db_session=db, urgent=True), db_session=db
    )
    Bundle.model_validate(bundle)
    assert rules.check(bundle) == []
    assert sorted(e["resource"]["resourceType"] for e in bundle["entry"]) == [
        "Organization",
        "Patient",
    ]
    patient = _of(bundle, "Patient")[0]
    assert set(patient) == {"resourceType", "id", "meta", "identifier", "name", "gender"}


def test_abandoned_screening_is_an_in_progress_response(db: Session, org: Any) -> None:
    from datetime import timedelta

    from api.db import utcnow
    from api.handoff import abandoned
    from tests.support import screening as support

    person, conversation = support.consented(db, org, "es")
    session, _ = service.start(person, conversation, db_session=db)
    support.reply(db, session, person, "2")  # worried about losing the place
    support.reply(db, session, person, "1")  # pests
    assert abandoned.sweep(db_session=db, now=utcnow() + timedelta(hours=25)) == 1
    handoff = support.handoff(db, person)
    assert handoff is not None
    bundle = build_bundle(handoff, db_session=db)
    Bundle.model_validate(bundle)
    assert rules.check(bundle) == []
    responses = _of(bundle, "QuestionnaireResponse")
    assert {q["status"] for q in responses} == {"in-progress"}
    core = next(q for q in responses if "ahc-hrsn-core" in q["questionnaire"])
    assert [i["linkId"] for i in core["item"]] == ["living_situation", "housing_problems"]
    # housing is positive so far (worried): a housing-instability health concern
    (condition,) = _of(bundle, "Condition")
    assert "housing-instability" in str(condition["category"]) and "Z59.811" in str(
        condition["code"]
    )


def test_consent_given_again_shares_the_new_screening(db: Session, org: Any) -> None:
    from tests.support import screening as support

    first = screened(db, org)
    service.withdraw_consent(first.participant, "sms", db_session=db)
    assert not _of(build_bundle(first.handoff, db_session=db), "Observation")
    # the participant agrees again and answers a new screening on the same open handoff
    person = first.participant
    session, _ = service.start(person, None, db_session=db)
    support.reply(db, session, person, "yes", intent="affirm")  # the consent question again
    while service.current_step(session, person, db_session=db).kind == "question":
        support.reply(db, session, person, "1")
    if service.current_step(session, person, db_session=db).kind == "partner_consent":
        support.reply(db, session, person, "2")
    service.complete(session, person, None, db_session=db)
    handoff = support.handoff(db, person)
    assert handoff is not None and handoff.id == first.handoff.id
    bundle = build_bundle(handoff, db_session=db)
    assert rules.check(bundle) == []
    responses = _of(bundle, "QuestionnaireResponse")
    assert responses and all(session.id in q["identifier"]["value"] for q in responses)
    assert _of(bundle, "Patient")[0]["telecom"][0]["value"] == PHONE
