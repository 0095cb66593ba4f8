"""`firstcall run` checks ports first and says clearly which one is taken."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from api import supervisor
from api.config import get_settings


def test_a_port_in_use_gets_a_clear_message() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        spec = [supervisor.Child("app", ["true"], port)]
        with pytest.raises(supervisor.PortInUse, match=rf"app needs port {port}.*FIRSTCALL_PORT"):
            supervisor.check_ports(spec)
    supervisor.check_ports(spec)  # free again


def test_children_cover_every_part_and_the_simulator_only_when_asked() -> None:
    settings = get_settings()
    names = [c.name for c in supervisor.children(settings, Path("model.tar.gz"), simulator=True)]
    assert names == ["rasa", "actions", "app", "worker", "simulator"]
    without = supervisor.children(settings, Path("model.tar.gz"), simulator=False)
    assert "simulator" not in [c.name for c in without]
    env = supervisor.child_env(settings, simulator=True, tracker_db=Path("t.db"))
    assert env["FIRSTCALL_NLG_URL"].endswith("/nlg")
    assert env["TWILIO_API_BASE"] == f"http://127.0.0.1:{settings.simulator_port}"
