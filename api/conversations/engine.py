"""The dialogue engine (Rasa) as a server we depend on, reached over its REST channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from api.config import get_settings


class EngineUnavailable(Exception):
    """Rasa did not answer; the message stays queued and is retried."""


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None


def send(conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotMessage]:
    settings = get_settings()
    payload = {"sender": conversation_id, "message": text, "metadata": metadata}
    try:
        response = httpx.post(
            f"{settings.rasa_url}/webhooks/rest/webhook",
            json=payload,
            timeout=settings.rasa_timeout_seconds,
        )
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise EngineUnavailable(type(exc).__name__) from exc
    messages = []
    for item in data if isinstance(data, list) else []:
        if item.get("text") or item.get("buttons"):
            messages.append(
                BotMessage(
                    text=item.get("text") or "",
                    buttons=list(item.get("buttons") or []),
                    custom=item.get("custom"),
                )
            )
    return messages


def is_up(timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{get_settings().rasa_url}/", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False
