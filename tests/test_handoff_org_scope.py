"""Issue 10, organization scoping: another organization's key sees nothing of this one's
handoffs, referrals, FHIR bundles or referral Tasks. Lists are empty and every id is a 404,
the same answer as for an id that does not exist, so ids cannot be probed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.fhir.referrals import task_id
from api.staff import service as staff
from tests.support.fhir import referred


def test_another_organizations_key_sees_nothing(client: TestClient, db: Session, org: Any) -> None:
    made = referred(db, org)
    handoff, referral = made.screened.handoff, made.booking.referral
    other = staff.create_org("other", "Other program", db_session=db)
    theirs = {"Authorization": f"Bearer {staff.create_api_key(other, 'b', db_session=db)}"}
    mine = {"Authorization": f"Bearer {staff.create_api_key(org, 'a', db_session=db)}"}
    db.commit()

    # the owner sees them (so the 404s below are about scope, not missing data)
    assert client.get(f"/api/v1/handoffs/{handoff.id}", headers=mine).status_code == 200
    assert client.get(f"/api/v1/fhir/Task/{task_id(referral)}", headers=mine).status_code == 200
    assert client.get("/api/v1/fhir/Task", headers=mine).json()["total"] == 1

    assert client.get("/api/v1/handoffs", headers=theirs).json()["items"] == []
    assert client.get("/api/v1/referrals", headers=theirs).json() == []
    tasks = client.get("/api/v1/fhir/Task", headers=theirs).json()
    assert tasks["total"] == 0 and tasks["entry"] == []
    for path in (
        f"/api/v1/handoffs/{handoff.id}",
        f"/api/v1/handoffs/{handoff.id}/fhir",
        f"/api/v1/referrals/{referral.id}",
        f"/api/v1/fhir/Task/{task_id(referral)}",
    ):
        assert client.get(path, headers=theirs).status_code == 404, path
    for action in ("acknowledge", "close"):
        url = f"/api/v1/handoffs/{handoff.id}/{action}"
        assert client.post(url, headers=theirs).status_code == 404
    db.expire_all()
    assert handoff.status == "open"  # nothing the other key did changed it
