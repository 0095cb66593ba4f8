"""The dashboard's webhook dead-letter list (issue 10): admins of the organization see its
dead and retrying deliveries, with no participant data, and replay a dead one with a
CSRF-protected button (the API's replay: back to pending, then sent by the worker's pass to
a real receiver that verifies it); case managers get 403; another organization's ids 404."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations import service as conversations
from api.db import utcnow
from api.handoff import service as handoffs
from api.staff import service as staff
from api.staff.models import AuditEntry
from api.webhooks import jobs, sender
from api.webhooks import service as webhooks
from api.webhooks.models import DEAD, DELIVERED, PENDING, WebhookDelivery
from tests.support.cms_receiver import Receiver
from tests.support.staff_login import csrf_of, log_in, make_user

PHONE = "+16195550177"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    cms = Receiver()
    yield cms
    cms.down()


def _dead(db: Session, org, receiver: Receiver, phone: str = PHONE) -> WebhookDelivery:
    """A crisis handoff whose delivery failed for 3 days (the receiver was down)."""
    _, receiver.secret = webhooks.add_endpoint(org.id, receiver.url, db_session=db)
    participant = conversations.participant_for_phone(phone, db_session=db)
    participant.org_id = org.id
    conversation = conversations.current_conversation(participant, "sms", db_session=db)
    handoffs.flag(participant, conversation, "crisis", db_session=db, urgent=True)
    db.commit()
    sender.send_due(now=utcnow() + timedelta(days=3, minutes=1))
    db.expire_all()
    row = db.scalars(select(WebhookDelivery).where(WebhookDelivery.org_id == org.id)).one()
    assert row.status == DEAD
    return row


def test_an_admin_sees_the_dead_delivery_and_replays_it_to_the_receiver(
    client: TestClient, db: Session, org, receiver: Receiver
) -> None:
    row = _dead(db, org, receiver)
    make_user(org, db, email="admin@example.org", role="admin")
    db.commit()
    log_in(client, "admin@example.org")

    listing = client.get("/staff/deliveries")
    assert listing.status_code == 200
    assert 'href="/staff/deliveries" aria-current="page"' in listing.text  # the admin's nav
    assert f"/staff/deliveries/{row.id}/replay" in listing.text
    assert "handoff.opened" in listing.text and row.last_error in listing.text
    assert PHONE not in listing.text and PHONE[-4:] not in listing.text  # no PII

    no_token = client.post(f"/staff/deliveries/{row.id}/replay", follow_redirects=False)
    assert no_token.status_code == 403
    db.expire_all()
    assert db.get(WebhookDelivery, row.id).status == DEAD  # type: ignore[union-attr]

    csrf = csrf_of(client, "/staff/deliveries")
    done = client.post(
        f"/staff/deliveries/{row.id}/replay", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].endswith("msg=replayed")
    db.expire_all()
    replayed = db.get(WebhookDelivery, row.id)
    assert replayed is not None
    assert (replayed.status, replayed.replays, replayed.dead_at) == (PENDING, 1, None)
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "replay_webhook"))
    assert entry.subject == f"webhook_delivery:{row.id}"

    receiver.up()
    assert jobs.run() == 1  # the worker's webhook pass
    assert receiver.ids() == [row.webhook_id]  # verified with standardwebhooks
    db.expire_all()
    assert db.get(WebhookDelivery, row.id).status == DELIVERED  # type: ignore[union-attr]
    assert f"/staff/deliveries/{row.id}/replay" not in client.get("/staff/deliveries").text
    again = client.post(
        f"/staff/deliveries/{row.id}/replay", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert again.status_code == 303  # the API allows re-sending a delivered one, so does this


def test_a_retrying_delivery_is_listed_without_a_replay_button(
    client: TestClient, db: Session, org, receiver: Receiver
) -> None:
    _, receiver.secret = webhooks.add_endpoint(org.id, receiver.url, db_session=db)
    participant = conversations.participant_for_phone(PHONE, db_session=db)
    participant.org_id = org.id
    handoffs.flag(participant, None, "screening", db_session=db)
    make_user(org, db, email="admin@example.org", role="admin")
    db.commit()
    assert sender.send_due() == 0  # the receiver is down: one failure, retried later
    db.expire_all()
    row = db.scalars(select(WebhookDelivery)).one()
    log_in(client, "admin@example.org")
    page = client.get("/staff/deliveries").text
    assert "retrying" in page and f"/staff/deliveries/{row.id}/replay" not in page
    csrf = csrf_of(client, "/staff/deliveries")
    pending = client.post(
        f"/staff/deliveries/{row.id}/replay", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert pending.headers["location"].endswith("msg=pending")
    db.expire_all()
    assert db.get(WebhookDelivery, row.id).replays == 0  # type: ignore[union-attr]


def test_a_case_manager_gets_403_and_sees_no_link(
    client: TestClient, db: Session, org, receiver: Receiver
) -> None:
    row = _dead(db, org, receiver)
    make_user(org, db)  # a case manager
    db.commit()
    log_in(client)
    assert 'href="/staff/deliveries"' not in client.get("/staff/").text
    assert client.get("/staff/deliveries").status_code == 403
    csrf = csrf_of(client)
    refused = client.post(f"/staff/deliveries/{row.id}/replay", data={"csrf_token": csrf})
    assert refused.status_code == 403
    db.expire_all()
    assert db.get(WebhookDelivery, row.id).status == DEAD  # type: ignore[union-attr]


def test_another_organizations_admin_gets_404_and_an_empty_list(
    client: TestClient, db: Session, org, receiver: Receiver
) -> None:
    row = _dead(db, org, receiver)
    other = staff.create_org("other", "Other Program", db_session=db)
    make_user(other, db, email="admin@other.example.org", role="admin")
    db.commit()
    log_in(client, "admin@other.example.org")
    page = client.get("/staff/deliveries")
    assert page.status_code == 200 and "No failed deliveries." in page.text
    csrf = csrf_of(client, "/staff/deliveries")
    for delivery_id in (row.id, 999999):
        response = client.post(f"/staff/deliveries/{delivery_id}/replay", data={"csrf_token": csrf})
        assert response.status_code == 404
    db.expire_all()
    assert db.get(WebhookDelivery, row.id).status == DEAD  # type: ignore[union-attr]
