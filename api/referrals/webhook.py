"""A partner's webhook: a JSON POST signed per Standard Webhooks (webhook-id,
webhook-timestamp, webhook-signature).

Each partner service has its own secret, derived from FIRSTCALL_SECRET_KEY and the service
id (`whsec_...`), so staff can give it to the partner and it is never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from api.config import get_settings

TIMEOUT_SECONDS = 10


class WebhookError(Exception):
    def __init__(self, code: str, retry: bool, status_code: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry = retry
        self.status_code = status_code


def secret_for(service_id: str) -> str:
    key = get_settings().secret_key.encode()
    raw = hmac.new(key, f"partner-webhook:{service_id}".encode(), hashlib.sha256).digest()
    return "whsec_" + base64.b64encode(raw).decode()


def post(url: str, payload: dict[str, Any], *, message_id: str, service_id: str) -> int:
    return post_signed(url, payload, message_id=message_id, secret=secret_for(service_id))


def post_signed(url: str, payload: dict[str, Any], *, message_id: str, secret: str) -> int:
    """POST `payload` as JSON signed with `secret` (`whsec_...`); the status code on 2xx,
    else a WebhookError that says whether a retry may help. Shared by the CMS webhooks."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    now = datetime.now(UTC)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
    }
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise WebhookError(f"http_{type(exc).__name__}"[:48], retry=True) from None
    if response.is_success:
        return response.status_code
    retry = response.status_code >= 500 or response.status_code in (408, 409, 425, 429)
    raise WebhookError(
        f"http_{response.status_code}", retry=retry, status_code=response.status_code
    )
