"""Issue 10, delivery that can't be lost: a handoff event becomes one webhook delivery per
endpoint of the organization, in the event's unit of work; the worker sends it signed per
Standard Webhooks to a real local receiver that verifies it with the `standardwebhooks`
library; a receiver that is down, then up, gets every delivery exactly once, urgent first;
after three days of failures a delivery is dead-lettered."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from api.conversations.models import Participant
from api.db import session_scope, utcnow
from api.handoff import service as handoffs
from api.staff import service as staff
from api.webhooks import jobs, sender
from api.webhooks import service as webhooks
from api.webhooks.models import DEAD, DELIVERED, PENDING, WebhookDelivery
from tests.support.cms_receiver import Receiver
from tests.support.handoffs import valid
from tests.support.isolated_db import isolated_database
from tests.support.servers import wait_for


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    cms = Receiver()
    yield cms
    cms.down()


def _endpoint(db: Session, org, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    _, receiver.secret = webhooks.add_endpoint(org.id, receiver.url, db_session=db)


def _participant(db: Session, org) -> Participant:  # type: ignore[no-untyped-def]
    participant = Participant(org_id=org.id)
    db.add(participant)
    db.flush()
    return participant


def _deliveries(db: Session) -> list[WebhookDelivery]:
    db.expire_all()
    return list(db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_handoff_event_is_queued_in_its_unit_of_work_and_delivered_signed(
    db: Session, org, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    _endpoint(db, org, receiver)
    handoff = handoffs.flag(_participant(db, org), None, "screening", db_session=db)
    [row] = _deliveries(db)  # in the flag's own session, before anything is sent
    assert (row.status, row.event_type, row.handoff_id) == (PENDING, "handoff.opened", handoff.id)
    db.commit()

    receiver.up()
    assert sender.send_due() == 1
    [(webhook_id, body)] = receiver.accepted  # verified by the receiver with the library
    assert webhook_id == row.webhook_id  # webhook-id: the delivery's id, for dedupe
    assert body["type"] == "handoff.opened"
    assert body["data"]["handoff_id"] == handoff.id
    assert valid(body["data"]["handoff"])["id"] == handoff.id  # the v2 summary's JSON Schema
    assert body["data"]["event"]["reason"] == "screening"
    assert body["data"]["links"]["dashboard"].endswith(
        f"/staff/participants/{handoff.participant_id}"
    )
    [row] = _deliveries(db)
    assert row.status == DELIVERED and row.attempts == 1 and row.last_status_code == 200
    assert sender.send_due() == 0 and len(receiver.accepted) == 1  # sent once


def test_a_forged_signature_is_rejected_by_the_receiver(
    db: Session, org, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    _endpoint(db, org, receiver)
    receiver.up()
    body = '{"type":"handoff.urgent","data":{"handoff_id":"x"}}'
    now = datetime.now(UTC)
    forged = Webhook(webhooks.new_secret()).sign("msg_forged", now, body)  # not the secret
    headers = {
        "webhook-id": "msg_forged",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": forged,
        "content-type": "application/json",
    }
    assert httpx.post(receiver.url, content=body, headers=headers).status_code == 401
    genuine = Webhook(receiver.secret or "").sign("msg_forged", now, body)
    tampered = body.replace("urgent", "closed")
    headers["webhook-signature"] = genuine
    assert httpx.post(receiver.url, content=tampered, headers=headers).status_code == 401
    assert receiver.accepted == [] and receiver.rejected == 2


def test_a_receiver_that_does_not_know_our_secret_never_counts_as_delivered(
    db: Session, org, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    _endpoint(db, org, receiver)
    receiver.secret = webhooks.new_secret()  # the CMS was given another secret
    receiver.up()
    handoffs.flag(_participant(db, org), None, "screening", db_session=db)
    db.commit()
    assert sender.send_due() == 0
    [row] = _deliveries(db)
    assert (row.status, row.last_error, row.last_status_code) == (PENDING, "http_401", 401)
    assert receiver.rejected == 1 and receiver.accepted == []


def test_a_receiver_down_then_up_gets_every_delivery_exactly_once_urgent_first(
    db: Session, org, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    _endpoint(db, org, receiver)
    first = handoffs.flag(_participant(db, org), None, "screening", db_session=db)
    second = handoffs.flag(_participant(db, org), None, "screening", db_session=db)
    crisis = handoffs.flag(_participant(db, org), None, "crisis", db_session=db, urgent=True)
    db.commit()

    assert sender.send_due() == 0  # nobody listening: every attempt fails, nothing is lost
    rows = _deliveries(db)
    assert [(r.status, r.attempts) for r in rows] == [(PENDING, 1)] * 3
    assert all(r.last_error and r.last_error.startswith("http_") for r in rows)

    receiver.up()
    later = utcnow() + timedelta(hours=1)
    assert sender.send_due(now=later) == 3
    handoff_ids = [body["data"]["handoff_id"] for _, body in receiver.accepted]
    assert handoff_ids == [crisis.id, first.id, second.id]  # the urgent one jumped the queue
    assert receiver.accepted[0][1]["data"]["urgent"] is True
    assert sorted(receiver.ids()) == sorted(r.webhook_id for r in rows)  # each exactly once
    assert sender.send_due(now=later + timedelta(days=1)) == 0
    assert len(receiver.accepted) == 3
    assert {r.status for r in _deliveries(db)} == {DELIVERED}


def test_urgent_deliveries_are_claimed_before_older_routine_ones(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    webhooks.add_endpoint(org.id, "http://127.0.0.1:9/hook", db_session=db)
    routine = [handoffs.flag(_participant(db, org), None, "screening", db_session=db) for _ in "ab"]
    crisis = handoffs.flag(_participant(db, org), None, "crisis", db_session=db, urgent=True)
    db.commit()
    by_id = {r.id: r.handoff_id for r in _deliveries(db)}
    claims = sender.claim(2, now=utcnow())
    assert [by_id[c.id] for c in claims] == [crisis.id, routine[0].id]


def test_three_days_of_failures_put_a_delivery_on_the_dead_letter_list(
    db: Session, org, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    _endpoint(db, org, receiver)
    handoffs.flag(_participant(db, org), None, "screening", db_session=db)
    db.commit()
    assert sender.send_due() == 0
    [row] = _deliveries(db)
    assert row.status == PENDING and row.next_attempt_at - utcnow() < timedelta(seconds=10)
    assert sender.send_due(now=utcnow() + timedelta(days=2)) == 0
    [row] = _deliveries(db)
    assert row.status == PENDING  # still trying after two days
    assert sender.send_due(now=utcnow() + timedelta(days=3, minutes=1)) == 0
    [row] = _deliveries(db)
    assert row.status == DEAD and row.dead_at is not None and row.attempts == 3


def test_acknowledging_and_closing_are_events_too(db: Session, org, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    _endpoint(db, org, receiver)
    participant = _participant(db, org)
    handoff = handoffs.flag(participant, None, "screening", db_session=db)
    handoffs.flag(participant, None, "crisis", db_session=db, urgent=True)
    handoffs.acknowledge(handoff, "cm@example.org", db_session=db)
    handoffs.close(handoff, "cm@example.org", db_session=db)
    db.commit()
    receiver.up()
    assert sender.send_due() == 4
    assert receiver.types() == [
        "handoff.opened",
        "handoff.urgent",
        "handoff.acknowledged",
        "handoff.closed",
    ]  # all urgent now (the handoff is): in the order they happened


def test_the_worker_dispatcher_sends_a_new_delivery_without_waiting_for_a_pass(
    tmp_path, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    with isolated_database(tmp_path, monkeypatch):
        with session_scope() as db:
            org = staff.create_org("demo", "Demo", db_session=db)
            _endpoint(db, org, receiver)
            participant_id = _participant(db, org).id
        receiver.up()
        stop = threading.Event()
        thread = jobs.start_dispatcher(stop)  # PostgreSQL: LISTEN; SQLite: a short poll
        try:
            with session_scope() as db:
                participant = db.get(Participant, participant_id)
                assert participant is not None
                handoffs.flag(participant, None, "crisis", db_session=db, urgent=True)
            wait_for(lambda: receiver.accepted, 20, "the webhook from the dispatcher")
        finally:
            stop.set()
            thread.join(timeout=10)
        assert receiver.types() == ["handoff.opened"] and not thread.is_alive()
