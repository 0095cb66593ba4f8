"""Send-time gates (issue 9): checked right before each send, under a frozen clock (`now=`).

Past `not_after` a planned row is dropped and keeps the reason; in quiet hours in its
`quiet_zone` it waits for their end, or is dropped when that is past `not_after`; a row with
no `quiet_zone` (a reply) is exempt. Los Angeles, Phoenix (no DST) and New York.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from api.conversations import service as conversations
from api.db import utcnow
from api.outbox import sender
from api.outbox import service as outbox
from api.outbox.models import CANCELLED, DROPPED, PENDING, SENT, OutboundMessage
from tests import factories as f
from tests.support.servers import ThreadServer
from tests.support.simulator import received, running_simulator

LA, PHOENIX, NY = "America/Los_Angeles", "America/Phoenix", "America/New_York"


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadServer]:
    with running_simulator(monkeypatch) as server:
        yield server


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def _planned(
    db: Session,
    phone: str,
    *,
    due: datetime,
    not_after: datetime | None = None,
    quiet_zone: str | None = None,
    body: str = "Reminder: your appointment is tomorrow.",
) -> OutboundMessage:
    participant = conversations.participant_for_phone(phone, db_session=db)
    conversation = conversations.current_conversation(participant, "sms", db_session=db)
    message = outbox.enqueue(conversation, body, kind="reminder", db_session=db)
    message.idempotency_key = f"test:{uuid.uuid4().hex}"
    message.next_attempt_at, message.not_after, message.quiet_zone = due, not_after, quiet_zone
    db.commit()
    return message


def test_a_row_past_not_after_is_dropped_with_its_reason_and_never_sent(
    simulator: ThreadServer, db: Session
) -> None:
    phone = f.phone()
    # The worker was down: due at 16:00 UTC, useful until 17:00, the worker is back at 17:40.
    message = _planned(db, phone, due=utc(2027, 6, 10, 16), not_after=utc(2027, 6, 10, 17))
    assert sender.send_due(now=utc(2027, 6, 10, 17, 40)) == 0
    db.refresh(message)
    assert message.status == DROPPED
    assert message.status_reason == "misfire: 40 min past its last useful time (2027-06-10 17:00Z)"
    assert received(simulator, phone) == []
    assert sender.send_due(now=utc(2027, 6, 10, 17, 41)) == 0  # dropped stays dropped


def test_before_not_after_it_is_sent(simulator: ThreadServer, db: Session) -> None:
    phone = f.phone()
    message = _planned(db, phone, due=utc(2027, 6, 10, 16), not_after=utc(2027, 6, 10, 17))
    assert sender.send_due(now=utc(2027, 6, 10, 16, 59)) == 1
    db.refresh(message)
    assert message.status == SENT and message.status_reason is None
    assert len(received(simulator, phone)) == 1


def test_in_quiet_hours_it_waits_for_their_end_then_goes(
    simulator: ThreadServer, db: Session
) -> None:
    phone = f.phone()
    # 23:30 PDT on 10 June: quiet in Los Angeles until 08:00 PDT (15:00 UTC) on 11 June.
    late_evening = utc(2027, 6, 11, 6, 30)
    message = _planned(db, phone, due=late_evening, not_after=utc(2027, 6, 11, 22), quiet_zone=LA)
    assert sender.send_due(now=late_evening) == 0
    db.refresh(message)
    assert message.status == PENDING
    assert message.next_attempt_at == utc(2027, 6, 11, 15)
    assert message.status_reason == f"quiet hours in {LA}: deferred to 2027-06-11 08:00"
    assert received(simulator, phone) == []
    assert sender.send_due(now=utc(2027, 6, 11, 14, 59)) == 0  # still waiting
    assert sender.send_due(now=utc(2027, 6, 11, 15)) == 1  # 08:00:00 is allowed
    db.refresh(message)
    assert message.status == SENT
    assert len(received(simulator, phone)) == 1


def test_quiet_hours_lasting_past_not_after_drop_the_row(
    simulator: ThreadServer, db: Session
) -> None:
    phone = f.phone()
    # Appointment 08:30 PDT; useful until 07:30: quiet hours end at 08:00, too late.
    message = _planned(
        db, phone, due=utc(2027, 6, 11, 6), not_after=utc(2027, 6, 11, 14, 30), quiet_zone=LA
    )
    assert sender.send_due(now=utc(2027, 6, 11, 6)) == 0
    db.refresh(message)
    assert message.status == DROPPED
    assert message.status_reason == f"quiet hours in {LA} until 08:00, past its last useful time"
    assert received(simulator, phone) == []


def test_a_reply_without_quiet_zone_is_sent_at_night(simulator: ThreadServer, db: Session) -> None:
    phone = f.phone()
    message = _planned(db, phone, due=utc(2027, 6, 11, 10), quiet_zone=None)  # 03:00 PDT
    assert sender.send_due(now=utc(2027, 6, 11, 10)) == 1
    db.refresh(message)
    assert message.status == SENT


@pytest.mark.parametrize(
    ("now", "quiet_in"),
    [
        # June: LA and Phoenix both UTC-7 (20:30, allowed); New York 23:30 EDT (quiet).
        (utc(2027, 6, 11, 3, 30), {NY}),
        # January: LA 20:30 PST (allowed); Phoenix keeps UTC-7, so 21:30 (quiet); NY 23:30.
        (utc(2027, 1, 15, 4, 30), {PHOENIX, NY}),
        # 14 March 2027 (US spring forward) at 12:30 UTC: LA 05:30 PDT
        # (quiet), Phoenix 05:30 MST (quiet), New York 08:30 EDT (allowed).
        (utc(2027, 3, 14, 12, 30), {LA, PHOENIX}),
    ],
)
def test_quiet_hours_are_in_each_rows_own_zone(
    simulator: ThreadServer, db: Session, now: datetime, quiet_in: set[str]
) -> None:
    rows = {zone: _planned(db, f.phone(), due=now, quiet_zone=zone) for zone in (LA, PHOENIX, NY)}
    assert sender.send_due(now=now) == 3 - len(quiet_in)
    for zone, message in rows.items():
        db.refresh(message)
        if zone in quiet_in:
            assert message.status == PENDING, zone
            local = message.next_attempt_at.astimezone(ZoneInfo(zone))
            assert (local.hour, local.minute) == (8, 0), zone  # the end of their quiet hours
        else:
            assert message.status == SENT, zone


def test_a_planned_row_due_after_stop_is_not_sent(simulator: ThreadServer, db: Session) -> None:
    """STOP cancels what is pending; a row already claimed is checked again at send time."""
    phone = f.phone()
    message = _planned(db, phone, due=utcnow() - timedelta(minutes=1), quiet_zone=None)
    [claim] = sender.claim(10)
    participant = conversations.participant_for_phone(phone, db_session=db)
    conversations.opt_out_of_sms(participant, db_session=db)
    db.commit()
    assert sender._send_batch([claim], now=None) == 0
    db.refresh(message)
    assert (message.status, message.error_code) == (CANCELLED, "opted_out")
    assert received(simulator, phone) == []
