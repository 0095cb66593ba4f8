"""`firstcall run`: start the Rasa engine, the action server, the app, the worker and the
SMS simulator; wait until /health says all is up; print the URLs; keep them running
(a child that dies is restarted, with backoff, and logged); stop them all on Ctrl-C.

One part dying stops nothing else: while the engine is gone the app still stores every
message and answers "we'll get back to you", and the worker runs the turns once it is back.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api import rasa_endpoints
from api.config import ROOT, Settings
from api.engine_model import rasa_bin
from api.mail import dev as mail_dev

PYTHON = sys.executable
log = logging.getLogger("firstcall.supervisor")

FIRST_BACKOFF = 1.0  # seconds before the first restart; doubled each time it dies again
MAX_BACKOFF = 30.0
STABLE_AFTER = 60.0  # a child up this long is healthy again: its backoff starts over
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class Child:
    name: str
    command: list[str]
    port: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    started_at: float = 0.0
    failures: int = 0  # deaths in a row, each without STABLE_AFTER seconds of uptime
    restart_at: float | None = None  # set while it waits for its restart

    def backoff(self) -> float:
        return min(FIRST_BACKOFF * 2 ** max(self.failures - 1, 0), MAX_BACKOFF)


class PortInUse(RuntimeError):
    pass


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def child_env(settings: Settings, *, simulator: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "RASA_URL": f"http://127.0.0.1:{settings.rasa_port}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{settings.action_port}",
            "DATABASE_URL": settings.database_url,
            "PYTHONUNBUFFERED": "1",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
    )
    if simulator:
        env["TWILIO_API_BASE"] = f"http://127.0.0.1:{settings.simulator_port}"
    env.update(mail_dev.env(settings))  # the local SMTP sink when SMTP_HOST is unset
    return env


def children(settings: Settings, model: Path, *, simulator: bool) -> list[Child]:
    """The processes, in start order. Writes the engine's endpoints file (concrete values)."""
    uvicorn = [
        PYTHON,
        "-m",
        "uvicorn",
        "--factory",
        "--host",
        settings.host,
        "--log-level",
        "warning",
    ]
    spec = [
        Child(
            "rasa",
            [
                str(rasa_bin()),
                "run",
                "--model",
                str(model),
                "--port",
                str(settings.rasa_port),
                "--interface",
                "127.0.0.1",
                "--endpoints",
                str(rasa_endpoints.write(settings)),
                "--credentials",
                str(ROOT / "bot" / "credentials.yml"),
            ],
            settings.rasa_port,
        ),
        Child(
            "actions",
            [PYTHON, "-m", "actions.server", "--port", str(settings.action_port)],
            settings.action_port,
        ),
        Child(
            "app", [*uvicorn, "--port", str(settings.port), "api.main:create_app"], settings.port
        ),
        Child("worker", [PYTHON, "-m", "api.worker"]),
    ]
    if sink := mail_dev.child(settings):  # before the app and the worker send to it
        spec.insert(2, Child(*sink))
    if simulator:
        spec.append(
            Child(
                "simulator",
                [
                    *uvicorn,
                    "--port",
                    str(settings.simulator_port),
                    "api.channels.simulator.server:create_simulator_app",
                ],
                settings.simulator_port,
            )
        )
    return spec


def check_ports(spec: list[Child]) -> None:
    busy = [f"{c.name} needs port {c.port}" for c in spec if c.port and not port_free(c.port)]
    if busy:
        raise PortInUse(
            "port already in use: "
            + "; ".join(busy)
            + ". Stop the other program, or choose ports with FIRSTCALL_PORT, RASA_PORT, "
            "ACTION_PORT, SIMULATOR_PORT."
        )


class Supervisor:
    """Starts the children and keeps them running: `tend()` restarts the dead, with backoff."""

    def __init__(
        self,
        spec: list[Child],
        env: dict[str, str],
        log_dir: Path,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec, self.env, self.log_dir, self.clock = spec, env, log_dir, clock

    def start(self, child: Child) -> None:
        with (self.log_dir / f"{child.name}.log").open("ab") as out:
            child.process = subprocess.Popen(
                child.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        child.started_at = self.clock()
        child.restart_at = None

    def start_all(self) -> None:
        for child in self.spec:
            self.start(child)

    def tend(self) -> None:
        now = self.clock()
        for child in self.spec:
            if child.process is None:
                continue
            if child.restart_at is not None:
                if now >= child.restart_at:
                    log.warning("restarting %s (restart %d in a row)", child.name, child.failures)
                    self.start(child)
                continue
            code = child.process.poll()
            if code is None:
                if child.failures and now - child.started_at >= STABLE_AFTER:
                    child.failures = 0
                continue
            _kill_group(child.process.pid)  # whatever it left behind, before a new one binds
            if now - child.started_at >= STABLE_AFTER:
                child.failures = 0
            child.failures += 1
            child.restart_at = now + child.backoff()
            log.error(
                "%s exited (%s); restarting in %.0fs; see %s",
                child.name,
                _describe(code),
                child.backoff(),
                self.log_dir / f"{child.name}.log",
            )

    def stop(self) -> None:
        for child in self.spec:
            if child.process and child.process.poll() is None:
                _signal_group(child.process.pid, signal.SIGTERM)
        deadline = self.clock() + 15
        for child in self.spec:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(deadline - self.clock(), 0.1))
            except subprocess.TimeoutExpired:
                _kill_group(child.process.pid)


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the supervisor itself dies (Linux), rather
    than live on as an orphan holding its port so that the next `firstcall run` can't start."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _describe(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"code {code}"


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _kill_group(pid: int) -> None:
    _signal_group(pid, signal.SIGKILL)


def wait_healthy(
    settings: Settings, supervisor: Supervisor, timeout: float, stopping: Callable[[], bool]
) -> bool:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{settings.port}/health"
    while time.monotonic() < deadline and not stopping():
        supervisor.tend()
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(1)
    return False


def _log_to(log_dir: Path) -> None:
    log.setLevel(logging.INFO)
    if not log.handlers:
        form = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        for handler in (
            logging.StreamHandler(sys.stderr),
            logging.FileHandler(log_dir / "supervisor.log"),
        ):
            handler.setFormatter(form)
            log.addHandler(handler)


def run(settings: Settings, model: Path, *, simulator: bool) -> int:
    spec = children(settings, model, simulator=simulator)
    check_ports(spec)
    log_dir = settings.var_dir / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    _log_to(log_dir)
    supervisor = Supervisor(spec, child_env(settings, simulator=simulator), log_dir)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    # Our own handlers: a parent may have left SIGINT ignored (background jobs do).
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        supervisor.start_all()
        if not wait_healthy(settings, supervisor, timeout=240, stopping=lambda: stopping):
            if stopping:
                return 0
            print(f"firstcall did not become healthy in time; see {log_dir}/*.log", file=sys.stderr)
            return 1
        base = f"http://127.0.0.1:{settings.port}"
        print("\nfirstcall is up:")
        print(f"  web chat        {base}/chat")
        if simulator:
            print(f"  SMS simulator   http://127.0.0.1:{settings.simulator_port}/")
            if mail_dev.wanted(settings):
                print(f"  partner mail    http://127.0.0.1:{settings.simulator_port}/mail")
        print(f"  health          {base}/health")
        print(f"  API docs        {base}/docs")
        print(f"  logs            {log_dir}/")
        print("Press Ctrl-C to stop everything.\n", flush=True)
        while not stopping:
            supervisor.tend()
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        print("stopping firstcall...", file=sys.stderr)
        supervisor.stop()
