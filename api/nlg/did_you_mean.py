"""Two-stage fallback: when the NLU is unsure, "Did you mean <x>? 1 Yes 2 No" (issue 12).

Rasa's FallbackClassifier turns a message whose best intent is below its threshold into
`nlu_fallback`, and the rule answers `utter_default` ("Sorry, I didn't understand"). The
tracker Rasa sends with that NLG request still holds the classifier's ranking, so when its
best real intent is one we can name in a few words, the participant is asked instead:
Yes sends that intent's payload ("/need_food"), No sends `/nlu_fallback`, whose ranking holds
nothing else, so the participant then gets the plain "could you say that another way?".

Never suggested: crisis (the safety net and the classifier's own confident crisis handle
it; a question is no answer to a crisis), safety and opt-out (asking back is wrong for
both), and the short conversational intents (a yes or a thanks is no need to confirm).
"""

from __future__ import annotations

from typing import Any

from api.i18n.texts import Button, area_texts

T = area_texts("nlu_fallback")

FALLBACK_INTENT = "nlu_fallback"
# Below this the classifier's best guess is noise: the plain "say that another way" is kinder.
MIN_CONFIDENCE = 0.1


def _buttons(intent: str) -> tuple[Button, Button]:
    return (Button("button.yes", f"/{intent}"), Button("button.no", f"/{FALLBACK_INTENT}"))


# intent -> the template that asks about it; Yes sends the intent, No `/nlu_fallback`.
SUGGESTIONS: dict[str, str] = {
    "need_food": T(
        "did_you_mean.need_food",
        "Did you mean help with food?",
        buttons=_buttons("need_food"),
    ).key,
    "need_housing": T(
        "did_you_mean.need_housing",
        "Did you mean help with housing?",
        buttons=_buttons("need_housing"),
    ).key,
    "need_utilities": T(
        "did_you_mean.need_utilities",
        "Did you mean help with power, gas or water bills?",
        buttons=_buttons("need_utilities"),
    ).key,
    "need_transportation": T(
        "did_you_mean.need_transportation",
        "Did you mean help getting a ride?",
        buttons=_buttons("need_transportation"),
    ).key,
    "need_health_care": T(
        "did_you_mean.need_health_care",
        "Did you mean help with health care or medicine?",
        buttons=_buttons("need_health_care"),
    ).key,
    "need_mental_health": T(
        "did_you_mean.need_mental_health",
        "Did you mean you would like a counselor to talk to?",
        buttons=_buttons("need_mental_health"),
    ).key,
    "need_legal": T(
        "did_you_mean.need_legal",
        "Did you mean help with a legal problem?",
        buttons=_buttons("need_legal"),
    ).key,
    "need_employment": T(
        "did_you_mean.need_employment",
        "Did you mean help with work or job training?",
        buttons=_buttons("need_employment"),
    ).key,
    "need_financial": T(
        "did_you_mean.need_financial",
        "Did you mean help with money or a budget?",
        buttons=_buttons("need_financial"),
    ).key,
    "need_childcare": T(
        "did_you_mean.need_childcare",
        "Did you mean help with child care?",
        buttons=_buttons("need_childcare"),
    ).key,
    "request_human": T(
        "did_you_mean.request_human",
        "Did you mean you want to talk to a person?",
        buttons=_buttons("request_human"),
    ).key,
    "book_appointment": T(
        "did_you_mean.book_appointment",
        "Did you mean you want to make an appointment?",
        buttons=_buttons("book_appointment"),
    ).key,
    "cancel_appointment": T(
        "did_you_mean.cancel_appointment",
        "Did you mean you want to cancel your appointment?",
        buttons=_buttons("cancel_appointment"),
    ).key,
    "reschedule_appointment": T(
        "did_you_mean.reschedule_appointment",
        "Did you mean you want to change your appointment time?",
        buttons=_buttons("reschedule_appointment"),
    ).key,
    "ask_privacy": T(
        "did_you_mean.ask_privacy",
        "Did you mean you want to know who sees your answers?",
        buttons=_buttons("ask_privacy"),
    ).key,
}


def suggestion(tracker: dict[str, Any]) -> str | None:
    """The template asking "did you mean ...?" for an unsure message, or None."""
    latest = tracker.get("latest_message") or {}
    intent = (latest.get("intent") or {}).get("name")
    if intent != FALLBACK_INTENT:
        return None
    for ranked in latest.get("intent_ranking") or []:
        name = ranked.get("name")
        if name == FALLBACK_INTENT:
            continue
        # the best real intent only: a second guess is never offered
        confidence = float(ranked.get("confidence") or 0.0)
        if name in SUGGESTIONS and confidence >= MIN_CONFIDENCE:
            return SUGGESTIONS[name]
        return None
    return None
