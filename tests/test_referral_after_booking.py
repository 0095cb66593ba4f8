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


def _booked_and_mailed(db: Session, org, port: int, mailbox: Path, phone: str):  # type: ignore[no-untyped-def]
    food_partner(db, capacity=2, slots=4)
    person = participant(db, phone, org_id=org.id)
    offers = service.offers(person, "food", ZIP, NOW, db_session=db)
    booking = service.book(person, offers[0], db_session=db, zip_code=ZIP, now=NOW)
    assert jobs.run() == 1
    return booking, offers


@pytest.fixture
def mail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    port = free_port()
    monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
    monkeypatch.setattr(get_settings(), "smtp_port", port)
    controller = sink.start(tmp_path / "mail", port)
    yield port, tmp_path / "mail"
    controller.stop()


def test_referral_partner_told_when_participant_cancels(db: Session, org, mail) -> None:  # type: ignore[no-untyped-def]
    port, mailbox = mail
    booking, _ = _booked_and_mailed(db, org, port, mailbox, "+16195550133")
    service.cancel(booking.appointment, db_session=db, now=NOW)
    assert jobs.run() == 1
    cancelled, first = sink.read_mailbox(mailbox)  # newest first
    assert first["subject"].startswith("New referral")
    assert cancelled["subject"].startswith("Referral cancelled: food")
    assert "cancelled its referral" in cancelled["text"]


def test_referral_partner_told_the_new_time_when_participant_reschedules(
    db: Session,
    org,
    mail,  # type: ignore[no-untyped-def]
) -> None:
    port, mailbox = mail
    booking, offers = _booked_and_mailed(db, org, port, mailbox, "+16195550134")
    service.reschedule(booking.appointment, offers[1], db_session=db, now=NOW)
    assert jobs.run() == 1
    update, _ = sink.read_mailbox(mailbox)
    assert update["subject"].startswith("Referral update (new time): food")
    local = offers[1].local_start
    assert f"Appointment: {local.strftime('%A %B %-d, %Y')}" in update["text"]


def test_referral_cancel_before_the_partner_had_it_sends_nothing(
    db: Session,
    org,
    mail,  # type: ignore[no-untyped-def]
) -> None:
    _, mailbox = mail
    food_partner(db)
    person = participant(db, "+16195550135", org_id=org.id)
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]
    booking = service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW)
    service.cancel(booking.appointment, db_session=db, now=NOW)
    assert jobs.run() == 0
    assert sink.read_mailbox(mailbox) == []
