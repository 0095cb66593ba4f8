"""Phone partners: a task for staff with a script, the consented details and the outcome;
the webhook partner's secret. Scoped to the caller's organization."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.booking import states
from api.directory import cli as directory_cli
from api.referrals import delivery, webhook
from api.staff import service as staff
from tests.support.referrals import booked_referral


def _auth(db: Session, slug: str = "demo") -> dict[str, str]:
    org = staff.org_by_slug(slug, db_session=db) or staff.create_org(slug, slug, db_session=db)
    return {"Authorization": f"Bearer {staff.create_api_key(org, 't', db_session=db)}"}


def test_referral_phone_task_listed_with_script_and_outcome_recorded(
    db: Session, client: TestClient
) -> None:
    referral = booked_referral(db, method="phone", target="+16195550123")
    delivery.queue(referral, db_session=db)
    db.flush()
    headers = _auth(db)
    [task] = client.get("/api/v1/referral-calls", headers=headers).json()
    assert task["phone"] == "+16195550123" and task["status"] == "open"
    assert "Harbor Food Pantry" in task["script"] and "Name: Ana" in task["details"]
    assert "reached" in task["outcomes"]

    other = _auth(db, "other-org")
    assert client.get("/api/v1/referral-calls", headers=other).json() == []
    url = f"/api/v1/referral-calls/{task['id']}/outcome"
    assert client.post(url, json={"outcome": "reached"}, headers=other).status_code == 404
    assert client.post(url, json={"outcome": "maybe"}, headers=headers).status_code == 422
    done = client.post(url, json={"outcome": "reached", "by": "cm@demo"}, headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert client.get("/api/v1/referral-calls", headers=headers).json() == []
    db.refresh(referral)
    assert referral.business_status == states.PARTNER_NOTIFIED
    assert referral.events[-1].reason == "sent by phone"


def test_referral_webhook_secret_is_not_readable_with_a_staff_key(
    db: Session, client: TestClient
) -> None:
    """Partners are shared by every organization of the program: a staff key of any of them
    must not read a partner's signing secret (it could forge our webhooks)."""
    booked_referral(db, method="webhook", target="https://partner.example/hook")
    db.flush()
    response = client.get("/api/v1/partner-webhooks/svc-food/secret", headers=_auth(db))
    assert response.status_code == 404
    assert webhook.secret_for("svc-food") not in response.text


def test_referral_webhook_secret_from_the_operators_command(
    db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    booked_referral(db, method="webhook", target="https://partner.example/hook")
    db.flush()
    assert directory_cli.webhook_secret("svc-food") == 0
    secret = capsys.readouterr().out.strip()
    assert secret == webhook.secret_for("svc-food") and secret.startswith("whsec_")
    assert directory_cli.webhook_secret("nope") == 1
