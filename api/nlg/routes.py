"""POST /nlg: Rasa asks us for the text of every response, in the conversation's language."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.booking.messages import COMPOSITE as BOOKING_COMPOSITE
from api.config import get_settings
from api.i18n.catalog import program_args, render
from api.i18n.texts import TEMPLATES
from api.nlg import did_you_mean
from api.screening.messages import COMPOSITE as SCREENING_COMPOSITE

router = APIRouter(tags=["engine"])
COMPOSITE = {**SCREENING_COMPOSITE, **BOOKING_COMPOSITE}


class NlgRequest(BaseModel):
    response: str = Field(..., max_length=200)
    arguments: dict[str, Any] = Field(default_factory=dict)
    tracker: dict[str, Any] = Field(default_factory=dict)
    channel: dict[str, Any] = Field(default_factory=dict)


class NlgResponse(BaseModel):
    text: str
    buttons: list[dict[str, str]] = Field(default_factory=list)
    custom: dict[str, Any] | None = None


def conversation_language(tracker: dict[str, Any]) -> str | None:
    """The tracker's `language` slot, else the language the app sent in the metadata."""
    slots = tracker.get("slots") or {}
    if isinstance(slots.get("language"), str):
        return str(slots["language"])
    metadata = (tracker.get("latest_message") or {}).get("metadata") or {}
    value = metadata.get("language")
    return str(value) if isinstance(value, str) else None


@router.post("/nlg", response_model=NlgResponse, response_model_exclude_none=True)
def nlg(body: NlgRequest) -> NlgResponse:
    settings = get_settings()
    # An action that just changed the language says so in the arguments (the slot lags).
    language = body.arguments.get("language") or conversation_language(body.tracker)
    args = {**program_args(), **{k: v for k, v in body.arguments.items() if v is not None}}
    args.pop("language", None)
    if body.response in COMPOSITE:
        rendered = COMPOSITE[body.response](args, language)
    else:
        key = body.response if body.response in TEMPLATES else "utter_default"
        if key == "utter_default":  # unsure NLU: "Did you mean ...?" when it has a good guess
            key = did_you_mean.suggestion(body.tracker) or key
        rendered = render(key, language, args, program_default=settings.program_default_language)
    return NlgResponse(text=rendered.text, buttons=rendered.buttons)
