"""Language: keep the `language` slot in step with the app, and switch on request."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import metadata_language, turn
from api.conversations import service as conversations
from api.i18n.locales import normalize_tag


class ActionSyncLanguage(Action):
    """Runs after every user message (a custom slot mapping): the app's language wins."""

    def name(self) -> str:
        return "action_sync_language"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = normalize_tag(metadata_language(tracker))
        if language and language != tracker.get_slot("language"):
            return [SlotSet("language", language)]
        return []


class ActionSetLanguage(Action):
    def name(self) -> str:
        return "action_set_language"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        values = [normalize_tag(str(v)) for v in tracker.get_latest_entity_values("language")]
        language = next((v for v in values if v), None)
        if language is None:
            dispatcher.utter_message(response="utter_language_menu")
            return []
        with turn(tracker) as t:
            if t.participant is not None:
                conversations.set_language(t.participant, language)
        # The tracker still holds the old slot while this renders: say the language outright.
        dispatcher.utter_message(response="utter_language_set", language=language)
        return [SlotSet("language", language)]
