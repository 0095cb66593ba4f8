"""`firstcall run` itself, as a deployer runs it: killing the engine or the action server
(SIGKILL, as the OOM killer would) stops nothing else. The webhook keeps storing texts and
answering "we'll get back to you", the supervisor restarts the dead part, and the turns run
once it is back. Every port listens on 127.0.0.1 only, the engine's tracker lands beside the
app's data, and nothing new appears at the repository root."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from api import engine_model, migrate
from api.config import ROOT
from api.db import make_engine
from api.staff import service as staff
from tests import factories as f
from tests.conftest import _TMP, BACKEND
from tests.e2e.conftest import Stack, _database_url
from tests.e2e.test_sms_end_to_end import expected
from tests.support.servers import Proxy, free_port, wait_for
from tests.test_supervisor_action_server import listening_addresses

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # a whole stack, restarted twice
FIRSTCALL = ROOT / ".venv" / "bin" / "firstcall"


class Run:
    """`firstcall run` in its own session, with what it started found through /proc."""

    def __init__(self, env: dict[str, str], var_dir: Path) -> None:
        self.var_dir = var_dir
        self.out = (var_dir / "firstcall-run.out").open("wb")
        self.proc = subprocess.Popen(
            [str(FIRSTCALL), "run"],
            cwd=ROOT,
            env=env,
            stdout=self.out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def child_pid(self, marker: str) -> int:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid and marker in cmdline:
                return int(entry.name)
        raise LookupError(f"no child of firstcall run matches {marker!r}")

    def supervisor_log(self) -> str:
        path = self.var_dir / "log" / "supervisor.log"
        return path.read_text() if path.exists() else ""

    def output(self) -> str:
        logs = sorted((self.var_dir / "log").glob("*.log"))
        tails = [f"--- {p.name}\n" + "\n".join(p.read_text().splitlines()[-30:]) for p in logs]
        out = (self.var_dir / "firstcall-run.out").read_text(errors="replace")
        return f"--- firstcall run\n{out[-3000:]}\n" + "\n".join(tails)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # what Ctrl-C or a service manager sends
        try:
            return self.proc.wait(timeout=40)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.out.close()


@dataclass
class Running:
    stack: Stack
    run: Run
    database_url: str
    ports: dict[str, int]


@pytest.fixture(scope="module")
def running() -> Iterator[Running]:
    root_before = sorted(os.listdir(ROOT))
    model = engine_model.model_path()
    if not model.exists():
        engine_model.train()
    url = _database_url()
    migrate.upgrade(url)
    engine = make_engine(url)
    from sqlalchemy.orm import Session

    with Session(engine) as session:  # not development: firstcall run loads no demo data
        org = staff.create_org("demo", "Demo", db_session=session)
        key = staff.create_api_key(org, "e2e", db_session=session)
        session.commit()
    engine.dispose()
    ports = {name: free_port() for name in ("app", "actions", "rasa", "simulator")}
    var_dir = _TMP / f"run-{uuid.uuid4().hex[:6]}"
    var_dir.mkdir()
    app_url = f"http://127.0.0.1:{ports['app']}"
    env = {
        **os.environ,
        "FIRSTCALL_ENV": "test",
        "FIRSTCALL_VAR_DIR": str(var_dir),
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": app_url,
        "FIRSTCALL_PORT": str(ports["app"]),
        "ACTION_PORT": str(ports["actions"]),
        "RASA_PORT": str(ports["rasa"]),
        "SIMULATOR_PORT": str(ports["simulator"]),
        "INBOUND_RETRY_AFTER_SECONDS": "1",
        "WORKER_POLL_SECONDS": "0.2",
    }
    run = Run(env, var_dir)
    unused_proxy = Proxy(ports["rasa"])  # Stack's texting helpers want one; none is cut here
    stack = Stack(app_url, f"http://127.0.0.1:{ports['simulator']}", key, unused_proxy, {})
    try:
        try:
            wait_for(lambda: "firstcall is up" in run.output(), 300, "firstcall run to be up")
        except TimeoutError as exc:
            raise RuntimeError(f"{exc}\n{run.output()}") from exc
        yield Running(stack, run, url, ports)
    finally:
        code = run.stop()
        unused_proxy.close()
        assert code == 0, run.output()
        for port in ports.values():  # every child stopped with it
            assert listening_addresses(port) == set()
        assert sorted(os.listdir(ROOT)) == root_before  # nothing new at the repository root


def test_every_port_listens_on_loopback_only(running: Running) -> None:
    for name, port in running.ports.items():
        assert listening_addresses(port) == {"127.0.0.1"}, name


def test_killing_the_engine_stops_nothing_and_the_turn_runs_once_it_is_back(
    running: Running,
) -> None:
    stack, run = running.stack, running.run
    rasa = run.child_pid("rasa run")
    os.kill(rasa, signal.SIGKILL)
    phone = f.phone()
    stack.text(phone, "hi there, good morning")  # the webhook is up: 200, message stored
    [first] = stack.wait_replies(phone, 1, timeout=30)
    assert first == expected("error.trouble", "en")
    wait_for(
        lambda: "rasa exited (killed by SIGKILL); restarting" in run.supervisor_log(),
        10,
        "the supervisor to log the death",
    )
    replies = stack.wait_replies(phone, 2, timeout=240)  # the engine loads its model again
    assert replies[1] == expected("utter_greet", "en")
    assert run.child_pid("rasa run") != rasa
    assert run.proc.poll() is None


def test_killing_the_action_server_stops_nothing_and_it_comes_back(
    running: Running,
) -> None:
    stack, run = running.stack, running.run
    wait_for(lambda: httpx.get(f"{stack.app}/health").status_code == 200, 240, "health")
    actions = run.child_pid("actions.server")
    os.kill(actions, signal.SIGKILL)
    during = f.phone()
    stack.text(during, "hello")  # the webhook is up meanwhile (200), and someone answers
    stack.wait_replies(during, 1, timeout=60)
    wait_for(
        lambda: "actions exited (killed by SIGKILL); restarting" in run.supervisor_log(),
        10,
        "the supervisor to log the death",
    )
    wait_for(lambda: run.child_pid("actions.server") != actions, 30, "a new action server")
    wait_for(lambda: httpx.get(f"{stack.app}/health").status_code == 200, 60, "health again")
    phone = f.phone()
    stack.text(phone, "hi there, good morning")
    [reply] = stack.wait_replies(phone, 1, timeout=60)
    assert reply == expected("utter_greet", "en")
    stack.text(phone, "1")  # yes, let's start: the consent question comes from an action
    replies = stack.wait_replies(phone, 2, timeout=60)
    assert replies[1] == expected("utter_screening_consent", "en")


def test_the_engines_tracker_goes_into_the_apps_data(running: Running) -> None:
    url = running.database_url
    if BACKEND == "postgresql":
        engine = make_engine(url)
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
        engine.dispose()
    else:
        app_db = Path(url.removeprefix("sqlite:///"))
        tracker = app_db.with_name(f"{app_db.stem}-rasa-tracker.db")
        with sqlite3.connect(tracker) as conn:
            count = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert count > 0  # the module's fixture checks the repository root when it stops the run
