"""Reminders leaving: `worker --once --now` sends what is due then and prints it, STOP
stops a due reminder at send time, a failed reminder becomes a case-manager task, and a
participant with only web chat gets it there when due. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.booking import service
from api.channels import twilio_sms, web_channel
from api.cli import app
from api.conversations import service as conversations
from api.conversations.models import Participant
from api.handoff.models import Handoff
from api.outbox import sender
from api.outbox.models import CANCELLED, FAILED, PENDING, SENT, OutboundMessage
from api.reminders import jobs
from tests.support.booking import NOW, ZIP, food_partner, participant
from tests.support.servers import ThreadServer
from tests.support.simulator import received, running_simulator

DAY_BEFORE_AT = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # Tue 10:00 in San Diego


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadServer]:
    with running_simulator(monkeypatch) as server:
        yield server


def _booked(db: Session, org, phone: str | None, *, web: bool = False):  # type: ignore[no-untyped-def]
    food_partner(db)
    if phone is None:
        person = Participant(org_id=org.id, language="en")
        db.add(person)
        db.flush()
    else:
        person = participant(db, phone, org_id=org.id)
        conversations.current_conversation(person, "sms", db_session=db)
    if web:
        conversations.current_conversation(person, "web", db_session=db)
    offer = service.offers(person, "food", ZIP, NOW, db_session=db)[0]
    booking = service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW)
    rows = db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.appointment_id == booking.appointment.id)
        .order_by(OutboundMessage.next_attempt_at)
    ).all()
    return person, list(rows)


def test_worker_once_now_sends_the_due_reminder_and_prints_it(simulator, org, db: Session) -> None:  # type: ignore[no-untyped-def]
    phone = "+16195550501"
    _, rows = _booked(db, org, phone)
    db.commit()

    result = CliRunner().invoke(app, ["worker", "--once", "--now", "2026-12-01T18:00:00Z"])

    assert result.exit_code == 0, result.output
    assert "reminders_sent: 1" in result.output
    assert [m["body"] for m in received(simulator, phone)] == [rows[0].body]
    statuses = []
    for row in rows:
        db.refresh(row)
        statuses.append(row.status)
    assert statuses == [SENT, PENDING, PENDING]  # the 2-hour one and the follow-up wait


def test_a_reminder_due_after_stop_is_not_sent(simulator, org, db: Session) -> None:  # type: ignore[no-untyped-def]
    # the opt-out lands after the queue was cancelled (a row claimed meanwhile, say): the
    # sender's own check right before the send stops it
    phone = "+16195550502"
    person, rows = _booked(db, org, phone)
    person.sms_opted_out, person.sms_opted_out_at = True, NOW
    db.commit()

    sender.send_due(now=DAY_BEFORE_AT)

    db.refresh(rows[0])
    assert (rows[0].status, rows[0].error_code) == (CANCELLED, "opted_out")
    assert received(simulator, phone) == []


def _sent(db: Session, row: OutboundMessage, attempts: int = 1) -> OutboundMessage:
    row.status, row.attempts, row.provider_id = SENT, attempts, f"SM{row.id:032d}"
    db.flush()
    return row


def _reasons(db: Session, participant_id: str) -> list[str]:
    handoff = db.scalars(select(Handoff).where(Handoff.participant_id == participant_id)).first()
    return list(handoff.reasons) if handoff else []


@pytest.mark.parametrize("code", ["30005", "30006", "21610"])
def test_a_failed_reminder_is_a_case_manager_task_with_the_reason(db: Session, org, code) -> None:  # type: ignore[no-untyped-def]
    person, rows = _booked(db, org, f"+1619555051{code[-1]}")
    row = _sent(db, rows[0])

    twilio_sms.apply_status(row, "undelivered", code, db_session=db)
    twilio_sms.apply_status(row, "failed", code, db_session=db)  # a repeated callback

    assert row.status == FAILED
    assert f"reminder_failed:{code}" in _reasons(db, person.id)
    handoff = db.scalars(select(Handoff).where(Handoff.participant_id == person.id)).one()
    assert handoff.summary[f"reminder_failed:{code}"]["appointment_id"] == row.appointment_id
    assert len([e for e in handoff.events if e.reason == f"reminder_failed:{code}"]) == 1


def test_30003_is_retried_once_then_a_task(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, rows = _booked(db, org, "+16195550520")
    row = _sent(db, rows[0])
    twilio_sms.apply_status(row, "undelivered", "30003", db_session=db)
    assert row.status == PENDING and _reasons(db, person.id) == []

    _sent(db, row, attempts=2)
    twilio_sms.apply_status(row, "undelivered", "30003", db_session=db)
    assert row.status == FAILED and "reminder_failed:30003" in _reasons(db, person.id)


def test_a_failed_ordinary_reply_is_no_reminder_task(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, rows = _booked(db, org, "+16195550521")
    conversation = conversations.current_conversation(person, "sms", db_session=db)
    from api.outbox import service as outbox

    reply = _sent(db, outbox.enqueue(conversation, "hello", db_session=db))
    twilio_sms.apply_status(reply, "failed", "30006", db_session=db)
    assert _reasons(db, person.id) == []


def test_a_failed_reminder_goes_to_web_chat_too(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, rows = _booked(db, org, "+16195550522", web=True)
    row = _sent(db, rows[0])
    twilio_sms.apply_status(row, "failed", "30006", db_session=db)
    web = conversations.current_conversation(person, "web", db_session=db)
    shown = web_channel.messages_after(web.id, 0, db_session=db)
    assert [(m.kind, m.body, m.appointment_id) for m in shown] == [
        ("reminder", row.body, row.appointment_id)
    ]


def test_web_chat_only_gets_the_reminder_when_due_once(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, rows = _booked(db, org, None, web=True)
    assert {r.channel for r in rows} == {"web"} and {r.conversation_id for r in rows} == {None}
    web = conversations.current_conversation(person, "web", db_session=db)
    assert web_channel.messages_after(web.id, 0, db_session=db) == []  # not before its time

    assert jobs.deliver_web_due(now=DAY_BEFORE_AT) == 1
    assert jobs.deliver_web_due(now=DAY_BEFORE_AT) == 0  # never twice

    shown = web_channel.messages_after(web.id, 0, db_session=db)
    assert [m.body for m in shown] == [rows[0].body]
    assert shown[0].body.startswith("Reminder: your appointment with Harbor Pantry is tomorrow")
    db.refresh(rows[0])
    assert rows[0].status == SENT and rows[0].status_reason == f"web_chat:{web.id}"


def test_a_web_reminder_past_its_last_moment_is_dropped(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    _, rows = _booked(db, org, None, web=True)
    late = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wed 01:00 local: the appointment day
    assert jobs.deliver_web_due(now=late) == 0
    db.refresh(rows[0])
    assert (rows[0].status, rows[0].status_reason) == ("dropped", "past_not_after")
