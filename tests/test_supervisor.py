"""`firstcall run`: ports checked first, a child that dies restarted with backoff (the others
untouched), and an engine endpoints file with concrete values only."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from pathlib import Path

import pytest
import yaml

from api import rasa_endpoints, supervisor
from api.config import ROOT, Settings, get_settings
from tests.support.servers import wait_for

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_a_port_in_use_gets_a_clear_message() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        spec = [supervisor.Child("app", ["true"], port)]
        with pytest.raises(supervisor.PortInUse, match=rf"app needs port {port}.*FIRSTCALL_PORT"):
            supervisor.check_ports(spec)
    supervisor.check_ports(spec)  # free again


def local_settings(tmp_path: Path, database_url: str | None = None) -> Settings:
    update = {"var_dir": tmp_path / "var"}
    if database_url:
        update["database_url"] = database_url  # type: ignore[assignment]
    return get_settings().model_copy(update=update)


def test_children_cover_every_part_and_the_simulator_only_when_asked(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    spec = supervisor.children(settings, Path("model.tar.gz"), simulator=True)
    assert [c.name for c in spec] == ["rasa", "actions", "app", "worker", "simulator"]
    without = supervisor.children(settings, Path("model.tar.gz"), simulator=False)
    assert "simulator" not in [c.name for c in without]
    rasa = spec[0].command
    assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"
    assert Path(rasa[rasa.index("--endpoints") + 1]).is_relative_to(settings.var_dir)
    env = supervisor.child_env(settings, simulator=True)
    assert env["TWILIO_API_BASE"] == f"http://127.0.0.1:{settings.simulator_port}"
    assert env["DATABASE_URL"] == settings.database_url


def test_rasa_endpoints_hold_concrete_values_and_the_tracker_beside_the_app_data(
    tmp_path: Path,
) -> None:
    settings = local_settings(tmp_path, f"sqlite:///{tmp_path / 'data' / 'app.db'}")
    path = rasa_endpoints.write(settings)
    text = path.read_text()
    assert "${" not in text
    written = yaml.safe_load(text)
    assert written["nlg"]["url"] == f"http://127.0.0.1:{settings.port}/nlg"
    assert written["action_endpoint"]["url"] == f"http://127.0.0.1:{settings.action_port}/webhook"
    assert written["tracker_store"] == {
        "type": "SQL",
        "dialect": "sqlite",
        "db": str(tmp_path / "data" / "app-rasa-tracker.db"),
    }


def test_rasa_tracker_goes_into_the_apps_postgresql_database() -> None:
    url = "postgresql+psycopg://app:pw@db.internal:5433/firstcall?options=-csearch_path%3Ds1"
    assert rasa_endpoints.tracker_store(url) == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "postgresql://app:pw@db.internal:5433/firstcall?options=-csearch_path%3Ds1",
    }
    with pytest.raises(ValueError, match="SQLite file"):
        rasa_endpoints.tracker_store("sqlite://")


def test_no_endpoints_file_in_the_repository_relies_on_environment_substitution() -> None:
    for path in (ROOT / "bot").rglob("*.yml"):
        assert "${" not in path.read_text(), path


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_child_that_dies_is_restarted_with_backoff_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    engine, app = supervisor.Child("rasa", SLEEPER), supervisor.Child("app", SLEEPER)
    tending = supervisor.Supervisor([engine, app], {}, tmp_path, clock=clock)
    tending.start_all()
    assert engine.process and app.process
    app_pid = app.process.pid
    try:
        for expected_backoff in (1, 2, 4):
            first = engine.process
            first.send_signal(signal.SIGKILL)
            first.wait(5)
            with caplog.at_level(logging.ERROR, logger="firstcall.supervisor"):
                tending.tend()
            assert f"rasa exited (killed by SIGKILL); restarting in {expected_backoff}s" in (
                caplog.text
            )
            assert engine.process is first  # not before its backoff
            clock.now += expected_backoff - 0.1
            tending.tend()
            assert engine.process is first
            clock.now += 0.1
            tending.tend()
            assert engine.process is not first and engine.process.poll() is None
            caplog.clear()
        assert app.process.pid == app_pid and app.process.poll() is None  # others untouched
        clock.now += supervisor.STABLE_AFTER  # up for a minute: healthy again
        tending.tend()
        assert engine.failures == 0
        engine.process.send_signal(signal.SIGKILL)
        engine.process.wait(5)
        tending.tend()
        assert engine.restart_at == clock.now + supervisor.FIRST_BACKOFF
    finally:
        tending.stop()
    assert engine.process.poll() is not None and app.process.poll() is not None


def test_backoff_is_capped() -> None:
    child = supervisor.Child("rasa", SLEEPER, failures=20)
    assert child.backoff() == supervisor.MAX_BACKOFF


def test_a_child_that_exits_on_its_own_is_restarted_too(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    quitter = supervisor.Child("worker", [sys.executable, "-c", "raise SystemExit(3)"])
    tending = supervisor.Supervisor([quitter], {}, tmp_path, clock=clock)
    tending.start_all()
    assert quitter.process
    first = quitter.process
    wait_for(lambda: first.poll() is not None, 10, "the child to exit")
    with caplog.at_level(logging.ERROR, logger="firstcall.supervisor"):
        tending.tend()
    assert "worker exited (code 3); restarting in 1s" in caplog.text
    clock.now += supervisor.FIRST_BACKOFF
    tending.tend()
    assert quitter.process is not first
    tending.stop()


SUPERVISE_ONE = """
import sys, time
from pathlib import Path
from api import supervisor
child = supervisor.Child("rasa", [sys.executable, "-c", "import time; time.sleep(120)"])
tending = supervisor.Supervisor([child], {}, Path(sys.argv[1]))
tending.start_all()
print(child.process.pid, flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # exited, waiting for whoever adopted it to reap it


def test_children_do_not_outlive_a_killed_supervisor(tmp_path: Path) -> None:
    """The OOM killer may pick the supervisor itself: its children must not live on as
    orphans holding the ports, so that the next `firstcall run` can start."""
    import subprocess

    parent = subprocess.Popen(
        [sys.executable, "-c", SUPERVISE_ONE, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout
    child_pid = int(parent.stdout.readline())
    assert not _gone(child_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait(5)
    try:
        wait_for(lambda: _gone(child_pid), 10, "the orphaned child to stop")
    finally:
        if not _gone(child_pid):
            os.kill(child_pid, signal.SIGKILL)


def test_waiting_for_health_ends_when_asked_to_stop(tmp_path: Path) -> None:
    import time

    settings = local_settings(tmp_path).model_copy(update={"port": 9})  # nothing listens
    started = time.monotonic()
    healthy = supervisor.wait_healthy(
        settings, supervisor.Supervisor([], {}, tmp_path), timeout=60, stopping=lambda: True
    )
    assert not healthy and time.monotonic() - started < 1
