"""The whole system as processes: Rasa (trained model) behind a proxy we can cut, the action
server, the app, the worker and the Twilio simulator, on their own database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from api import engine_model, migrate, supervisor
from api.config import Settings
from api.db import make_engine
from api.mail import sink
from api.staff import service as staff
from tests.conftest import _TMP, BACKEND
from tests.support.servers import Process, Proxy, free_port, http_ok, wait_for


@dataclass
class Stack:
    app: str
    simulator: str
    api_key: str
    rasa_proxy: Proxy
    processes: dict[str, Process]
    database_url: str = ""
    mailbox: Path | None = None  # the real aiosmtpd server the worker mails partners through
    env: dict[str, str] = field(default_factory=dict, repr=False)  # the processes' settings

    def text(self, phone: str, body: str) -> None:
        response = httpx.post(
            f"{self.simulator}/sim/send", json={"phone": phone, "body": body}, timeout=30
        )
        assert response.status_code == 200 and response.json()["webhook_status"] == 200

    def replies(self, phone: str) -> list[str]:
        rows = httpx.get(f"{self.simulator}/sim/messages", params={"phone": phone}).json()
        return [r["body"] for r in rows if r["direction"] == "outbound-api"]

    def wait_replies(self, phone: str, count: int, timeout: float = 60) -> list[str]:
        return wait_for(  # type: ignore[no-any-return]
            lambda: (r := self.replies(phone)) and len(r) >= count and r,
            timeout,
            f"{count} replies to {phone}",
            interval=0.3,
        )

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{p.tail()}" for n, p in self.processes.items())


def _database_url() -> str:
    if BACKEND == "postgresql":
        import psycopg

        schema = f"e2e_{uuid.uuid4().hex[:10]}"
        base = os.environ["TEST_DATABASE_URL"]
        with psycopg.connect(base.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}options=-csearch_path%3D{schema}"
    return f"sqlite:///{_TMP / f'e2e-{uuid.uuid4().hex[:6]}.db'}"


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    model = engine_model.model_path()
    if not model.exists():
        model, _ = engine_model.train()
    url = _database_url()
    migrate.upgrade(url)
    engine = make_engine(url)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        org = staff.create_org("demo", "Demo", db_session=session)
        key = staff.create_api_key(org, "e2e", db_session=session)
        session.commit()
    engine.dispose()

    ports = {name: free_port() for name in ("app", "actions", "rasa", "simulator", "smtp")}
    mailbox = Path(_TMP) / f"e2e-mail-{uuid.uuid4().hex[:6]}"
    smtp_sink = sink.start(mailbox, ports["smtp"])
    proxy = Proxy(ports["rasa"])
    app_url = f"http://127.0.0.1:{ports['app']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": app_url,
        "RASA_URL": f"http://127.0.0.1:{proxy.port}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['actions']}",
        "TWILIO_API_BASE": f"http://127.0.0.1:{ports['simulator']}",
        "INBOUND_RETRY_AFTER_SECONDS": "1",
        "WORKER_POLL_SECONDS": "0.2",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONUNBUFFERED": "1",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(ports["smtp"]),
        # The stack runs on the real clock: no quiet hours here, or a partner's answer at
        # night would wait for 08:00 (quiet hours are tested with a frozen clock elsewhere).
        "REMINDER_QUIET_START": "00:00",
        "REMINDER_QUIET_END": "00:00",
    }
    log_dir = Path(_TMP) / f"e2e-logs-{BACKEND}"
    log_dir.mkdir(exist_ok=True)
    # The same processes `firstcall run` starts, on ports of our own.
    settings = Settings(
        DATABASE_URL=url,  # the engine's tracker goes with it (api/rasa_endpoints.py)
        FIRSTCALL_VAR_DIR=log_dir,
        FIRSTCALL_PORT=ports["app"],
        RASA_PORT=ports["rasa"],
        ACTION_PORT=ports["actions"],
        SIMULATOR_PORT=ports["simulator"],
    )
    commands = {c.name: c.command for c in supervisor.children(settings, model, simulator=True)}
    processes = {name: Process(name, cmd, env, log_dir) for name, cmd in commands.items()}
    stack = Stack(app_url, f"http://127.0.0.1:{ports['simulator']}", key, proxy, processes,
                  url, mailbox, env)  # fmt: skip
    try:

        def healthy() -> bool:
            dead = [n for n, p in processes.items() if not p.alive()]
            if dead:
                raise RuntimeError(f"{dead} exited:\n{stack.logs()}")
            return http_ok(f"{app_url}/health")

        try:
            wait_for(healthy, 240, "the whole stack to be healthy", interval=1)
        except TimeoutError as exc:
            raise RuntimeError(f"{exc}\n{stack.logs()}") from exc
        yield stack
    finally:
        for process in processes.values():
            process.stop()
        proxy.close()
        smtp_sink.stop()
