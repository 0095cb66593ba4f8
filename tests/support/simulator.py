"""The Twilio-compatible simulator on a real port, with the twilio client pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.channels import twilio_sms
from api.channels.simulator.server import create_simulator_app
from api.config import get_settings
from tests.support.servers import ThreadServer, free_port


@contextmanager
def running_simulator(
    monkeypatch: pytest.MonkeyPatch,
    app_url: str | None = None,
    *,
    hook: Any = None,
    answer_after: float = 0.0,
) -> Iterator[ThreadServer]:
    """Status callbacks go to `app_url` (by default a closed local port).

    `hook(request)` runs inside the simulator before each Messages API call is answered:
    code that must see what the sender holds while Twilio is being called.
    `answer_after` holds each Messages API answer back that many seconds, while its status
    callbacks go out at once: Twilio calling back before the sender has its answer.
    """
    app: FastAPI = create_simulator_app(
        get_settings(), app_url=app_url or f"http://127.0.0.1:{free_port()}"
    )
    if hook is not None or answer_after:

        @app.middleware("http")
        async def _hook(request, call_next):  # type: ignore[no-untyped-def]
            if not request.url.path.endswith("/Messages.json"):
                return await call_next(request)
            if hook is not None:
                hook(request)
            response = await call_next(request)
            await asyncio.sleep(answer_after)
            return response

    with ThreadServer(app) as server:
        monkeypatch.setenv("TWILIO_API_BASE", server.url)
        get_settings.cache_clear()
        twilio_sms.client.cache_clear()
        try:
            yield server
        finally:
            monkeypatch.delenv("TWILIO_API_BASE")
            get_settings.cache_clear()
            twilio_sms.client.cache_clear()


def received(server: ThreadServer, phone: str | None = None) -> list[dict[str, Any]]:
    params = {"phone": phone} if phone else {}
    result: list[dict[str, Any]] = httpx.get(f"{server.url}/sim/messages", params=params).json()
    return result
