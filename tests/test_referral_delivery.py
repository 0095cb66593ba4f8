"""A referral reaches the partner: email over a real SMTP server (aiosmtpd), SMS through the
outbox, a signed webhook, a phone task for staff. Durable rows, retried, never lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api import crypto
from api.booking import states
from api.config import get_settings
from api.db import utcnow
from api.mail import sink
from api.outbox.models import OutboundMessage
from api.referrals import delivery, webhook
from api.referrals.models import OPEN, PENDING, SENT, ReferralDelivery
from tests.support.referrals import booked_referral
from tests.support.servers import ThreadServer, free_port


@pytest.fixture
def smtp_port(monkeypatch: pytest.MonkeyPatch) -> int:
    port = free_port()
    monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
    monkeypatch.setattr(get_settings(), "smtp_port", port)
    monkeypatch.setattr(get_settings(), "smtp_from", "referrals@firstcall.test")
    return port


@pytest.fixture
def smtp_server(smtp_port: int, tmp_path: Path) -> Iterator[Path]:
    controller = sink.start(tmp_path / "mail", smtp_port)
    try:
        yield tmp_path / "mail"
    finally:
        controller.stop()


def test_referral_email_reaches_real_smtp_server_with_consented_fields_only(
    db: Session, smtp_server: Path
) -> None:
    referral = booked_referral(db, shared={"name": "Ana"})
    delivery.queue(referral, db_session=db)

    assert delivery.send_due() == 1

    mails = sink.read_mailbox(smtp_server)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["to"] == "intake@food.example"
    assert "food" in mail["subject"] and "Harbor Food Pantry" in mail["subject"]
    assert "Name: Ana" in mail["text"]
    assert "Screening result: positive, LOINC 88122-7" in mail["text"]  # coded
    assert "https://firstcall.test/partner/r/" in mail["text"]
    assert "6195550101" not in mail["text"]  # the phone was not consented
    assert "9:00 AM PST" in mail["text"]  # the location's zone
    db.refresh(referral)
    assert (referral.status, referral.business_status) == (
        states.REQUESTED,
        states.PARTNER_NOTIFIED,
    )
    assert delivery.send_due() == 0  # sent once


def test_referral_email_smtp_down_is_retried_not_lost(
    db: Session, smtp_port: int, tmp_path: Path
) -> None:
    referral = booked_referral(db)
    row = delivery.queue(referral, db_session=db)

    assert delivery.send_due() == 0  # nothing listens on the port
    db.refresh(row)
    assert row.status == PENDING and row.attempts == 1
    assert row.last_error and row.last_error.startswith("smtp_")
    assert delivery.send_due() == 0  # not due before its backoff

    controller = sink.start(tmp_path / "mail", smtp_port)
    try:
        later = utcnow() + timedelta(minutes=5)
        assert delivery.send_due(now=later) == 1
        assert delivery.send_due(now=later + timedelta(hours=1)) == 0
        mails = sink.read_mailbox(tmp_path / "mail")
    finally:
        controller.stop()
    assert len(mails) == 1  # delivered once
    db.refresh(row)
    assert row.status == SENT and row.attempts == 2


class _Partner:
    """A partner's webhook endpoint: fails first with 503, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[tuple[dict[str, str], bytes]] = []

        async def receive(request: Request) -> JSONResponse:
            self.calls.append((dict(request.headers), await request.body()))
            if len(self.calls) <= self.failures:
                return JSONResponse({"error": "busy"}, status_code=503)
            return JSONResponse({"ok": True})

        self.app = Starlette(routes=[Route("/hook", receive, methods=["POST"])])


def test_referral_webhook_is_signed_per_standard_webhooks_and_retried(db: Session) -> None:
    partner = _Partner(failures=1)
    with ThreadServer(partner.app) as server:
        referral = booked_referral(db, method="webhook", target=f"{server.url}/hook")
        delivery.queue(referral, db_session=db)
        assert delivery.send_due() == 0  # 503: retried later
        assert delivery.send_due(now=utcnow() + timedelta(minutes=5)) == 1
    assert len(partner.calls) == 2
    first, second = partner.calls
    assert first[0]["webhook-id"] == second[0]["webhook-id"]  # the same message, retried
    headers, body = second
    verified: Any = Webhook(webhook.secret_for("svc-food")).verify(body, headers)
    assert verified["referral_id"] == referral.id
    assert verified["domain"] == "food"
    assert verified["participant"] == {"language": "es", "name": "Ana"}
    assert verified["appointment"]["timezone"] == "America/Los_Angeles"
    assert verified["respond_url"].startswith("https://firstcall.test/partner/r/")
    tampered = json.loads(body) | {"domain": "housing"}
    with pytest.raises(Exception, match="signature"):
        Webhook(webhook.secret_for("svc-food")).verify(json.dumps(tampered), headers)


def test_referral_sms_goes_through_the_outbox_to_the_partner_number(db: Session) -> None:
    referral = booked_referral(db, method="sms", target="+16195550199")
    row = delivery.queue(referral, db_session=db)
    assert delivery.send_due() == 1  # handed to the outbox, which sends it
    db.refresh(row)
    db.refresh(referral)
    assert row.status == SENT and referral.business_status == states.PARTNER_NOTIFIED
    message = db.get(OutboundMessage, row.outbound_message_id)
    assert message is not None and message.participant_id is None
    assert message.kind == "partner_referral" and message.channel == "sms"
    assert crypto.decrypt(message.recipient_encrypted or "") == "+16195550199"
    assert "/partner/r/" in message.body and "+16195550199" not in message.body


def test_referral_phone_is_a_task_for_staff_with_script_and_outcome(db: Session) -> None:
    referral = booked_referral(db, method="phone", target="+16195550123")
    row = delivery.queue(referral, db_session=db)
    assert row.status == OPEN
    content = delivery.content_of(row, db_session=db)
    assert "Harbor Food Pantry" in content["script"]
    assert "Name: Ana" in content["text"]
    assert delivery.send_due() == 0  # staff make the call, not the worker
    delivery.record_call(row.id, "reached", by="staff:cm@demo", db_session=db)
    assert referral.business_status == states.PARTNER_NOTIFIED
    tasks = db.scalars(select(ReferralDelivery).where(ReferralDelivery.method == "phone")).all()
    assert [t.outcome for t in tasks] == ["reached"]
    assert "Name: Ana" in row.content["text"]  # what was read to them, kept


def test_referral_cancelled_before_sending_is_not_sent(db: Session, smtp_server: Path) -> None:
    referral = booked_referral(db)
    row = delivery.queue(referral, db_session=db)
    states.transition(referral, states.TASK_CANCELLED, by="participant")
    db.flush()
    assert delivery.send_due() == 0
    db.refresh(row)
    assert row.status == "cancelled"
    assert sink.read_mailbox(smtp_server) == []


def test_referral_content_is_the_referral_as_it_is_when_sent(
    db: Session, smtp_server: Path
) -> None:
    referral = booked_referral(db, shared={})
    delivery.queue(referral, db_session=db)
    referral.shared = {"name": "Lan"}  # e.g. a reschedule to another partner copies them after
    assert referral.appointment is not None
    referral.appointment.start += timedelta(days=1)
    db.flush()
    assert delivery.send_due() == 1
    [mail] = sink.read_mailbox(smtp_server)
    assert "Name: Lan" in mail["text"] and "Wednesday December 9" in mail["text"]
