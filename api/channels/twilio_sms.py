"""Twilio SMS: the signed inbound webhook, status callbacks, and sending through the outbox.

Rasa never talks to Twilio. The webhook stores the message, answers Twilio at once with an
empty <Response/>; the turn runs afterwards in its own executor (api/conversations/runner.py)
or in the worker. Replies leave through the outbox.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from api.channels import keywords
from api.config import Settings, get_settings
from api.conversations import crisis, runner
from api.conversations import service as conversations
from api.conversations.models import Participant
from api.db import session_dependency, session_scope, utcnow
from api.i18n import style
from api.outbox.models import DELIVERED, FAILED, PENDING, SENDING, SENT, OutboundMessage

log = logging.getLogger(__name__)
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # it logs bodies (PII)

router = APIRouter(prefix="/channels/twilio", tags=["channels"])
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


# --- signature check: a dependency with no debug bypass -----------------------------------
def public_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: our configured public base plus the path and query we got."""
    base = settings.public_base_url.rstrip("/")
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{base}{request.url.path}{query}"


async def twilio_form(
    request: Request, settings: Annotated[Settings, Depends(get_settings)]
) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).multi_items()}
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(settings.twilio_auth_token)
    if not validator.validate(public_url(request, settings), form, signature):
        raise HTTPException(status_code=403, detail="invalid Twilio signature")
    return form


TwilioForm = Annotated[dict[str, str], Depends(twilio_form)]
DbSession = Annotated[Session, Depends(session_dependency)]


def twiml(body: str = EMPTY_TWIML) -> Response:
    return Response(content=body, media_type="application/xml")


@router.post("/sms")
def inbound_sms(form: TwilioForm) -> Response:
    """Store, commit, answer. The turn runs afterwards in the turn executor (or the worker):
    the acknowledgement never waits for the engine, and holds no lock a turn can hold."""
    conversation_id = _store_sms(form)
    if conversation_id is not None:
        runner.get().submit(conversation_id)  # full: the worker's retry sweep takes it
    return twiml()


def _store_sms(form: dict[str, str]) -> str | None:
    """The request's one unit of work; returns the conversation whose turn is due, if any."""
    phone = form.get("From", "").strip()
    if not phone:
        return None
    with session_scope() as db_session:
        participant = conversations.participant_for_phone(phone, db_session=db_session)
        conversation = conversations.current_conversation(participant, "sms", db_session=db_session)
        try:
            media_count = int(form.get("NumMedia", "0") or 0)
        except ValueError:
            media_count = 0
        stored = conversations.store_inbound(
            conversation,
            form.get("Body", ""),
            external_id=form.get("MessageSid") or None,
            media_count=media_count,
            db_session=db_session,
        )
        if stored.duplicate:
            return None  # Twilio retried a message we already have
        if keywords.handle(stored.message, participant, conversation, db_session=db_session):
            return None
        if style.on_inbound(stored.message, participant, conversation, db_session=db_session):
            return None  # "KHONG DAU" / "CO DAU": the text style, answered in the new style
        # The safety net at the door: a crisis is answered and flagged in this very request.
        crisis.answer_at_once(stored.message, participant, conversation, db_session=db_session)
        if participant.sms_opted_out:
            # Carrier rules: only START/UNSTOP opt back in. Keep the message; send nothing.
            stored.message.status = "opted_out"
            return None
        return conversation.id


@router.post("/status")
def status_callback(form: TwilioForm, db_session: DbSession, m: int | None = None) -> Response:
    """`m` is our outbox row, in the callback URL we asked for (signed with it)."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    if not sid or not status:
        return twiml()  # no MessageSid: nothing to match, nothing changes
    message = db_session.scalar(select(OutboundMessage).where(OutboundMessage.provider_id == sid))
    if message is None and m is not None:
        # The callback can come before the sender has recorded Twilio's answer.
        in_flight = db_session.get(OutboundMessage, m)
        if in_flight is not None and in_flight.provider_id is None and in_flight.status == SENDING:
            in_flight.provider_id, message = sid, in_flight
    if message is None:
        return twiml()
    apply_status(message, status, form.get("ErrorCode"), db_session=db_session)
    db_session.commit()
    return twiml()


def apply_status(
    message: OutboundMessage, status: str, error_code: str | None, *, db_session: Session
) -> None:
    """Callbacks come out of order: a status never moves backwards, failed never to delivered."""
    mapped = {
        "delivered": DELIVERED,
        "read": DELIVERED,
        "undelivered": FAILED,
        "failed": FAILED,
        "sent": SENT,
    }.get(status)
    if mapped is None:
        return
    if message.status == FAILED and mapped != FAILED:
        return
    if message.status == DELIVERED and mapped == SENT:
        return
    if error_code == "30003" and mapped == FAILED and message.attempts < 2:
        # Unreachable handset: retry once, a little later.
        message.status = PENDING
        message.next_attempt_at = utcnow() + timedelta(minutes=5)
        message.error_code = error_code
        return
    newly_failed = mapped == FAILED and message.status != FAILED
    message.status = mapped
    if error_code:
        message.error_code = error_code
        if error_code == "21610" and message.participant_id:  # recipient opted out
            participant = db_session.get(Participant, message.participant_id)
            if participant is not None:
                conversations.opt_out_of_sms(participant, db_session=db_session)
    if newly_failed:  # a reminder that did not arrive: the case manager's task, web chat
        from api.reminders import failures

        failures.on_failed(message, error_code, db_session=db_session)


# --- sending ---------------------------------------------------------------------------------
class BaseUrlHttpClient(TwilioHttpClient):
    """The real twilio client, pointed at a Twilio-compatible server (TWILIO_API_BASE)."""

    def __init__(self, api_base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_base = api_base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        parts = urlsplit(url)
        if parts.hostname and parts.hostname.endswith("twilio.com"):
            url = f"{self.api_base}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return super().request(method, url, *args, **kwargs)


@lru_cache
def client() -> Client:
    settings = get_settings()
    http_client = (
        BaseUrlHttpClient(settings.twilio_api_base, timeout=10)
        if settings.twilio_api_base
        else TwilioHttpClient(timeout=10)
    )
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)


class SendError(Exception):
    def __init__(self, code: str | None, retry: bool) -> None:
        super().__init__(code or "send failed")
        self.code = code
        self.retry = retry


# 21610: recipient opted out (never retry); 21211/21614: invalid or landline number.
PERMANENT = {"21610", "21211", "21614", "30006", "30005", "30004"}


def send(to: str, body: str, *, reference: int | None = None) -> str:
    """Send one SMS; returns Twilio's message SID. `reference` (the outbox row) comes back in
    the status callback URL, so a callback that beats the sender's own record still matches."""
    settings = get_settings()
    callback = f"{settings.public_base_url.rstrip('/')}/channels/twilio/status"
    kwargs: dict[str, Any] = {
        "to": to,
        "body": body,
        "status_callback": callback if reference is None else f"{callback}?m={reference}",
    }
    if settings.twilio_messaging_service_sid:
        kwargs["messaging_service_sid"] = settings.twilio_messaging_service_sid
    else:
        kwargs["from_"] = settings.twilio_from_number
    try:
        message = client().messages.create(**kwargs)
    except TwilioRestException as exc:
        code = str(exc.code) if exc.code else None
        transient = exc.status >= 500 or exc.status == 429
        raise SendError(code, retry=code not in PERMANENT and transient) from exc
    except Exception as exc:  # network: the worker retries with backoff
        raise SendError(None, retry=True) from exc
    return str(message.sid)
