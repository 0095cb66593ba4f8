"""`firstcall run`: start the Rasa engine, the action server, the app, the worker and the
SMS simulator; wait until /health says all is up; print the URLs; stop them all on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.config import ROOT, Settings
from api.engine_model import rasa_bin

PYTHON = sys.executable


@dataclass
class Child:
    name: str
    command: list[str]
    port: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


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


def child_env(settings: Settings, *, simulator: bool, tracker_db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "FIRSTCALL_NLG_URL": f"http://127.0.0.1:{settings.port}/nlg",
            "FIRSTCALL_ACTION_URL": f"http://127.0.0.1:{settings.action_port}/webhook",
            "RASA_URL": f"http://127.0.0.1:{settings.rasa_port}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{settings.action_port}",
            "RASA_TRACKER_DB": str(tracker_db),
            "DATABASE_URL": settings.database_url,
            "PYTHONUNBUFFERED": "1",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
    )
    if simulator:
        env["TWILIO_API_BASE"] = f"http://127.0.0.1:{settings.simulator_port}"
    return env


def children(settings: Settings, model: Path, *, simulator: bool) -> list[Child]:
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
                str(ROOT / "bot" / "endpoints.yml"),
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


def wait_healthy(settings: Settings, spec: list[Child], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{settings.port}/health"
    while time.monotonic() < deadline:
        for child in spec:
            if child.process and child.process.poll() is not None:
                raise RuntimeError(f"{child.name} exited with code {child.process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(1)
    return False


def stop(spec: list[Child]) -> None:
    for child in spec:
        if child.process and child.process.poll() is None:
            os.killpg(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in spec:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(child.process.pid, signal.SIGKILL)


def run(settings: Settings, model: Path, *, simulator: bool, echo: bool = True) -> int:
    spec = children(settings, model, simulator=simulator)
    check_ports(spec)
    log_dir = ROOT / "var" / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = child_env(settings, simulator=simulator, tracker_db=ROOT / "var" / "rasa-tracker.db")
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    # Our own handlers: a parent may have left SIGINT ignored (background jobs do).
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        for child in spec:
            log = (log_dir / f"{child.name}.log").open("ab")
            child.process = subprocess.Popen(
                child.command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_healthy(settings, spec, timeout=240):
            print(f"firstcall did not become healthy in time; see {log_dir}/*.log", file=sys.stderr)
            return 1
        if echo:
            base = f"http://127.0.0.1:{settings.port}"
            print("\nfirstcall is up:")
            print(f"  web chat        {base}/chat")
            if simulator:
                print(f"  SMS simulator   http://127.0.0.1:{settings.simulator_port}/")
            print(f"  health          {base}/health")
            print(f"  API docs        {base}/docs")
            print(f"  logs            {log_dir}/")
            print("Press Ctrl-C to stop everything.\n", flush=True)
        while not stopping:
            for child in spec:
                if child.process and child.process.poll() is not None:
                    print(
                        f"{child.name} stopped (code {child.process.returncode}); "
                        f"see {log_dir}/{child.name}.log",
                        file=sys.stderr,
                    )
                    return 1
            time.sleep(1)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        print("stopping firstcall...", file=sys.stderr)
        stop(spec)
