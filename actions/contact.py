"""Asking for a person, and opting out in free text."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import turn
from actions.safety import FlagAndSay


class ActionRequestHuman(FlagAndSay, Action):
    action_name, reason, response = (
        "action_request_human",
        "asked_for_person",
        "utter_request_human",
    )


class ActionOptOut(Action):
    def name(self) -> str:
        return "action_opt_out"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            on_sms = t.conversation is not None and t.conversation.channel == "sms"
            if t.participant is not None and on_sms:
                t.participant.sms_opted_out = True
        dispatcher.utter_message(response="utter_opt_out")
        return []
