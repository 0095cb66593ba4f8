"""The action server: loopback only, and its event loop never waits on a database lock."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from api import supervisor
from api.config import get_settings
from tests.conftest import _TMP
from tests.support.servers import Process, free_port, wait_for


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a LISTEN socket on `port`, read from the kernel's tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(_address(address))
    return found


def _address(hex_address: str) -> str:
    if len(hex_address) == 8:  # IPv4, little-endian
        return ".".join(str(int(hex_address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    words = [hex_address[i : i + 8] for i in range(0, 32, 8)]
    raw = b"".join(bytes.fromhex(w)[::-1] for w in words)
    import ipaddress

    return str(ipaddress.IPv6Address(raw))


def test_listening_addresses_reads_the_kernel_table() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        assert listening_addresses(port) == {"127.0.0.1"}
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))  # noqa: S104 - the case we refuse, to see it detected
        sock.listen(1)
        assert listening_addresses(sock.getsockname()[1]) == {"0.0.0.0"}  # noqa: S104


def test_action_server_listens_on_loopback_only() -> None:
    port = free_port()
    settings = get_settings().model_copy(update={"action_port": port})
    [command] = [
        c.command
        for c in supervisor.children(settings, Path("m.tar.gz"), simulator=False)
        if c.name == "actions"
    ]
    import os

    process = Process("actions", command, dict(os.environ), _TMP)
    try:
        wait_for(
            lambda: httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200,
            60,
            f"the action server on {port}\n{process.tail() if not process.alive() else ''}",
        )
        assert listening_addresses(port) == {"127.0.0.1"}
        names = {a["name"] for a in httpx.get(f"http://127.0.0.1:{port}/actions").json()}
        assert {"action_sync_language", "validate_screening_form"} <= names
        # A failing action: rasa-sdk's handler echoed the whole request (the participant's
        # words) back to Rasa, which logs it. Ours answers without it.
        call = {"next_action": "action_sync_language", "note": "my number is 555-0199"}
        failed = httpx.post(f"http://127.0.0.1:{port}/webhook", json=call, timeout=10)
        assert failed.status_code == 500
        assert "555-0199" not in failed.text
    finally:
        process.stop()
    log = process.log_path.read_text()
    assert "action action_sync_language failed: KeyError" in log
    assert "555-0199" not in log


class WriteRow(Action):
    """A sync action writing to a SQLite file, as ours do through the app's services."""

    path: Path

    def name(self) -> str:
        return "action_write_row"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        with sqlite3.connect(self.path, timeout=3) as conn:  # waits for the lock like ours
            conn.execute("INSERT INTO t VALUES (1)")
        dispatcher.utter_message(text="written")
        return []


def test_action_server_does_not_block_its_event_loop_on_a_database_lock(tmp_path: Path) -> None:
    from actions.server import executor

    WriteRow.path = tmp_path / "locked.db"
    holder = sqlite3.connect(WriteRow.path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    actions = executor()
    actions.register_action(WriteRow)
    call = {
        "next_action": "action_write_row",
        "tracker": {"sender_id": "c1", "slots": {}, "events": [], "latest_message": {}},
        "domain": {},
    }

    async def scenario() -> tuple[Any, float]:
        run = asyncio.create_task(actions.run(call))
        started, gaps, last = time.monotonic(), [], time.monotonic()
        while time.monotonic() - started < 0.6:  # the loop must keep ticking meanwhile
            await asyncio.sleep(0.02)
            gaps.append(time.monotonic() - last)
            last = time.monotonic()
        holder.execute("COMMIT")  # the other writer finishes: only possible if we got here
        return await asyncio.wait_for(run, 5), max(gaps)

    try:
        result, worst_gap = asyncio.run(scenario())
    finally:
        holder.close()
    assert worst_gap < 0.3
    assert [m["text"] for m in result.model_dump()["responses"]] == ["written"]
