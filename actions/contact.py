"""Asking for a person, and opting out in free text."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import turn
from actions.safety import FlagAndSay
from api.conversations import service as conversations


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
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        message_id = metadata.get("message_id")  # the turn's inbound message: it gets the reply
        with turn(tracker) as t:
            on_sms = t.conversation is not None and t.conversation.channel == "sms"
            if t.participant is not None and on_sms:
                conversations.opt_out_of_sms(
                    t.participant,
                    by_message_id=message_id if isinstance(message_id, int) else None,
                    db_session=t.db_session,
                )
        dispatcher.utter_message(response="utter_opt_out")
        return []
