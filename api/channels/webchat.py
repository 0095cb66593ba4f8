"""Web chat: a JSON API and the page.

POST stores the text (one unit of work), hands the turn to the turn executor and waits for
it without holding a request thread, then returns this turn's replies. GET reads by cursor
(`after=<id>`): nothing is marked as seen for good, so no poll loses a message.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.channels import web_channel
from api.config import get_settings
from api.conversations import crisis, runner
from api.conversations import service as conversations
from api.conversations.models import Conversation, Participant
from api.db import session_scope
from api.i18n.locales import SUPPORTED_LOCALES, negotiate
from api.web import templates

router = APIRouter(tags=["channels"])


class WebMessageIn(BaseModel):
    conversation_id: str | None = Field(None, max_length=64)
    text: str = Field("", max_length=20_000)
    language: str | None = Field(None, max_length=35)
    after: int | None = Field(
        None, ge=0, description="the last message id the page has; replies after it come back"
    )


class Button(BaseModel):
    title: str
    payload: str


class WebMessageOut(BaseModel):
    id: int = Field(..., description="the cursor: poll with after=<the last id you have>")
    text: str
    buttons: list[Button] | None = None


class WebReply(BaseModel):
    conversation_id: str
    messages: list[WebMessageOut]


def _messages_after(conversation_id: str, after: int) -> list[WebMessageOut]:
    with session_scope(read_only=True) as db:
        rows = web_channel.messages_after(conversation_id, after, db_session=db)
        out = [
            WebMessageOut(
                id=m.id,
                text=m.body,
                buttons=[Button(**b) for b in m.buttons] if m.buttons else None,
            )
            for m in rows
        ]
        first_time = [m.id for m in rows if m.sent_at is None]
    if first_time:  # a write unit only when something is handed over the first time
        with session_scope() as db:
            web_channel.record_handed_over(first_time, db_session=db)
    return out


def _store(body: WebMessageIn, accept_language: str | None) -> tuple[str, int]:
    """Store the text; returns the conversation and the newest outbound id before it."""
    with session_scope() as db:
        conversation = db.get(Conversation, body.conversation_id) if body.conversation_id else None
        if body.conversation_id and (conversation is None or conversation.channel != "web"):
            raise HTTPException(status_code=404, detail="unknown conversation")
        language = body.language or negotiate(accept_language)
        if conversation is None:
            participant = conversations.new_web_participant(language, db_session=db)
            conversation = Conversation(participant_id=participant.id, channel="web")
            db.add(conversation)
            db.flush()
        elif body.language:
            existing = db.get(Participant, conversation.participant_id)
            assert existing is not None
            conversations.set_language(existing, body.language)
        since = web_channel.last_id(conversation.id, db_session=db)
        stored = conversations.store_inbound(
            conversation, body.text, external_id=None, db_session=db
        )
        owner = db.get(Participant, conversation.participant_id)
        assert owner is not None
        crisis.answer_at_once(stored.message, owner, conversation, db_session=db)
        return conversation.id, since


@router.post("/channels/web/messages", response_model=WebReply, response_model_exclude_none=True)
async def post_message(body: WebMessageIn, request: Request) -> WebReply:
    """Send the participant's text; this turn's replies (or all after `after`) come back."""
    conversation_id, since = await run_in_threadpool(
        _store, body, request.headers.get("accept-language")
    )
    future = runner.get().submit(conversation_id)
    if future is not None:  # full: the worker takes the turn, the page's poll gets the replies
        wait = get_settings().rasa_timeout_seconds + 5
        await asyncio.wait([asyncio.wrap_future(future)], timeout=wait)  # never cancels it
    after = body.after if body.after is not None else since
    messages = await run_in_threadpool(_messages_after, conversation_id, after)
    return WebReply(conversation_id=conversation_id, messages=messages)


@router.get("/channels/web/messages", response_model=WebReply, response_model_exclude_none=True)
def poll_messages(
    conversation_id: Annotated[str, Query(max_length=64)],
    after: Annotated[int, Query(ge=0, description="the last message id the page has")] = 0,
) -> WebReply:
    """The conversation's messages after the cursor (a retried turn, a reminder)."""
    with session_scope(read_only=True) as db:
        conversation = db.get(Conversation, conversation_id)
        if conversation is None or conversation.channel != "web":
            raise HTTPException(status_code=404, detail="unknown conversation")
    return WebReply(
        conversation_id=conversation_id, messages=_messages_after(conversation_id, after)
    )


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
