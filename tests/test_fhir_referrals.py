"""Issue 10, FHIR referrals: a booked referral is an SDOHCC ServiceRequest + SDOHCC Task in
the handoff bundle (validated by the fhir.resources R4B models and our profile rules), the
Task follows the referral through its states, and GET /api/v1/fhir/Task lists the
organization's referral Tasks as a searchset with paging and poll limits."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from api.booking import service as booking
from api.booking import states
from api.fhir import profiles, rules, tasks
from api.fhir.bundle import build_bundle
from api.fhir.referrals import task_id
from api.staff import service as staff
from tests.support.booking import NOW, ZIP, food_partner, participant
from tests.support.fhir import referred


def _headers(db: Session, org: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff.create_api_key(org, 'cm', db_session=db)}"}


def _task(bundle: dict[str, Any]) -> dict[str, Any]:
    [task] = rules.resources(bundle, "Task")
    return task


def test_a_referral_is_a_service_request_and_a_task_in_the_bundle(
    client: TestClient, db: Session, org: Any
) -> None:
    made = referred(db, org)
    db.commit()
    response = client.get(
        f"/api/v1/handoffs/{made.screened.handoff.id}/fhir", headers=_headers(db, org)
    )
    assert response.status_code == 200
    bundle = response.json()
    Bundle.model_validate(bundle)
    assert rules.check(bundle) == []

    known = rules.by_full_url(bundle)
    task = _task(bundle)
    [request] = rules.resources(bundle, "ServiceRequest")
    assert task["meta"]["profile"] == [profiles.TASK_PROFILE]
    assert request["meta"]["profile"] == [profiles.SERVICE_REQUEST_PROFILE]
    assert task["id"] == task_id(made.booking.referral)
    assert (task["status"], task["businessStatus"]["text"]) == ("requested", "booked")
    assert known[task["focus"]["reference"]] is request
    assert known[task["for"]["reference"]]["resourceType"] == "Patient"
    assert request["subject"] == task["for"]
    categories = [c["code"] for cat in request["category"] for c in cat["coding"]]
    assert "food-insecurity" in categories
    reasons = [known[r["reference"]] for r in request["reasonReference"]]
    assert reasons[0]["resourceType"] == "Condition"  # the food insecurity health concern
    assert {"Observation"} <= {r["resourceType"] for r in reasons[1:]}
    [consent] = [known[r["reference"]] for r in request["supportingInfo"]]
    assert consent["category"][0]["text"] == "share_partner"
    assert request["occurrencePeriod"]["start"].startswith("2026-12-02T17:00:00")


def test_the_first_name_and_zip_given_for_the_booking_are_on_the_patient_while_shared(
    db: Session, org: Any
) -> None:
    from api.screening import service

    made = referred(db, org)  # booked with the first name "Ana" and ZIP 92101
    bundle = build_bundle(made.screened.handoff, db_session=db)
    [patient] = rules.resources(bundle, "Patient")
    assert patient["name"] == [{"text": "Ana", "given": ["Ana"]}]  # us-core-6: a given part
    assert patient["address"] == [{"postalCode": ZIP, "country": "US"}]
    Bundle.model_validate(bundle)
    assert rules.check(bundle) == []

    service.withdraw_consent(made.screened.participant, "sms", db_session=db)
    bundle = build_bundle(made.screened.handoff, db_session=db)
    [patient] = rules.resources(bundle, "Patient")
    assert "Ana" not in str(bundle) and "address" not in patient
    assert patient["name"][0]["extension"][0]["valueCode"] == "unknown"  # the reason only


def test_the_task_moves_through_the_states_as_its_referral_does(db: Session, org: Any) -> None:
    made = referred(db, org)
    referral, handoff = made.booking.referral, made.screened.handoff
    steps = [
        (states.REQUESTED, states.PARTNER_NOTIFIED),
        (states.ACCEPTED, states.PARTNER_NOTIFIED),
        (states.IN_PROGRESS, states.REMINDED),
        (states.COMPLETED, states.ATTENDED),
    ]
    seen = []
    for status, business in steps:
        states.transition(referral, status, business, by="partner")
        db.flush()
        bundle = build_bundle(handoff, db_session=db)
        Bundle.model_validate(bundle)
        assert rules.check(bundle) == []
        task = _task(bundle)
        seen.append((task["status"], task["businessStatus"]["text"]))
        assert task["meta"]["versionId"] == str(len(referral.events))
    assert seen == steps
    [request] = rules.resources(build_bundle(handoff, db_session=db), "ServiceRequest")
    assert request["status"] == "completed"


def test_a_rejected_referral_task_says_why(db: Session, org: Any) -> None:
    made = referred(db, org)
    states.transition(made.booking.referral, states.REJECTED, by="partner", reason="no capacity")
    db.flush()
    bundle = build_bundle(made.screened.handoff, db_session=db)
    Bundle.model_validate(bundle)
    assert rules.check(bundle) == []
    assert _task(bundle)["statusReason"] == {"text": "no capacity"}
    assert rules.resources(bundle, "ServiceRequest")[0]["status"] == "revoked"


def _book(db: Session, org: Any, phone: str) -> Any:
    person = participant(db, phone, org_id=org.id)
    offer = booking.offers(person, "food", ZIP, NOW, db_session=db)[0]
    return booking.book(person, offer, db_session=db, zip_code=ZIP, now=NOW).referral


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_task_search_is_a_searchset_with_status_filter_and_stable_paging(
    client: TestClient, db: Session, org: Any
) -> None:
    food_partner(db, capacity=5)
    made = [_book(db, org, f"+1619555020{n}") for n in range(3)]
    states.transition(made[0], states.ACCEPTED, by="partner")
    db.commit()
    headers = _headers(db, org)

    everything = client.get("/api/v1/fhir/Task", headers=headers)
    assert everything.status_code == 200
    assert everything.headers["content-type"].startswith("application/fhir+json")
    body = everything.json()
    Bundle.model_validate(body)
    assert body["type"] == "searchset" and body["total"] == 3
    assert all(e["search"]["mode"] == "match" for e in body["entry"])
    accepted = client.get("/api/v1/fhir/Task?status=accepted", headers=headers).json()
    assert [e["resource"]["id"] for e in accepted["entry"]] == [task_id(made[0])]
    both = client.get("/api/v1/fhir/Task?status=requested,accepted", headers=headers).json()
    assert both["total"] == 3

    first = client.get("/api/v1/fhir/Task?_count=2", headers=headers).json()
    assert len(first["entry"]) == 2
    [next_link] = [link["url"] for link in first["link"] if link["relation"] == "next"]
    _book(db, org, "+16195550209")  # inserted between two pages: on a later page, once
    db.commit()
    second = client.get(_path(next_link), headers=headers).json()
    ids = [e["resource"]["id"] for e in first["entry"] + second["entry"]]
    assert len(ids) == len(set(ids)) == 4
    assert not [link for link in second["link"] if link["relation"] == "next"]

    included = client.get("/api/v1/fhir/Task?_include=Task:focus&_count=1", headers=headers)
    kinds = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in included.json()["entry"]]
    assert kinds == [("Task", "match"), ("ServiceRequest", "include")]
    one = client.get(f"/api/v1/fhir/Task/{task_id(made[1])}", headers=headers)
    assert one.status_code == 200 and one.json()["status"] == "requested"

    bad = client.get("/api/v1/fhir/Task?status=ready", headers=headers)
    assert bad.status_code == 400 and bad.json()["resourceType"] == "OperationOutcome"
    assert client.get("/api/v1/fhir/Task?_cursor=nope", headers=headers).status_code == 400


def test_task_search_limits_page_size_and_polls_per_minute(
    client: TestClient, db: Session, org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tasks.parse({"_count": "1000"}).count == tasks.MAX_COUNT
    headers = _headers(db, org)
    db.commit()
    monkeypatch.setattr(tasks, "limiter", tasks.PollLimiter(limit=2))
    codes = [client.get("/api/v1/fhir/Task", headers=headers).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get("/api/v1/fhir/Task", headers=headers)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["issue"][0]["code"] == "throttled"
