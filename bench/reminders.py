"""10,000 due reminders, 2 worker processes, PostgreSQL, the Twilio-compatible simulator.

Processes: the simulator (uvicorn, its own process, status callbacks off so the sender is
measured alone), and two `python -m api.worker` processes (every job of the worker runs, as
in production) on a fresh PostgreSQL schema (`BENCH_DATABASE_URL` or `TEST_DATABASE_URL`).
Throttling is off (SMS_RATE=0). Each of the N reminder rows is a participant's own (N
participants); each row's id comes back in the StatusCallback URL (`?m=<row>`), so the
simulator's received list proves, row by row, zero duplicates and zero losses.

Printed, for a clean run and for a run where one worker is SIGKILLed mid-batch and started
again: messages/s (first to last message received by the simulator), duplicates, losses,
CPU per message (the workers, the simulator), and, for the kill, how many rows Twilio had
accepted from the killed worker that it never recorded (the one duplicate risk: each
worker sends from its own number, so the received list shows whose a message was). Those
rows are claimed again when their lease runs out, and the sender asks Twilio's Messages
list before sending again (api/outbox/reconcile.py): with no status callback at all, they
must still not be sent twice.

    python -m bench.reminders [ROWS]     (make bench runs it with 10,000)
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROWS = 10_000
WORKERS = 2
KILL_LEASE_SECONDS = 15  # the bench's lease for the kill run (production: 120 s)
BODY = (
    "Reminder: your appointment with Eastside Food Bank is tomorrow, Thu Dec 3 at 10:30 AM. "
    "Reply 1 to confirm, 2 to change, 3 to cancel the visit."
)
ROOT = Path(__file__).resolve().parent.parent
_REF = re.compile(r"[?&]m=(\d+)")


def simulator_app() -> Any:
    """The simulator without status callbacks (uvicorn --factory bench.reminders:simulator_app)."""
    from api.channels.simulator.server import create_simulator_app

    return create_simulator_app(status_callbacks=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_schema() -> Iterator[str]:
    import psycopg

    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        raise SystemExit("set BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL)")
    admin = base.replace("postgresql+psycopg://", "postgresql://")
    schema = f"bench_rem_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in admin else "?"
    try:
        yield f"{admin}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def environment(url: str, sim_port: int, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "FIRSTCALL_ENV": "development",
        "FIRSTCALL_HOST": "127.0.0.1",
        "FIRSTCALL_VAR_DIR": str(var_dir),
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{free_port()}",  # nobody: no callbacks anyway
        "TWILIO_API_BASE": f"http://127.0.0.1:{sim_port}",
        "SMS_RATE": "0",
        "WORKER_POLL_SECONDS": "0.2",
        "PROGRAM_ORG_SLUG": "demo",
        **extra,
    }
    for name in ("TWILIO_MESSAGING_SERVICE_SID", "REDIS_URL"):
        env.pop(name, None)
    return env


def allowed_zone(now: datetime) -> str:
    """A zone outside quiet hours now, so the gates run but let the batch through."""
    from api.reminders import program
    from api.reminders.quiet import is_quiet

    zones = ("America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Tokyo", "UTC")
    quiet = program.quiet_hours()
    return next((z for z in zones if not is_quiet(now, z, quiet)), "UTC")


def seed(rows: int, tag: str) -> list[int]:
    """`rows` participants with one due reminder each; returns the outbox ids."""
    from sqlalchemy import insert, select

    from api import crypto
    from api.conversations.models import Participant, new_id
    from api.db import session_scope, utcnow
    from api.outbox.models import PENDING, OutboundMessage
    from api.staff import service as staff

    now = utcnow()
    zone = allowed_zone(now)
    with session_scope() as db:
        org = staff.org_by_slug("demo", db_session=db) or staff.create_org(
            "demo", "Bench program", db_session=db
        )
        people = []
        for n in range(rows):
            phone = f"+1555{tag}{n:06d}"
            people.append(
                {
                    "id": new_id(),
                    "org_id": org.id,
                    "language": "en",
                    "phone_hash": crypto.lookup_hash(phone),
                    "phone_encrypted": crypto.encrypt(phone),
                }
            )
        db.execute(insert(Participant), people)
        db.execute(
            insert(OutboundMessage),
            [
                {
                    "participant_id": person["id"],
                    "channel": "sms",
                    "kind": "reminder",
                    "body": BODY,
                    "segments": 1,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now - timedelta(seconds=1),
                    "idempotency_key": f"bench:{tag}:{n}",
                    "not_after": now + timedelta(hours=6),
                    "quiet_zone": zone,
                }
                for n, person in enumerate(people)
            ],
        )
    with session_scope(read_only=True) as db:
        key = OutboundMessage.idempotency_key.like(f"bench:{tag}:%")
        return list(db.scalars(select(OutboundMessage.id).where(key)))


class Proc:
    def __init__(self, name: str, command: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.log_path = name, logs / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (Linux /proc; 0 elsewhere or once gone)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def sim_count(sim: str) -> int:
    import httpx

    return int(httpx.get(f"{sim}/sim/count", timeout=10).json()["outbound"])


def received_refs(sim: str, ids: set[int], sender: str | None = None) -> Counter[int]:
    """Per outbox row (of `ids`): how many messages the simulator got for it (from `sender`)."""
    import httpx

    counts: Counter[int] = Counter()
    for message in httpx.get(f"{sim}/sim/messages", timeout=60).json():
        found = _REF.search(message.get("status_callback") or "")
        if sender is not None and message["from_"] != sender:
            continue
        if message["direction"] == "outbound-api" and found and int(found.group(1)) in ids:
            counts[int(found.group(1))] += 1
    return counts


def recorded_by_a_sender(ids: list[int]) -> set[int]:
    """Rows a sender recorded on its first claim (no second claim was needed)."""
    from sqlalchemy import select

    from api.db import session_scope
    from api.outbox.models import OutboundMessage

    query = select(OutboundMessage.id).where(
        OutboundMessage.id.in_(ids),
        OutboundMessage.attempts == 1,
        OutboundMessage.sent_at.is_not(None),
    )
    with session_scope(read_only=True) as db:
        return set(db.scalars(query))


def wait_until(check: Any, timeout: float, interval: float = 0.02) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(interval)
    return None


def unsent(ids: list[int]) -> int:
    from sqlalchemy import func, select

    from api.db import session_scope
    from api.outbox.models import SENT, OutboundMessage

    with session_scope(read_only=True) as db:
        query = select(func.count()).where(
            OutboundMessage.id.in_(ids), OutboundMessage.status != SENT
        )
        return int(db.scalar(query) or 0)


def sender_number(n: int) -> str:
    return f"+1500555{n:04d}"  # each worker its own From: the received list shows whose


def one_run(
    label: str, rows: int, env: dict[str, str], sim: str, logs: Path, *, kill: bool
) -> dict[str, Any]:
    tag = f"{int(time.time()) % 1000:03d}"[-2:] + ("9" if kill else "1")
    ids = seed(rows, tag)
    before = sim_count(sim)
    command = [sys.executable, "-m", "api.worker"]
    workers = [
        Proc(f"{label}-worker-{n}", command, {**env, "TWILIO_FROM_NUMBER": sender_number(n)}, logs)
        for n in range(1, WORKERS + 1)
    ]
    restarted: Proc | None = None
    cpu: dict[str, float] = {}
    try:
        t_first = wait_until(lambda: sim_count(sim) > before, 120)
        if t_first is None:
            raise SystemExit(f"{label}: nothing sent in 120 s; see {logs}")
        if kill:
            wait_until(lambda: sim_count(sim) - before >= rows // 3, 300)
            cpu[workers[0].name] = workers[0].cpu_seconds()
            workers[0].stop(signal.SIGKILL)
            t_kill = time.monotonic()
            restart_env = {**env, "TWILIO_FROM_NUMBER": sender_number(WORKERS + 1)}
            restarted = Proc(f"{label}-worker-1-restarted", command, restart_env, logs)
        t_last = wait_until(lambda: unsent(ids) == 0, 600, interval=0.1)
        if t_last is None:
            raise SystemExit(f"{label}: {unsent(ids)} rows not sent after 600 s; see {logs}")
    finally:
        for proc in [*workers, *([restarted] if restarted else [])]:
            cpu[proc.name] = cpu.get(proc.name) or proc.cpu_seconds()
            proc.stop()
    time.sleep(0.5)
    counts = received_refs(sim, set(ids))
    result = {
        "label": label,
        "rows": rows,
        "seconds": t_last - t_first,
        "per_second": rows / (t_last - t_first),
        "received": sum(counts.values()),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "losses": len(set(ids) - set(counts)),
    }
    result["worker_cpu_ms"] = 1000 * sum(cpu.values()) / rows
    if kill:
        result["after_kill_seconds"] = t_last - t_kill
        by_the_dead = set(received_refs(sim, set(ids), sender_number(1)))
        result["in_flight_at_kill"] = len(by_the_dead - recorded_by_a_sender(ids))
    return result


def main(rows: int = ROWS) -> None:
    load_before = os.getloadavg()
    prefix = "firstcall-bench-reminders-"
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp, postgres_schema() as url:
        logs = Path(tmp)
        sim_port = free_port()
        env = environment(url, sim_port, logs)
        for name in ("FIRSTCALL_ENV", "DATABASE_URL", "FIRSTCALL_VAR_DIR"):
            os.environ[name] = env[name]
        os.environ.update({"PROGRAM_ORG_SLUG": "demo", "FIRSTCALL_HOST": "127.0.0.1"})
        from api import migrate
        from api.config import get_settings

        get_settings.cache_clear()
        migrate.upgrade(url)
        sim_cmd = [
            sys.executable, "-m", "uvicorn", "--factory", "bench.reminders:simulator_app",
            "--host", "127.0.0.1", "--port", str(sim_port), "--log-level", "warning",
        ]  # fmt: skip
        simulator = Proc("simulator", sim_cmd, env, logs)
        sim = f"http://127.0.0.1:{sim_port}"
        try:
            import httpx

            if not wait_until(lambda: _ok(httpx, f"{sim}/health"), 30, 0.2):
                raise SystemExit(f"simulator did not start; see {logs}")
            sim_cpu = simulator.cpu_seconds()
            clean = one_run("clean", rows, env, sim, logs, kill=False)
            clean["sim_cpu_ms"] = 1000 * (simulator.cpu_seconds() - sim_cpu) / rows
            kill_env = {**env, "OUTBOX_SEND_LEASE_SECONDS": str(KILL_LEASE_SECONDS)}
            sim_cpu = simulator.cpu_seconds()
            killed = one_run("kill", rows, kill_env, sim, logs, kill=True)
            killed["sim_cpu_ms"] = 1000 * (simulator.cpu_seconds() - sim_cpu) / rows
        finally:
            simulator.stop()
    load = os.getloadavg()
    print(f"Reminders: {rows} due rows, {WORKERS} workers, PostgreSQL, simulator, no throttle,")
    print("  no status callbacks (the sender alone)")
    print(
        f"  (host: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} at the end; before: {load_before[0]:.1f})"
    )
    for r in (clean, killed):
        line = (
            f"  {r['label']:5}: {r['per_second']:.0f} messages/s"
            f" ({r['rows']} in {r['seconds']:.1f} s);"
            f" received {r['received']}, duplicates {r['duplicates']}, losses {r['losses']};"
            f" CPU per message: workers {r['worker_cpu_ms']:.2f} ms,"
            f" simulator {r['sim_cpu_ms']:.2f} ms"
        )
        if "after_kill_seconds" in r:
            line += (
                f"\n         one worker SIGKILLed at 1/3 and restarted; {r['in_flight_at_kill']}"
                " rows Twilio had accepted from it that it never recorded;"
                f" done {r['after_kill_seconds']:.1f} s after the kill"
                f" (lease {KILL_LEASE_SECONDS} s)"
            )
        print(line)


def _ok(httpx: Any, url: str) -> bool:
    try:
        return bool(httpx.get(url, timeout=2).status_code == 200)
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS)
