"""Crisis from the classifier alone only when it is sure (issue 12, crisis precision).

Medication running out, wanting a counselor or "take my number off the list" share words
with a crisis, and the classifier sometimes says crisis for them with middling confidence;
each such false crisis sends crisis resources and an urgent staff alert. Below `threshold`,
this component takes the classifier's next intent instead (then FallbackClassifier decides
whether that one is sure enough). The safety net (api/safety/net.py) stays the recall
guarantee: it sends `/crisis` itself, which no NLU component sees.

Sits after the intent classifier and before FallbackClassifier in bot/config.yml.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

CRISIS = "crisis"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class CrisisGate(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"threshold": 0.9}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.threshold = float(config["threshold"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGate:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != CRISIS:
                continue
            if (intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= self.threshold:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            others = [r for r in ranking if r.get(INTENT_NAME_KEY) != CRISIS]
            if not others:
                continue
            # The ranking keeps crisis with its confidence (for the record); the intent moves on.
            message.set(INTENT, dict(others[0]), add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                others[:1] + [r for r in ranking if r not in others[:1]],
                add_to_output=True,
            )
        return messages
