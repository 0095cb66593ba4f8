"""The sender's bookkeeping of attempts (issue 9): a quiet-hours deferral spends no delivery
attempt (so 30003 keeps its one retry), a reminder the sender itself fails for good becomes
the case manager's task, and a row claimed again first asks Twilio whether its earlier
attempt got through (api/outbox/reconcile.py), against the simulator's Messages list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import service
from api.channels import twilio_sms
from api.conversations import service as conversations
from api.db import utcnow
from api.handoff.models import Handoff
from api.outbox import sender
from api.outbox import service as outbox
from api.outbox.models import FAILED, PENDING, SENDING, SENT, OutboundMessage
from tests.support.booking import NOW, ZIP, food_partner, participant
from tests.support.servers import ThreadServer
from tests.support.simulator import received, running_simulator

QUIET_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 04:00 in San Diego: quiet hours
QUIET_ENDS = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 08:00 there
DAY_BEFORE_AT = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # the day-before reminder's time


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadServer]:
    with running_simulator(monkeypatch) as server:
        yield server


def _reminder(db: Session, org, phone: str) -> OutboundMessage:  # type: ignore[no-untyped-def]
    """The day-before reminder of a booking (its quiet zone is San Diego's)."""
    food_partner(db)
    person = participant(db, phone, org_id=org.id)
    conversations.current_conversation(person, "sms", db_session=db)
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]
    booking = service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW)
    return db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.appointment_id == booking.appointment.id)
        .order_by(OutboundMessage.next_attempt_at)
    ).first()  # type: ignore[return-value]


def _in_flight(db: Session, org, phone: str, body: str) -> OutboundMessage:  # type: ignore[no-untyped-def]
    """A row a sender claimed and died holding: `sending`, its lease over, attempts 1."""
    person = participant(db, phone, org_id=org.id)
    conversation = conversations.current_conversation(person, "sms", db_session=db)
    row = outbox.enqueue(conversation, body, db_session=db)
    row.status, row.attempts, row.lease_until = SENDING, 1, utcnow() - timedelta(seconds=1)
    db.commit()
    return row


def test_a_quiet_hours_deferral_spends_no_attempt_and_30003_keeps_its_retry(
    simulator, org, db: Session
) -> None:  # type: ignore[no-untyped-def]
    phone = "+16195550601"
    row = _reminder(db, org, phone)
    assert row.quiet_zone == "America/Los_Angeles"
    row.next_attempt_at = QUIET_AT
    db.commit()

    assert sender.send_due(now=QUIET_AT) == 0
    db.refresh(row)
    assert (row.status, row.attempts, row.next_attempt_at) == (PENDING, 0, QUIET_ENDS)
    assert received(simulator, phone) == []

    assert sender.send_due(now=QUIET_ENDS) == 1
    db.refresh(row)
    assert (row.status, row.attempts) == (SENT, 1)
    twilio_sms.apply_status(row, "undelivered", "30003", db_session=db)
    assert row.status == PENDING  # its one retry, not spent by the deferral


@pytest.mark.parametrize(("phone", "code"), [("+15005550009", "21614"), ("+15005550004", "21610")])
def test_a_reminder_the_sender_fails_for_good_is_a_case_manager_task(
    simulator, org, db: Session, phone: str, code: str
) -> None:  # type: ignore[no-untyped-def]
    row = _reminder(db, org, phone)
    db.commit()

    sender.send_due(now=DAY_BEFORE_AT)

    db.refresh(row)
    assert (row.status, row.error_code) == (FAILED, code)
    handoff = db.scalars(select(Handoff).where(Handoff.participant_id == row.participant_id)).one()
    assert f"reminder_failed:{code}" in handoff.reasons
    assert handoff.summary[f"reminder_failed:{code}"]["appointment_id"] == row.appointment_id


def test_a_row_twilio_already_accepted_is_recorded_not_sent_again(
    simulator, org, db: Session
) -> None:  # type: ignore[no-untyped-def]
    phone = "+16195550602"
    row = _in_flight(db, org, phone, "See you tomorrow at 10.")
    sid = twilio_sms.send(phone, row.body, reference=row.id)  # the dead sender's call got in

    assert sender.send_due() == 1

    db.refresh(row)
    assert (row.status, row.provider_id, row.attempts) == (SENT, sid, 2)
    assert [m["sid"] for m in received(simulator, phone)] == [sid]


def test_a_row_whose_earlier_attempt_never_reached_twilio_is_sent(
    simulator, org, db: Session
) -> None:  # type: ignore[no-untyped-def]
    phone = "+16195550603"
    row = _in_flight(db, org, phone, "See you tomorrow at 10.")

    assert sender.send_due() == 1

    db.refresh(row)
    [got] = received(simulator, phone)
    assert (row.status, row.provider_id) == (SENT, got["sid"])


def test_another_rows_identical_text_is_not_taken_for_this_one(simulator, org, db: Session) -> None:  # type: ignore[no-untyped-def]
    phone = "+16195550604"
    body = "Sorry, I did not get that. Reply 1, 2 or 3."
    person = participant(db, phone, org_id=org.id)
    conversation = conversations.current_conversation(person, "sms", db_session=db)
    earlier = outbox.enqueue(conversation, body, db_session=db)
    db.commit()
    assert sender.send_due() == 1  # sent and recorded: that SID is another row's
    row = _in_flight(db, org, phone, body)

    assert sender.send_due() == 1

    db.refresh(row)
    db.refresh(earlier)
    sids = [m["sid"] for m in received(simulator, phone)]
    assert sids == [earlier.provider_id, row.provider_id] and len(set(sids)) == 2


def test_when_twilio_cannot_be_asked_the_row_is_not_sent_but_retried(
    monkeypatch: pytest.MonkeyPatch, org, db: Session
) -> None:  # type: ignore[no-untyped-def]
    def refuse_lists(request) -> None:  # type: ignore[no-untyped-def]
        if request.method == "GET":
            raise RuntimeError("the list is down")

    phone = "+16195550605"
    with running_simulator(monkeypatch, hook=refuse_lists) as simulator:
        row = _in_flight(db, org, phone, "See you tomorrow at 10.")
        assert sender.send_due() == 0
        db.refresh(row)
        assert (row.status, row.provider_id) == (PENDING, None)
        assert row.next_attempt_at > utcnow()
        assert received(simulator, phone) == []


def test_the_simulator_lists_messages_as_twilio_does(simulator) -> None:  # type: ignore[no-untyped-def]
    phone, other = "+16195550606", "+16195550607"
    for n in range(5):
        twilio_sms.send(phone, f"message {n}")
        twilio_sms.send(other, "someone else's")
    listed = twilio_sms.client().messages.list(to=phone, page_size=2)  # three pages

    assert [m.body for m in listed] == [f"message {n}" for n in (4, 3, 2, 1, 0)]
    assert {(m.to, m.direction) for m in listed} == {(phone, "outbound-api")}
    assert len(twilio_sms.client().messages.list(to=other, limit=3)) == 3
