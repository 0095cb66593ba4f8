"""Issue 7, "a repeat crisis is seen": every event on a handoff is recorded with its time, a
repeat crisis moves the handoff to the top again, and case managers acknowledge and close
handoffs through the API (their own organization's only). A new event after closing opens a
new handoff."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Participant
from api.handoff import service as handoffs
from api.handoff.models import Handoff
from api.staff import service as staff


def _setup(db: Session, org) -> tuple[dict[str, str], Participant, Participant]:  # type: ignore[no-untyped-def]
    key = staff.create_api_key(org, "case managers", db_session=db)
    first, second = Participant(org_id=org.id), Participant(org_id=org.id)
    db.add_all([first, second])
    db.flush()
    return {"Authorization": f"Bearer {key}"}, first, second


def _listing(client: TestClient, headers: dict[str, str]) -> list[dict]:  # type: ignore[type-arg]
    response = client.get("/api/v1/handoffs", headers=headers)
    assert response.status_code == 200
    return response.json()["items"]  # type: ignore[no-any-return]


def test_repeat_crisis_records_each_event_and_moves_the_handoff_to_the_top(
    client: TestClient, db: Session, org
) -> None:  # type: ignore[no-untyped-def]
    headers, first, second = _setup(db, org)
    early = handoffs.flag(first, None, "crisis", db_session=db, urgent=True)
    later = handoffs.flag(second, None, "homeless", db_session=db, urgent=True)
    db.commit()
    assert [h["id"] for h in _listing(client, headers)] == [later.id, early.id]

    again = handoffs.flag(
        first, None, "crisis", db_session=db, urgent=True
    )  # the same person, later
    db.commit()
    assert again.id == early.id  # the open handoff is updated, not duplicated
    listing = _listing(client, headers)
    assert [h["id"] for h in listing] == [early.id, later.id]
    top = listing[0]
    events = [(e["kind"], e["reason"]) for e in top["events"]]
    assert events == [("flag", "crisis"), ("flag", "crisis")]
    times = [datetime.fromisoformat(e["at"]) for e in top["events"]]
    assert times[0] < times[1]
    assert datetime.fromisoformat(top["last_event_at"]) == times[1]
    assert top["reasons"] == ["crisis"] and top["urgent"] is True


def test_urgent_handoffs_come_before_newer_routine_ones(
    client: TestClient, db: Session, org
) -> None:  # type: ignore[no-untyped-def]
    headers, first, second = _setup(db, org)
    urgent = handoffs.flag(first, None, "safety", db_session=db, urgent=True)
    routine = handoffs.flag(second, None, "human", db_session=db)
    db.commit()
    assert [h["id"] for h in _listing(client, headers)] == [urgent.id, routine.id]


def test_acknowledge_and_close_through_the_api_record_who_and_when(
    client: TestClient, db: Session, org
) -> None:  # type: ignore[no-untyped-def]
    headers, first, _ = _setup(db, org)
    handoff = handoffs.flag(first, None, "crisis", db_session=db, urgent=True)
    db.commit()

    acked = client.post(f"/api/v1/handoffs/{handoff.id}/acknowledge", headers=headers)
    assert acked.status_code == 200, acked.text
    body = acked.json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_at"] and body["acknowledged_by"].startswith("api_key:")
    again = client.post(f"/api/v1/handoffs/{handoff.id}/acknowledge", headers=headers)
    assert again.status_code == 200 and again.json()["acknowledged_at"] == body["acknowledged_at"]

    closed = client.post(
        f"/api/v1/handoffs/{handoff.id}/close",
        headers=headers,
        json={"by": "Dana (case manager)", "note": "called back, safe at a friend's"},
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["closed_by"] == "Dana (case manager)"
    assert [(e["kind"], e["by"]) for e in body["events"]] == [
        ("flag", None),
        ("acknowledge", body["acknowledged_by"]),
        ("close", "Dana (case manager)"),
    ]
    assert body["events"][-1]["reason"] == "called back, safe at a friend's"
    refused = client.post(f"/api/v1/handoffs/{handoff.id}/acknowledge", headers=headers)
    assert refused.status_code == 409


def test_another_organizations_handoff_cannot_be_acknowledged_or_closed(
    client: TestClient, db: Session, org
) -> None:  # type: ignore[no-untyped-def]
    headers, _, _ = _setup(db, org)
    theirs = staff.create_org("theirs", "Theirs", db_session=db)
    stranger = Participant(org_id=theirs.id)
    db.add(stranger)
    db.flush()
    other = handoffs.flag(stranger, None, "crisis", db_session=db, urgent=True)
    db.commit()
    for action in ("acknowledge", "close"):
        assert (
            client.post(f"/api/v1/handoffs/{other.id}/{action}", headers=headers).status_code == 404
        )
        assert client.post(f"/api/v1/handoffs/{other.id}/{action}").status_code == 401
    db.refresh(other)
    assert other.status == "open"


def test_an_urgent_event_after_acknowledging_needs_attention_again(
    client: TestClient, db: Session, org
) -> None:  # type: ignore[no-untyped-def]
    headers, first, _ = _setup(db, org)
    handoff = handoffs.flag(first, None, "human", db_session=db)
    db.commit()
    assert (
        client.post(f"/api/v1/handoffs/{handoff.id}/acknowledge", headers=headers).status_code
        == 200
    )
    db.expire_all()  # the API changed it in its own session
    handoffs.flag(first, None, "crisis", db_session=db, urgent=True)
    db.commit()
    detail = client.get(f"/api/v1/handoffs/{handoff.id}", headers=headers).json()
    assert detail["status"] == "open" and detail["urgent"] is True
    assert [e["kind"] for e in detail["events"]] == ["flag", "acknowledge", "flag"]


def test_a_new_event_after_closing_opens_a_new_handoff(
    client: TestClient, db: Session, org
) -> None:  # type: ignore[no-untyped-def]
    headers, first, _ = _setup(db, org)
    handoff = handoffs.flag(first, None, "crisis", db_session=db, urgent=True)
    db.commit()
    assert client.post(f"/api/v1/handoffs/{handoff.id}/close", headers=headers).status_code == 200
    db.expire_all()  # the API changed it in its own session
    fresh = handoffs.flag(first, None, "crisis", db_session=db, urgent=True)
    db.commit()
    assert fresh.id != handoff.id and fresh.status == "open" and fresh.urgent
    rows = db.scalars(select(Handoff).where(Handoff.participant_id == first.id)).all()
    assert sorted(h.status for h in rows) == ["closed", "open"]
    listing = _listing(client, headers)
    assert listing[0]["id"] == fresh.id  # open work first, closed last


def test_once_does_not_repeat_a_reason_already_raised(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    _, first, _ = _setup(db, org)
    handoff = handoffs.flag(first, None, "homeless", db_session=db, urgent=True)
    handoffs.flag(first, None, "homeless", db_session=db, once=True, urgent=True)
    assert [e.reason for e in handoff.events] == ["homeless"]


def test_one_crisis_message_is_one_event_however_often_it_is_flagged(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    """The safety net flags a crisis when the message is stored; the engine's action_crisis
    (and any engine retry) flags the same message again: still one event."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.safety import ActionCrisis
    from api.conversations import crisis
    from api.conversations.models import Conversation, InboundMessage
    from tests.support.screening import tracker

    person = Participant(org_id=org.id, language="en")
    db.add(person)
    db.flush()
    conversation = Conversation(participant_id=person.id, channel="sms")
    db.add(conversation)
    db.flush()
    text = "i want to kill myself"
    message = InboundMessage(conversation_id=conversation.id, channel="sms", text=text)
    db.add(message)
    db.flush()
    assert crisis.answer_at_once(message, person, conversation, db_session=db)
    for _ in range(2):  # the engine's turn, and its retry
        seen = tracker(conversation.id, text, intent="crisis", message_id=message.id)
        ActionCrisis().run(CollectingDispatcher(), seen, {})
    db.expire_all()
    (handoff,) = db.scalars(select(Handoff).where(Handoff.participant_id == person.id)).all()
    assert [(e.kind, e.reason) for e in handoff.events] == [("flag", "crisis")]

    later = InboundMessage(conversation_id=conversation.id, channel="sms", text=text)
    db.add(later)
    db.flush()
    crisis.answer_at_once(later, person, conversation, db_session=db)
    db.expire_all()
    assert [e.reason for e in handoff.events] == ["crisis", "crisis"]  # a repeat crisis is seen


def test_an_urgent_reason_from_the_data_reopens_an_acknowledged_handoff(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    """Urgency is the caller's (the instrument's `urgent`), not a list of names in code:
    a flag the instrument files call urgent, such as utilities already shut off, makes an
    acknowledged handoff need attention again."""
    _, first, _ = _setup(db, org)
    handoff = handoffs.flag(first, None, "human", db_session=db)
    handoffs.acknowledge(handoff, "cm-1", db_session=db)
    handoffs.flag(first, None, "utilities_shut_off", db_session=db, urgent=True)
    assert handoff.urgent is True and handoff.status == "open"
