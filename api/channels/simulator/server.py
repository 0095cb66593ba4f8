"""The Twilio-compatible server: the Messages API, signed status callbacks, a phone page."""

from __future__ import annotations

import base64
import itertools
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Form, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from twilio.request_validator import RequestValidator

from api.channels.simulator import mailbox
from api.config import ROOT, Settings, get_settings
from api.mail import dev as mail_dev
from api.mail import sink

# Twilio's own magic numbers for error paths, kept here for tests of our error handling.
ERROR_NUMBERS = {
    "+15005550001": (400, 21211, "The 'To' number is not a valid phone number."),
    "+15005550009": (400, 21614, "'To' number is not a valid mobile number."),
    "+15005550004": (400, 21610, "Attempt to send to unsubscribed recipient"),
    "+15005550500": (500, 20500, "Internal Server Error"),
}


@dataclass
class SimMessage:
    sid: str
    direction: str  # inbound (phone -> app) | outbound-api (app -> phone)
    to: str
    from_: str
    body: str
    status: str
    date_created: str
    num_segments: int = 1
    status_callback: str | None = None
    webhook_status: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[SimMessage] = []
        self.counter = itertools.count(1)

    def add(self, message: SimMessage) -> None:
        with self.lock:
            self.messages.append(message)

    def for_phone(self, phone: str | None) -> list[dict[str, Any]]:
        with self.lock:
            rows = [m for m in self.messages if phone is None or phone in (m.to, m.from_)]
            return [asdict(m) for m in rows]


def _sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


class PhoneText(BaseModel):
    phone: str = Field(..., min_length=3, max_length=20)
    body: str = Field("", max_length=5000)
    media_urls: list[str] = Field(default_factory=list)


def create_simulator_app(
    settings: Settings | None = None, app_url: str | None = None, *, status_callbacks: bool = True
) -> FastAPI:
    """`status_callbacks=False`: no sent/delivered callbacks (the sender benchmark measures
    the sender alone)."""
    settings = settings or get_settings()
    webhook_base = (app_url or settings.public_base_url).rstrip("/")
    public_base = settings.public_base_url.rstrip("/")
    validator = RequestValidator(settings.twilio_auth_token)
    store = Store()
    app = FastAPI(title="firstcall Twilio simulator", docs_url=None, redoc_url=None)
    app.state.store = store
    expected_auth = (
        "Basic "
        + base64.b64encode(
            f"{settings.twilio_account_sid}:{settings.twilio_auth_token}".encode()
        ).decode()
    )

    def post_signed(path: str, params: dict[str, str]) -> int:
        """POST form params to the app exactly as Twilio would, signature and all."""
        signature = validator.compute_signature(f"{public_base}{path}", params)
        response = httpx.post(
            f"{webhook_base}{path}",
            data=params,
            headers={"X-Twilio-Signature": signature},
            timeout=20,
        )
        return response.status_code

    def callbacks(message: SimMessage) -> None:
        if not message.status_callback:
            return
        path = message.status_callback.removeprefix(public_base)
        for status in ("sent", "delivered"):
            message.status = status
            try:
                post_signed(
                    path,
                    {
                        "MessageSid": message.sid,
                        "SmsSid": message.sid,
                        "MessageStatus": status,
                        "To": message.to,
                        "From": message.from_,
                        "AccountSid": settings.twilio_account_sid,
                    },
                )
            except httpx.HTTPError:
                return

    @app.post("/2010-04-01/Accounts/{account_sid}/Messages.json", status_code=201)
    async def create_message(
        account_sid: str,
        To: Annotated[str, Form()],  # noqa: N803 - Twilio's parameter names
        Body: Annotated[str, Form()] = "",  # noqa: N803
        From: Annotated[str | None, Form()] = None,  # noqa: N803
        MessagingServiceSid: Annotated[str | None, Form()] = None,  # noqa: N803
        StatusCallback: Annotated[str | None, Form()] = None,  # noqa: N803
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        if account_sid != settings.twilio_account_sid or authorization != expected_auth:
            return _error(401, 20003, "Authenticate")
        if not From and not MessagingServiceSid:
            return _error(400, 21603, "A 'From' or 'MessagingServiceSid' is required.")
        if not Body:
            return _error(400, 21602, "Message body is required.")
        if To in ERROR_NUMBERS:
            status, code, text = ERROR_NUMBERS[To]
            return _error(status, code, text)
        from api.i18n.sms import segments

        message = SimMessage(
            sid=_sid(),
            direction="outbound-api",
            to=To,
            from_=From or MessagingServiceSid or "",
            body=Body,
            status="queued",
            date_created=format_datetime(datetime.now(UTC), usegmt=True),
            num_segments=segments(Body),
            status_callback=StatusCallback,
        )
        store.add(message)
        if status_callbacks:
            threading.Thread(target=callbacks, args=(message,), daemon=True).start()
        return JSONResponse(_resource(message, account_sid), status_code=201)

    @app.get("/2010-04-01/Accounts/{account_sid}/Messages.json")
    def list_messages(
        account_sid: str,
        To: str | None = None,  # noqa: N803 - Twilio's parameter names
        From: str | None = None,  # noqa: N803
        PageSize: Annotated[int, Query(ge=1, le=1000)] = 50,  # noqa: N803
        Page: Annotated[int, Query(ge=0)] = 0,  # noqa: N803
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Twilio's list of Message resources: filtered by To / From, most recent first,
        in pages (the sender asks it before sending a row again: api/outbox/reconcile.py)."""
        if account_sid != settings.twilio_account_sid or authorization != expected_auth:
            return _error(401, 20003, "Authenticate")
        with store.lock:
            found = [
                m
                for m in reversed(store.messages)
                if (To is None or m.to == To) and (From is None or m.from_ == From)
            ]
        start = Page * PageSize
        rows = found[start : start + PageSize]
        uri = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        query = "".join(f"&{k}={quote(v)}" for k, v in (("To", To), ("From", From)) if v)
        page_uri = f"{uri}?PageSize={PageSize}{query}&Page="
        more = start + PageSize < len(found)
        return JSONResponse(
            {
                "messages": [_resource(m, account_sid) for m in rows],
                "page": Page,
                "page_size": PageSize,
                "start": start,
                "end": start + max(len(rows) - 1, 0),
                "uri": f"{page_uri}{Page}",
                "first_page_uri": f"{page_uri}0",
                "previous_page_uri": f"{page_uri}{Page - 1}" if Page else None,
                "next_page_uri": f"{page_uri}{Page + 1}" if more else None,
            }
        )

    @app.post("/sim/send")
    def phone_sends(text: PhoneText) -> dict[str, Any]:
        """The simulated phone texts the app: a signed webhook, as Twilio would send it."""
        sid = _sid()
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": settings.twilio_account_sid,
            "From": text.phone,
            "To": settings.twilio_from_number or "",
            "Body": text.body,
            "NumMedia": str(len(text.media_urls)),
            "NumSegments": "1",
        }
        for i, url in enumerate(text.media_urls):
            params[f"MediaUrl{i}"] = url
            params[f"MediaContentType{i}"] = "image/jpeg"
        message = SimMessage(
            sid=sid,
            direction="inbound",
            to=params["To"],
            from_=text.phone,
            body=text.body,
            status="received",
            date_created=format_datetime(datetime.now(UTC), usegmt=True),
        )
        store.add(message)
        try:
            message.webhook_status = post_signed("/channels/twilio/sms", params)
        except httpx.HTTPError:
            message.webhook_status = 0
        return {"sid": sid, "webhook_status": message.webhook_status}

    @app.get("/sim/messages")
    def messages(phone: str | None = None) -> list[dict[str, Any]]:
        return store.for_phone(phone)

    @app.get("/sim/count")
    def count() -> dict[str, int]:
        """How many messages the app has sent (outbound) and the phones have (inbound)."""
        with store.lock:
            outbound = sum(1 for m in store.messages if m.direction == "outbound-api")
            return {"outbound": outbound, "inbound": len(store.messages) - outbound}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def phone_page() -> HTMLResponse:
        page = (ROOT / "api" / "channels" / "simulator" / "phone.html").read_text("utf-8")
        return HTMLResponse(page)

    @app.get("/mail", response_class=HTMLResponse, include_in_schema=False)
    def mailbox_page() -> HTMLResponse:
        return HTMLResponse(mailbox.page(mail_dev.mailbox_dir(settings)))

    @app.get("/mail/messages")
    def mailbox_messages() -> list[dict[str, Any]]:
        return sink.read_mailbox(mail_dev.mailbox_dir(settings))

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"message": exc.detail}, status_code=exc.status_code)

    return app


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )


def _resource(message: SimMessage, account_sid: str) -> dict[str, Any]:
    return {
        "sid": message.sid,
        "account_sid": account_sid,
        "to": message.to,
        "from": message.from_,
        "body": message.body,
        "status": message.status,
        "num_segments": str(message.num_segments),
        "num_media": "0",
        "direction": message.direction,
        "api_version": "2010-04-01",
        "date_created": message.date_created,
        "date_updated": message.date_created,
        "date_sent": None,
        "price": None,
        "error_code": None,
        "error_message": None,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{message.sid}.json",
        "subresource_uris": {},
    }
