"""Web chat: a JSON API (turns run inline, replies come back in the response) and the page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.config import get_settings
from api.conversations import crisis, turns
from api.conversations import service as conversations
from api.conversations.models import Conversation, Participant
from api.db import session_scope
from api.i18n.locales import SUPPORTED_LOCALES, negotiate
from api.outbox import service as outbox
from api.web import templates

router = APIRouter(tags=["channels"])


class WebMessageIn(BaseModel):
    conversation_id: str | None = Field(None, max_length=64)
    text: str = Field("", max_length=20_000)
    language: str | None = Field(None, max_length=35)


class Button(BaseModel):
    title: str
    payload: str


class WebMessageOut(BaseModel):
    text: str
    buttons: list[Button] | None = None


class WebReply(BaseModel):
    conversation_id: str
    messages: list[WebMessageOut]


def _replies(conversation_id: str) -> list[WebMessageOut]:
    with session_scope() as db:
        return [
            WebMessageOut(
                text=m.body, buttons=[Button(**b) for b in m.buttons] if m.buttons else None
            )
            for m in outbox.take_web_messages(conversation_id, db_session=db)
        ]


@router.post("/channels/web/messages", response_model=WebReply, response_model_exclude_none=True)
def post_message(body: WebMessageIn, request: Request) -> WebReply:
    """Send the participant's text; the reply messages of this turn come back at once."""
    with session_scope() as db:
        conversation = db.get(Conversation, body.conversation_id) if body.conversation_id else None
        if body.conversation_id and (conversation is None or conversation.channel != "web"):
            raise HTTPException(status_code=404, detail="unknown conversation")
        language = body.language or negotiate(request.headers.get("accept-language"))
        if conversation is None:
            participant = conversations.new_web_participant(language, db_session=db)
            conversation = Conversation(participant_id=participant.id, channel="web")
            db.add(conversation)
            db.flush()
        elif body.language:
            existing = db.get(Participant, conversation.participant_id)
            assert existing is not None
            conversations.set_language(existing, body.language)
        stored = conversations.store_inbound(
            conversation, body.text, external_id=None, db_session=db
        )
        owner = db.get(Participant, conversation.participant_id)
        assert owner is not None
        crisis.answer_at_once(stored.message, owner, conversation, db_session=db)
        conversation_id = conversation.id
    # Stored and committed: now the turn, then whatever is waiting for this conversation.
    turns.process_conversation(conversation_id, immediate=True)
    return WebReply(conversation_id=conversation_id, messages=_replies(conversation_id))


@router.get("/channels/web/messages", response_model=WebReply, response_model_exclude_none=True)
def poll_messages(conversation_id: Annotated[str, Query(max_length=64)]) -> WebReply:
    """Messages that arrived later (a retried turn, a reminder): the page polls this."""
    with session_scope() as db:
        conversation = db.get(Conversation, conversation_id)
        if conversation is None or conversation.channel != "web":
            raise HTTPException(status_code=404, detail="unknown conversation")
    return WebReply(conversation_id=conversation_id, messages=_replies(conversation_id))


@router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
def chat_page(request: Request, lang: str | None = None) -> HTMLResponse:
    language = negotiate(request.headers.get("accept-language"), lang) or (
        get_settings().program_default_language
    )
    return templates.TemplateResponse(
        request,
        "chat.html",
        {
            "language": language,
            "rtl": SUPPORTED_LOCALES[language].rtl,
            "locales": SUPPORTED_LOCALES.values(),
            "program": get_settings().program_name,
        },
    )
