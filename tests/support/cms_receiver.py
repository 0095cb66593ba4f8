"""A case-management system's webhook endpoint for tests: a real HTTP server that
verifies every request with the `standardwebhooks` library (401 when it does not verify),
and keeps what it accepted, in order. It can be down (not listening) and come up later on
the same port."""

from __future__ import annotations

import threading
import time
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.servers import ThreadServer, free_port


class Receiver:
    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/firstcall"
        self.accepted: list[tuple[str, dict[str, Any]]] = []  # (webhook-id, verified body)
        self.arrived: list[float] = []  # time.monotonic() of each accepted one (benchmarks)
        self.rejected = 0
        self._lock = threading.Lock()
        self._server: ThreadServer | None = None

        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            headers = dict(request.headers)
            try:
                assert self.secret is not None
                verified: Any = Webhook(self.secret).verify(body, headers)
            except (WebhookVerificationError, AssertionError):
                with self._lock:
                    self.rejected += 1
                return JSONResponse({"error": "bad signature"}, status_code=401)
            with self._lock:
                self.accepted.append((headers["webhook-id"], verified))
                self.arrived.append(time.monotonic())
            return JSONResponse({"ok": True})

        self.app = Starlette(routes=[Route("/hooks/firstcall", receive, methods=["POST"])])

    def up(self) -> Receiver:
        self._server = ThreadServer(self.app, port=self.port).__enter__()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.__exit__()
            self._server = None

    def ids(self) -> list[str]:
        return [webhook_id for webhook_id, _ in self.accepted]

    def types(self) -> list[str]:
        return [body["type"] for _, body in self.accepted]
