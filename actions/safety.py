"""Crisis and safety: resources in the participant's language and an urgent staff flag, now."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import turn
from api.handoff import service as handoff


class FlagAndSay:
    """Raise a reason on the participant's handoff (urgent ones at once), then say something.
    A mixin, so rasa-sdk registers only the concrete actions."""

    action_name = ""
    reason = ""
    response = ""

    def name(self) -> str:
        return self.action_name

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message_id = ((tracker.latest_message or {}).get("metadata") or {}).get("message_id")
        with turn(tracker) as t:
            if t.participant is not None:
                handoff.flag(
                    t.participant,
                    t.conversation,
                    self.reason,
                    db_session=t.db_session,
                    message_id=message_id if isinstance(message_id, int) else None,  # one event
                    urgent=True,  # crisis and safety talk are urgent by what they are
                )
        dispatcher.utter_message(response=self.response)
        return []


class ActionCrisis(FlagAndSay, Action):
    action_name, reason, response = "action_crisis", "crisis", "utter_crisis"


class ActionSafetyResources(FlagAndSay, Action):
    action_name, reason, response = "action_safety_resources", "safety", "utter_safety"
