"""Twilio webhook acknowledgement under load, with the engine healthy and stalled.

Processes, as in `make run`: the app (uvicorn on a free port, with its own turn executor),
the worker, and a stand-in for the outside world: our Twilio-compatible simulator (replies
really leave through the `twilio` client) and a fake engine, a local HTTP server that
answers like Rasa's REST channel or, when stalled, holds every request until the stall
window ends. This process is the 60 senders: one signed SMS each, 20 at a time. Printed:
acknowledgement p50/p99 (target < 200 ms both), and the time until every reply has left
(handed to the simulator).

Run alone with `python -m bench.ack` (it sets its own environment: a temporary SQLite
database, or ACK_BENCH_DATABASE_URL; loopback ports); `make bench` runs it last.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request

SENDERS = 60
CONCURRENCY = 20
STALL_SECONDS = 8.0  # shorter than RASA_TIMEOUT_SECONDS: the engine comes back, nothing lost
TARGET_MS = 200.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(app_port: int, sim_port: int, engine_port: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="firstcall-bench-"))
    os.environ.update(
        {
            "FIRSTCALL_ENV": "development",
            "FIRSTCALL_HOST": "127.0.0.1",
            "FIRSTCALL_VAR_DIR": str(tmp),
            "DATABASE_URL": os.environ.get(
                "ACK_BENCH_DATABASE_URL", f"sqlite:///{tmp / 'bench.db'}"
            ),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{app_port}",
            "FIRSTCALL_PORT": str(app_port),
            "TWILIO_API_BASE": f"http://127.0.0.1:{sim_port}",
            "SMS_RATE": "0",  # the simulator, no carrier pace
            "RASA_URL": f"http://127.0.0.1:{engine_port}",
            "ACTION_SERVER_URL": "http://127.0.0.1:9",
            "WORKER_POLL_SECONDS": "0.2",
            "INBOUND_RETRY_AFTER_SECONDS": "2",
            "PROGRAM_ORG_SLUG": "demo",
        }
    )
    for name in ("TWILIO_MESSAGING_SERVICE_SID", "REDIS_URL"):
        os.environ.pop(name, None)


class FakeEngine:
    """Rasa's REST channel as far as the app can tell; `stall()` holds requests a while."""

    def __init__(self) -> None:
        self.stalled_until = 0.0
        self.app = FastAPI()

        @self.app.get("/")
        def _root() -> str:
            return "Hello from Rasa: 3.6.21"

        @self.app.post("/webhooks/rest/webhook")
        async def _webhook(request: Request) -> list[dict[str, Any]]:
            await request.json()
            wait = self.stalled_until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            return [{"text": "Thanks, we got your message."}]

    def stall(self, seconds: float) -> None:
        self.stalled_until = time.monotonic() + seconds


class Served:
    """An ASGI app on a real port, in a thread."""

    def __init__(self, app: Any, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"server on port {port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _post_all(app_url: str, phones: list[str], concurrency: int = CONCURRENCY) -> list[float]:
    import httpx
    from twilio.request_validator import RequestValidator

    from api.config import get_settings

    settings = get_settings()
    validator = RequestValidator(settings.twilio_auth_token)
    path = "/channels/twilio/sms"

    def one(index_phone: tuple[int, str]) -> float:
        index, phone = index_phone
        sid = f"SM{time.time_ns():020d}{index:012d}"
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": settings.twilio_account_sid,
            "From": phone,
            "To": settings.twilio_from_number or "+15005550006",
            "Body": "hi, I need help finding a job",
            "NumMedia": "0",
        }
        signature = validator.compute_signature(f"{settings.public_base_url}{path}", params)
        started = time.perf_counter()
        response = httpx.post(
            f"{app_url}{path}", data=params, headers={"X-Twilio-Signature": signature}, timeout=30
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"webhook answered {response.status_code}")
        return elapsed

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, enumerate(phones)))


def _replies_left(phones: list[str]) -> int:
    """How many of these senders have had an engine reply sent to them."""
    from sqlalchemy import select

    from api import crypto
    from api.conversations.models import Participant
    from api.db import session_scope
    from api.outbox.models import OutboundMessage

    hashes = [crypto.lookup_hash(p) for p in phones]
    with session_scope(read_only=True) as db:
        rows = db.execute(
            select(Participant.id)
            .join(OutboundMessage, OutboundMessage.participant_id == Participant.id)
            .where(
                Participant.phone_hash.in_(hashes),
                OutboundMessage.kind == "reply",
                OutboundMessage.provider_id.is_not(None),
            )
            .distinct()
        )
        return len(rows.all())


def _phase(
    label: str, app_url: str, phones: list[str], before: Any, concurrency: int = CONCURRENCY
) -> bool:
    if before is not None:
        before()
    started = time.monotonic()
    acks = _post_all(app_url, phones, concurrency)
    deadline = started + 120
    while _replies_left(phones) < len(phones) and time.monotonic() < deadline:
        time.sleep(0.1)
    done = _replies_left(phones)
    all_left = time.monotonic() - started
    p50, p99 = _percentile(acks, 50) * 1000, _percentile(acks, 99) * 1000
    ok = p99 < TARGET_MS
    print(
        f"{label:<26}{p50:>9.1f}{p99:>9.1f}{max(acks) * 1000:>9.1f}"
        f"{all_left:>10.1f} s  {done}/{len(phones)} replies  {'ok' if ok else 'OVER TARGET'}"
    )
    return ok and done == len(phones)


def _serve(role: str) -> None:
    """A child process: `app`, `worker`, or `outside` (the fake engine and the simulator)."""
    from api.config import get_settings

    settings = get_settings()
    if role == "app":
        from api.main import create_app

        Served(create_app(), settings.port).thread.join()
    elif role == "worker":
        from api import worker

        worker.run_forever()
    else:
        from api.channels.simulator.server import create_simulator_app

        engine = FakeEngine()

        @engine.app.post("/stall")
        def _stall(seconds: float) -> dict[str, float]:
            engine.stall(seconds)
            return {"stalled": seconds}

        app_url = f"http://127.0.0.1:{settings.port}"
        Served(create_simulator_app(settings, app_url), int(os.environ["BENCH_SIM_PORT"]))
        Served(engine.app, int(os.environ["BENCH_ENGINE_PORT"])).thread.join()


def _wait_up(url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def main() -> int:
    import subprocess

    app_port, sim_port, engine_port = free_port(), free_port(), free_port()
    _environment(app_port, sim_port, engine_port)
    os.environ.update({"BENCH_SIM_PORT": str(sim_port), "BENCH_ENGINE_PORT": str(engine_port)})

    import httpx

    from api import migrate
    from api.config import get_settings
    from api.db import get_engine, session_scope
    from api.staff import service as staff

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    with session_scope() as db:
        if staff.org_by_slug("demo", db_session=db) is None:
            staff.create_org("demo", "Bench Program", db_session=db)

    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.ack", "--serve", role],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for role in ("outside", "app", "worker")
    ]
    app_url = f"http://127.0.0.1:{app_port}"
    backend = settings.database_url.split(":", 1)[0]
    try:
        _wait_up(f"http://127.0.0.1:{engine_port}/")
        _wait_up(f"{app_url}/chat")
        print(
            f"\nTwilio webhook acknowledgement: {SENDERS} senders, {CONCURRENCY} at a time "
            f"({backend}; target p99 < {TARGET_MS:.0f} ms)"
        )
        print(f"{'engine':<26}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'all replies left':>18}")

        def stall(seconds: float) -> None:
            httpx.post(f"http://127.0.0.1:{engine_port}/stall", params={"seconds": seconds})

        _phase("healthy, one at a time", app_url, [f"+1555300{i:04d}" for i in range(20)], None, 1)
        healthy = _phase("healthy", app_url, [f"+1555100{i:04d}" for i in range(SENDERS)], None)
        stalled = _phase(
            f"stalled {STALL_SECONDS:.0f} s, then back",
            app_url,
            [f"+1555200{i:04d}" for i in range(SENDERS)],
            lambda: stall(STALL_SECONDS),
        )
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        get_engine().dispose()
    return 0 if healthy and stalled else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        _serve(sys.argv[2])  # the child inherits the environment main() set
    else:
        sys.exit(main())
