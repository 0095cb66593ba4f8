"""The booking as a Rasa form: thin adapters over api.booking.conversation.

`booking_answer` is filled from the participant's text (a ZIP, a name, a number, a pick,
"later"), except for interrupting intents. Validation hands it to the conversation, says
what it says (the next prompt included) and clears the slot; the ask action speaks only
when the form starts or after an interruption, so nothing is said twice.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import turn
from api.booking import by_message, conversation, ics
from api.booking.messages import PICK_INTENT
from api.screening.prompts import payload_fields

SLOT = "booking_answer"


def _message_id(tracker: Tracker) -> int | None:
    """The inbound message id the app sends as metadata (an engine retry sends it again)."""
    value = ((tracker.latest_message or {}).get("metadata") or {}).get("message_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _say(dispatcher: CollectingDispatcher, said: list[conversation.Say], channel: str) -> None:
    for say in said:
        args = dict(say.args)
        if say.response == conversation.CONFIRMED and channel == "web":
            args["ics_url"] = ics.url_for(str(args["appointment_id"]))
        dispatcher.utter_message(response=say.response, **args)


class ActionStartBooking(Action):
    """After the screening (or "book an appointment"): a booking for the positive domains
    when the participant agreed to share with a partner. The form asks the first step."""

    def name(self) -> str:
        return "action_start_booking"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        asked = (tracker.latest_message.get("intent") or {}).get("name") == "book_appointment"
        with turn(tracker) as t:
            if t.participant is None:
                return [SlotSet(SLOT, None)]
            live = conversation.active(t.participant, db_session=t.db_session)
            if live is None or not asked:
                live = conversation.start_after_screening(
                    t.participant, t.channel, db_session=t.db_session
                )
            if live is None and asked:
                dispatcher.utter_message(response="utter_appointment_later")
        return [SlotSet(SLOT, None)]


def _booking_spoke(tracker: Tracker) -> bool:
    """Whether a booking response was said since the participant's last message (then the
    validation already said what comes next)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        utter = (event.get("metadata") or {}).get("utter_action")
        if event.get("event") == "bot" and utter in RESPONSES:
            return True
    return False


class ActionAskBookingAnswer(Action):
    """Asks the current step when the form starts or comes back after an interruption."""

    def name(self) -> str:
        return "action_ask_booking_answer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if _booking_spoke(tracker):
            return []
        with turn(tracker) as t:
            if t.participant is None:
                return []
            live = conversation.active(t.participant, db_session=t.db_session)
            if live is not None:
                said = conversation.prompt(
                    live, t.participant, db_session=t.db_session, conversation=t.conversation
                )
                _say(dispatcher, said, t.channel)
        return []


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:  # fmt: skip
        """Nothing to ask when there is no booking under way: the form ends at once."""
        with turn(tracker) as t:
            if t.participant is None:
                return []
            live = conversation.active(t.participant, db_session=t.db_session)
        return list(domain_slots) if live is not None else []

    def validate_booking_answer(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:  # fmt: skip
        message_id = _message_id(tracker)
        with turn(tracker) as t:
            if t.participant is None:
                return {SLOT: "done"}
            again = conversation.replayed(t.participant, message_id, db_session=t.db_session)
            if again is not None:  # the engine's retry of a message already answered
                _say(dispatcher, again[1], t.channel)
                return {SLOT: "done" if again[0].status != "active" else None}
            live = conversation.active(t.participant, db_session=t.db_session)
            if live is None:
                return {SLOT: "done"}
            if tracker.get_slot("requested_slot") is None:
                return {SLOT: None}  # the form is starting: that message is not an answer
            text = str(tracker.latest_message.get("text") or slot_value or "")
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            fields = payload_fields(text) if intent == PICK_INTENT or text.startswith("/") else {}
            said = conversation.reply(
                live, t.participant, fields.get("answer") or text, fields=fields,
                db_session=t.db_session, conversation=t.conversation, message_id=message_id,
            )  # fmt: skip
            _say(dispatcher, said, t.channel)
            done = live.status != "active"
        return {SLOT: "done" if done else None}


class ActionBookingDone(Action):
    def name(self) -> str:
        return "action_booking_done"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return [SlotSet(SLOT, None)]


class ActionCancelAppointment(Action):
    def name(self) -> str:
        return "action_cancel_appointment"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            if t.participant is not None:
                _say(dispatcher, by_message.cancel(t.participant, db_session=t.db_session),
                     t.channel)  # fmt: skip
        return []


class ActionRescheduleAppointment(Action):
    """New times for the next appointment; the booking form takes the pick."""

    def name(self) -> str:
        return "action_reschedule_appointment"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            if t.participant is None:
                return [SlotSet(SLOT, None)]
            said = by_message.reschedule(t.participant, t.channel, db_session=t.db_session,
                                           conversation=t.conversation)  # fmt: skip
            if conversation.active(t.participant, db_session=t.db_session) is None:
                _say(dispatcher, said, t.channel)  # nothing to change; else the form asks
        return [SlotSet(SLOT, None)]


RESPONSES = frozenset({conversation.NOTE, conversation.MENU, conversation.CONFIRMED})
