"""Crisis and safety: resources in the participant's language and an urgent staff flag, now."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import turn
from api.handoff import service as handoff


class ActionCrisis(Action):
    def name(self) -> str:
        return "action_crisis"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            if t.participant is not None:
                handoff.flag(t.participant, t.conversation, "crisis", db_session=t.db_session)
        dispatcher.utter_message(response="utter_crisis")
        return []


class ActionSafetyResources(Action):
    def name(self) -> str:
        return "action_safety_resources"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        with turn(tracker) as t:
            if t.participant is not None:
                handoff.flag(t.participant, t.conversation, "safety", db_session=t.db_session)
        dispatcher.utter_message(response="utter_safety")
        return []
