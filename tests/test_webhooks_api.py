"""The dead-letter list and replay (issue 10): `GET /api/v1/webhooks/deliveries?status=`
and `POST /api/v1/webhooks/deliveries/{id}/replay` (a new attempt, the same webhook-id),
for the caller's organization only: another's deliveries are not listed, their ids 404."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Participant
from api.db import utcnow
from api.handoff import service as handoffs
from api.staff import service as staff
from api.webhooks import sender
from api.webhooks import service as webhooks
from api.webhooks.models import WebhookDelivery
from tests.support.cms_receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    cms = Receiver()
    yield cms
    cms.down()


def _auth(db: Session, org) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {staff.create_api_key(org, 'cms admin', db_session=db)}"}


def _dead_delivery(db: Session, org, receiver: Receiver) -> WebhookDelivery:  # type: ignore[no-untyped-def]
    _, receiver.secret = webhooks.add_endpoint(org.id, receiver.url, db_session=db)
    participant = Participant(org_id=org.id)
    db.add(participant)
    db.flush()
    handoffs.flag(participant, None, "crisis", db_session=db, urgent=True)
    db.commit()
    sender.send_due(now=utcnow() + timedelta(days=3, minutes=1))  # receiver down: dead
    row = db.scalars(select(WebhookDelivery).where(WebhookDelivery.org_id == org.id)).one()
    db.refresh(row)
    return row


def test_a_dead_delivery_is_listed_and_its_replay_arrives_with_the_same_webhook_id(
    client: TestClient, db: Session, org, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    headers = _auth(db, org)
    row = _dead_delivery(db, org, receiver)
    dead = client.get("/api/v1/webhooks/deliveries?status=dead", headers=headers).json()
    assert [(d["id"], d["webhook_id"], d["status"]) for d in dead] == [
        (row.id, row.webhook_id, "dead")
    ]
    assert dead[0]["urgent"] is True and dead[0]["last_error"].startswith("http_")
    assert client.get("/api/v1/webhooks/deliveries?status=pending", headers=headers).json() == []

    replayed = client.post(f"/api/v1/webhooks/deliveries/{row.id}/replay", headers=headers)
    assert replayed.status_code == 200 and replayed.json()["status"] == "pending"
    again = client.post(f"/api/v1/webhooks/deliveries/{row.id}/replay", headers=headers)
    assert again.status_code == 409  # on its way already
    receiver.up()
    assert sender.send_due() == 1
    assert receiver.ids() == [row.webhook_id]

    delivered = client.get("/api/v1/webhooks/deliveries?status=delivered", headers=headers)
    assert [d["replays"] for d in delivered.json()] == [1]
    # a delivered one can be sent again too (the CMS lost it): the same message, same id
    assert client.post(f"/api/v1/webhooks/deliveries/{row.id}/replay", headers=headers).is_success
    assert sender.send_due() == 1
    assert receiver.ids() == [row.webhook_id, row.webhook_id]
    assert receiver.accepted[0][1] == receiver.accepted[1][1]  # the same body


def test_another_organizations_key_sees_none_of_its_deliveries_and_gets_404(
    client: TestClient, db: Session, org, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    row = _dead_delivery(db, org, receiver)
    other = staff.create_org("other", "Other Program", db_session=db)
    theirs = _auth(db, other)
    for status in ("dead", "pending", "delivered"):
        listed = client.get(f"/api/v1/webhooks/deliveries?status={status}", headers=theirs)
        assert listed.status_code == 200 and listed.json() == []
    assert (
        client.post(f"/api/v1/webhooks/deliveries/{row.id}/replay", headers=theirs).status_code
        == 404
    )
    assert (
        client.post("/api/v1/webhooks/deliveries/999999/replay", headers=theirs).status_code == 404
    )
    db.refresh(row)
    assert row.status == "dead" and row.replays == 0  # untouched
    assert client.get("/api/v1/webhooks/deliveries").status_code == 401
    bad = client.get("/api/v1/webhooks/deliveries?status=lost", headers=_auth(db, org))
    assert bad.status_code == 422
