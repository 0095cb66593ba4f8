"""A stand-in for Rasa's REST channel on a real port: it answers like the engine would
(texts from our catalogs), can be slowed down, and records what it was sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request

from api.i18n.catalog import program_args, render

Answer = Callable[[dict[str, Any]], list[dict[str, Any]]]


def rasa_like(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """A crisis gets utter_crisis then the form's next question; anything else a greeting."""
    language = (payload.get("metadata") or {}).get("language")
    if payload.get("message") == "/crisis":
        crisis = render("utter_crisis", language, program_args()).text
        return [{"text": crisis}, {"text": "NEXT QUESTION"}]
    greet = render("utter_greet", language, program_args())
    return [{"text": greet.text, "buttons": greet.buttons}]


class FakeEngine:
    def __init__(self, answer: Answer = rasa_like, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.app = FastAPI()

        @self.app.get("/")
        def _root() -> str:
            return "Hello from Rasa: 3.6.21"

        @self.app.post("/webhooks/rest/webhook")
        async def _webhook(request: Request) -> list[dict[str, Any]]:
            import asyncio

            payload = await request.json()
            with self._lock:
                self.received.append(payload)
            if self.delay:
                await asyncio.sleep(self.delay)
            return self.answer(payload)

    def messages(self) -> list[str]:
        with self._lock:
            return [str(p.get("message")) for p in self.received]


def wait_until(check: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.02)
