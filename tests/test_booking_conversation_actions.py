"""The booking's Rasa adapters (actions/booking.py): the form ends at once with nothing to
book, validation says what comes next (and the ask action then stays quiet), an interrupted
form is asked again, a web chat confirmation carries the .ics link, cancel by message."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.booking import (
    ActionAskBookingAnswer,
    ActionCancelAppointment,
    ValidateBookingForm,
)
from api.booking import conversation as talk
from api.booking.models import Appointment
from api.conversations.models import Conversation
from tests.support.booking import ZIP, food_partner, participant

DOMAIN: dict[str, Any] = {"forms": {"booking_form": {"required_slots": ["booking_answer"]}}}


def _tracker(conversation_id: str, text: str, *, intent: str = "out_of_scope",
             events: list[dict[str, Any]] | None = None) -> Tracker:  # fmt: skip
    return Tracker(
        sender_id=conversation_id,
        slots={"requested_slot": "booking_answer", "booking_answer": text},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0},
                        "entities": [], "metadata": {"language": "en"}},  # fmt: skip
        events=events or [{"event": "user", "text": text}],
        paused=False, followup_action=None, active_loop={"name": "booking_form"},
        latest_action_name="action_listen",
    )  # fmt: skip


def _setup(db: Session, org: Any, phone: str, channel: str = "sms") -> tuple[Any, Conversation]:
    food_partner(db, slots=3)
    person = participant(db, phone, org_id=org.id)
    conversation = Conversation(participant_id=person.id, channel=channel)
    db.add(conversation)
    db.flush()
    return person, conversation


def test_booking_form_ends_at_once_when_nothing_is_to_book(db: Session, org: Any) -> None:
    person, conversation = _setup(db, org, "+16195550401")
    form = ValidateBookingForm()
    tracker = _tracker(conversation.id, "hi")

    slots = asyncio.run(
        form.required_slots(["booking_answer"], CollectingDispatcher(), tracker, DOMAIN)
    )
    assert slots == []

    talk.start(person, ["food"], "sms", db_session=db)
    slots = asyncio.run(
        form.required_slots(["booking_answer"], CollectingDispatcher(), tracker, DOMAIN)
    )
    assert slots == ["booking_answer"]


def test_validation_says_the_next_step_and_the_ask_action_stays_quiet(
    db: Session, org: Any
) -> None:
    person, conversation = _setup(db, org, "+16195550402")
    talk.start(person, ["food"], "sms", db_session=db)
    db.flush()
    dispatcher = CollectingDispatcher()

    result = ValidateBookingForm().validate_booking_answer(
        "92101", dispatcher, _tracker(conversation.id, "92101"), DOMAIN
    )

    assert result == {"booking_answer": None}
    assert [(m["response"], m.get("key")) for m in dispatcher.messages] == [
        ("utter_booking_note", "booking.ask_name")
    ]
    said = [{"event": "user", "text": "92101"},
            {"event": "bot", "metadata": {"utter_action": "utter_booking_note"}}]  # fmt: skip
    quiet = CollectingDispatcher()
    ActionAskBookingAnswer().run(quiet, _tracker(conversation.id, "92101", events=said), DOMAIN)
    assert quiet.messages == []
    # after an interruption (a crisis answered by another action) the step is asked again
    crisis = [{"event": "user", "text": "x"},
              {"event": "bot", "metadata": {"utter_action": "utter_crisis"}}]  # fmt: skip
    again = CollectingDispatcher()
    ActionAskBookingAnswer().run(again, _tracker(conversation.id, "x", intent="crisis",
                                                 events=crisis), DOMAIN)  # fmt: skip
    assert [m.get("key") for m in again.messages] == ["booking.ask_name"]


def test_web_chat_confirmation_carries_the_ics_link(db: Session, org: Any) -> None:
    person, conversation = _setup(db, org, "+16195550403", channel="web")
    session = talk.start(person, ["food"], "web", db_session=db, zip_code=ZIP)
    assert session is not None
    talk.reply(session, person, "skip", db_session=db)
    talk.reply(session, person, "skip", db_session=db)
    db.flush()
    payload = '/booking_pick{"step":"offer","menu":"1","answer":"2"}'
    dispatcher = CollectingDispatcher()

    result = ValidateBookingForm().validate_booking_answer(
        payload, dispatcher, _tracker(conversation.id, payload, intent="booking_pick"), DOMAIN
    )

    assert result == {"booking_answer": "done"}, [
        (m.get("response"), m.get("key")) for m in dispatcher.messages
    ]
    confirmed = dispatcher.messages[0]
    appointment = db.scalars(select(Appointment)).one()
    assert confirmed["response"] == "utter_booking_confirmed"
    assert f"/channels/web/ics/{appointment.id}?token=" in confirmed["ics_url"]


def test_cancel_by_message_through_the_action(db: Session, org: Any) -> None:
    person, conversation = _setup(db, org, "+16195550404")
    session = talk.start(person, ["food"], "sms", db_session=db, zip_code=ZIP)
    assert session is not None
    talk.reply(session, person, "skip", db_session=db)
    talk.reply(session, person, "1", db_session=db)
    db.flush()
    dispatcher = CollectingDispatcher()

    tracker = _tracker(conversation.id, "cancel", intent="cancel_appointment")
    ActionCancelAppointment().run(dispatcher, tracker, DOMAIN)

    assert [m.get("key") for m in dispatcher.messages] == ["booking.cancelled"]
    assert db.scalars(select(Appointment)).one().status == "cancelled"


def test_an_engine_retry_of_a_pick_books_once_and_says_the_same_again(
    db: Session, org: Any
) -> None:
    person, conversation = _setup(db, org, "+16195550405")
    session = talk.start(person, ["food"], "sms", db_session=db, zip_code=ZIP)
    assert session is not None
    talk.reply(session, person, "skip", db_session=db)
    db.flush()
    payload = '/booking_pick{"step":"offer","menu":"1","answer":"2"}'
    tracker = _tracker(conversation.id, payload, intent="booking_pick")
    tracker.latest_message["metadata"]["message_id"] = 9901
    first, again = CollectingDispatcher(), CollectingDispatcher()

    ValidateBookingForm().validate_booking_answer(payload, first, tracker, DOMAIN)
    result = ValidateBookingForm().validate_booking_answer(payload, again, tracker, DOMAIN)

    assert result == {"booking_answer": "done"}
    assert [m["response"] for m in again.messages] == ["utter_booking_confirmed"]
    assert again.messages[0]["offer"] == first.messages[0]["offer"]
    assert len(db.scalars(select(Appointment)).all()) == 1
