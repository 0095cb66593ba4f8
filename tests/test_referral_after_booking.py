"""After booking, the referral goes to the partner: book() queues its delivery in the same
unit of work, and the worker's job sends it to a real SMTP server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import service, states
from api.config import get_settings
from api.directory.models import HsdsService
from api.mail import sink
from api.referrals import jobs
from api.referrals.models import PENDING, ReferralDelivery
from tests.support.booking import NOW, ZIP, food_partner, participant
from tests.support.servers import free_port


def test_referral_after_booking_reaches_the_partner_by_email(
    db: Session,
    org,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    port = free_port()
    monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
    monkeypatch.setattr(get_settings(), "smtp_port", port)
    food_partner(db)
    person = participant(db, "+16195550131", org_id=org.id, language="es")
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]
    booking = service.book(
        person, offer, db_session=db, zip_code=ZIP, now=NOW, contact=service.Contact(name="Ana")
    )
    [row] = db.scalars(select(ReferralDelivery)).all()
    assert (row.referral_id, row.method, row.status) == (booking.referral.id, "email", PENDING)

    controller = sink.start(tmp_path / "mail", port)
    try:
        assert jobs.run() == 1
    finally:
        controller.stop()
    [mail] = sink.read_mailbox(tmp_path / "mail")
    assert mail["to"] == "intake@pantry.example"
    assert "Name: Ana" in mail["text"] and f"ZIP code: {ZIP}" in mail["text"]
    assert "Preferred language: es" in mail["text"]
    db.refresh(booking.referral)
    assert booking.referral.business_status == states.PARTNER_NOTIFIED


def test_referral_after_booking_without_a_method_still_books(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    for svc in db.scalars(select(HsdsService)).all():
        svc.referral_method = None
    person = participant(db, "+16195550132", org_id=org.id)
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]
    booking = service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW)
    assert booking.referral.status == states.REQUESTED
    assert db.scalars(select(ReferralDelivery)).all() == []
