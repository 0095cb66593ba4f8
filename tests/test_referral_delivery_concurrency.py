"""Concurrent senders (worker threads, each with its own connections) send every referral
email exactly once: a claim is committed before anything is sent."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import states
from api.booking.models import Referral
from api.config import get_settings
from api.mail import sink
from api.referrals import delivery
from api.referrals.models import SENT, ReferralDelivery
from tests.support.isolated_db import isolated_database
from tests.support.referrals import booked_referral
from tests.support.servers import free_port

REFERRALS = 12


def test_referral_emails_sent_exactly_once_by_concurrent_senders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
    monkeypatch.setattr(get_settings(), "smtp_port", port)
    with isolated_database(tmp_path, monkeypatch) as (_url, engine):
        with Session(engine) as db:
            first = booked_referral(db)
            for n in range(REFERRALS - 1):
                other = Referral(
                    org_id=first.org_id, participant_id=first.participant_id,
                    service_id=first.service_id, domain="food", language="en",
                    reason=first.reason, status=None, events=[],
                )  # fmt: skip
                other.shared = {"name": f"P{n}"}
                db.add(other)
                states.transition(other, states.REQUESTED, states.BOOKED, by="participant")
            db.flush()
            for referral in db.scalars(select(Referral)).all():
                delivery.queue(referral, db_session=db)
            db.commit()

        controller = sink.start(tmp_path / "mail", port)
        sent: list[int] = []
        errors: list[BaseException] = []

        def sender() -> None:
            try:
                while n := delivery.send_due(limit=2):
                    sent.append(n)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=sender) for _ in range(4)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        finally:
            controller.stop()
        assert errors == []
        mails = sink.read_mailbox(tmp_path / "mail")
        keys = [m["message_id"] for m in mails]
        assert len(keys) == REFERRALS and len(set(keys)) == REFERRALS  # each once
        assert sum(sent) == REFERRALS
        with Session(engine) as db:
            rows = db.scalars(select(ReferralDelivery)).all()
            assert {r.status for r in rows} == {SENT} and {r.attempts for r in rows} == {1}
