"""The screening as a Rasa form: thin adapters over api.screening.service.

The form has one slot, `screening_answer`, filled from the participant's text. Validation
hands each reply to the service (which saves it at once) and clears the slot, so the form
asks again; the service decides what "again" is: the next question, the same one, or done.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import turn
from api.screening import service as screening
from api.screening.prompts import ANSWER_INTENT, payload_fields


def _message_id(tracker: Tracker) -> int | None:
    """The turn's idempotency key: the inbound message id the app sends as metadata."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    value = metadata.get("message_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _say(dispatcher: CollectingDispatcher, outcome: screening.Outcome) -> None:
    for say in outcome.say:
        dispatcher.utter_message(response=say.response, **say.args)


class ActionStartScreening(Action):
    def name(self) -> str:
        return "action_start_screening"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            if t.participant is None:
                return []
            session, resumed = screening.start(
                t.participant, t.conversation, db_session=t.db_session
            )
            if resumed and session.step > 0:
                dispatcher.utter_message(response="utter_screening_resume")
        return [SlotSet("screening_answer", None)]


class ActionAskScreeningAnswer(Action):
    """Asks the current step: consent, or the next question with its options."""

    def name(self) -> str:
        return "action_ask_screening_answer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            if t.participant is None:
                return []
            session, _ = screening.start(t.participant, t.conversation, db_session=t.db_session)
            step = screening.current_step(session, t.participant, db_session=t.db_session)
            if step.kind == "consent":
                dispatcher.utter_message(response="utter_screening_consent")
            elif step.kind == "partner_consent":
                dispatcher.utter_message(response="utter_partner_consent")
            elif step.kind == "question" and step.question is not None:
                dispatcher.utter_message(
                    response="utter_screening_question",
                    question=step.question.id,
                    v=step.question.version,
                    step=step.number,
                    total=step.total,
                )
        return []


class ValidateScreeningForm(FormValidationAction):
    def name(self) -> str:
        return "validate_screening_form"

    def validate_screening_answer(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") is None:
            # The form is just starting: the message that started it ("I need help", a yes to
            # the greeting) is not an answer, least of all consent to the first question.
            return {"screening_answer": None}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = str(slot_value or "")
        # a button or numbered-menu pick names its question (consent buttons too)
        button = payload_fields(str(tracker.latest_message.get("text") or ""))
        if intent == ANSWER_INTENT:
            text = button.get("answer") or next(tracker.get_latest_entity_values("answer"), text)
        with turn(tracker) as t:
            if t.participant is None:
                return {"screening_answer": "done"}
            session, _ = screening.start(t.participant, t.conversation, db_session=t.db_session)
            outcome = screening.reply(
                session,
                t.participant,
                text,
                intent,
                channel=t.channel,
                db_session=t.db_session,
                message_id=_message_id(tracker),
                question_id=button.get("question"),
                version=button.get("v"),
            )
            _say(dispatcher, outcome)
        return {"screening_answer": "done" if outcome.done else None}


class ActionScreeningComplete(Action):
    def name(self) -> str:
        return "action_screening_complete"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            if t.participant is None:
                return [SlotSet("screening_answer", None)]
            session = screening.active_session(t.participant, db_session=t.db_session)
            if (
                session is None
                or screening.current_step(session, t.participant, db_session=t.db_session).kind
                != "done"
            ):
                return [SlotSet("screening_answer", None)]  # stopped (no consent): said already
            screening.complete(session, t.participant, t.conversation, db_session=t.db_session)
        # the summary was said when the last question was answered, and urgent resources (a
        # hotline) in the turn of the answer that made them urgent (service.reply)
        return [SlotSet("screening_answer", None)]


class ActionWithdrawConsent(Action):
    def name(self) -> str:
        return "action_withdraw_consent"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            if t.participant is not None:
                screening.withdraw_consent(t.participant, t.channel, db_session=t.db_session)
                session = screening.active_session(t.participant, db_session=t.db_session)
                if session is not None:
                    session.status = screening.STOPPED
        dispatcher.utter_message(response="utter_consent_withdrawn")
        return [SlotSet("screening_answer", None)]


class ActionRestart(Action):
    """Overrides Rasa's default: mid-screening, "start over" restarts the questions."""

    def name(self) -> str:
        return "action_restart"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            session = (
                screening.active_session(t.participant, db_session=t.db_session)
                if t.participant is not None
                else None
            )
            if session is not None and tracker.active_loop_name == "screening_form":
                screening.restart(session, db_session=t.db_session)
                dispatcher.utter_message(response="utter_screening_restarted")
                return [SlotSet("screening_answer", None)]
        dispatcher.utter_message(response="utter_restart")
        return [SlotSet("screening_answer", None)]
