"""The same 10,000 due reminders, sent as procrastinate jobs instead of our outbox worker.

procrastinate (a PostgreSQL job queue: SKIP LOCKED, retries, periodic jobs, LISTEN/NOTIFY)
is installed into .venv for this comparison only; it is not a dependency of the app.
Everything else is as in bench/reminders.py: a fresh PostgreSQL schema, the same seeded
outbox rows (one participant each), the simulator in its own process with no status
callbacks, 2 worker processes (each `app.run_worker(concurrency=16)`, its own From number),
throttle off. One job per row, written the way the library invites: read the row and the
phone, skip it when it is already sent, call Twilio (the real `twilio` client), record the
SID.

The kill run SIGKILLs one worker at 1/3 and starts another. procrastinate leaves the dead
worker's jobs `doing`; its documented remedy is to retry stalled jobs (workers that stopped
beating their heart) from a periodic task: this bench does that every second, with the
stall threshold equal to our lease (15 s).

    python -m bench.reminders_procrastinate [ROWS]
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import reminders as bench

CONCURRENCY = 16  # jobs at once per worker (our sender's OUTBOX_SEND_THREADS)
STALLED_SECONDS = bench.KILL_LEASE_SECONDS
HEARTBEAT_SECONDS = 2.0


def make_app() -> Any:
    import procrastinate

    url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    # retried like our sender retries (a reset connection, a 5xx): up to 8 tries, 1 s apart
    @app.task(name="send_reminder", retry=procrastinate.RetryStrategy(max_attempts=8, wait=1))
    def send_reminder(row_id: int) -> None:
        from sqlalchemy import update

        from api.channels import twilio_sms
        from api.conversations import service as conversations
        from api.conversations.models import Participant
        from api.db import session_scope, utcnow
        from api.outbox.models import SENT, OutboundMessage

        with session_scope(read_only=True) as db:
            row = db.get(OutboundMessage, row_id)
            if row is None or row.status == SENT:
                return  # already done: a retried job does nothing
            person = db.get(Participant, row.participant_id)
            phone = conversations.phone_of(person) if person else None
            body = row.body
        if phone is None:
            return
        sid = twilio_sms.send(phone, body, reference=row_id)
        with session_scope() as db:
            db.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id == row_id)
                .values(status=SENT, provider_id=sid, sent_at=utcnow())
            )

    return app


def run_worker() -> None:
    """One worker process: `python -m bench.reminders_procrastinate worker`."""
    make_app().run_worker(
        concurrency=CONCURRENCY,
        update_heartbeat_interval=HEARTBEAT_SECONDS,
        stalled_worker_timeout=STALLED_SECONDS,
    )


async def _defer(app: Any, ids: list[int], *, schema: bool) -> None:
    async with app.open_async():
        if schema:  # procrastinate's tables and functions, once per database
            await app.schema_manager.apply_schema_async()
        task = app.tasks["send_reminder"]
        for start in range(0, len(ids), 1000):
            await task.batch_defer_async(*({"row_id": i} for i in ids[start : start + 1000]))


async def _retry_stalled(app: Any) -> int:
    """procrastinate's recipe: retry the jobs of workers that stopped beating their heart."""
    async with app.open_async():
        manager = app.job_manager
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS))
        for job in stalled:
            await manager.retry_job(job)
        return len(stalled)


def one_run(label: str, rows: int, env: dict[str, str], sim: str, logs: Path, *, kill: bool) -> Any:
    tag = f"{int(time.time()) % 1000:03d}"[-2:] + ("8" if kill else "2")
    ids = bench.seed(rows, tag)
    app = make_app()
    asyncio.run(_defer(app, ids, schema=not kill))
    before = bench.sim_count(sim)
    command = [sys.executable, "-m", "bench.reminders_procrastinate", "worker"]
    workers = [
        bench.Proc(f"pq-{label}-{n}", command, {**env, "TWILIO_FROM_NUMBER": number}, logs)
        for n, number in ((n, bench.sender_number(n)) for n in range(1, bench.WORKERS + 1))
    ]
    cpu: dict[str, float] = {}
    retried = 0
    try:
        t_first = bench.wait_until(lambda: bench.sim_count(sim) > before, 120)
        if t_first is None:
            raise SystemExit(f"{label}: nothing sent in 120 s; see {logs}")
        if kill:
            bench.wait_until(lambda: bench.sim_count(sim) - before >= rows // 3, 300)
            cpu[workers[0].name] = workers[0].cpu_seconds()
            workers[0].stop(signal.SIGKILL)
            t_kill = time.monotonic()
            restart_env = {**env, "TWILIO_FROM_NUMBER": bench.sender_number(bench.WORKERS + 1)}
            workers.append(bench.Proc(f"pq-{label}-restarted", command, restart_env, logs))
        deadline = time.monotonic() + 300
        while bench.unsent(ids) and time.monotonic() < deadline:
            time.sleep(1.0)
            if kill:
                retried += asyncio.run(_retry_stalled(app))
        t_last = time.monotonic()  # past the deadline: what is unsent counts as lost
    finally:
        for proc in workers:
            cpu[proc.name] = cpu.get(proc.name) or proc.cpu_seconds()
            proc.stop()
    time.sleep(0.5)
    counts = bench.received_refs(sim, set(ids))
    result = {
        "label": label,
        "rows": rows,
        "seconds": t_last - t_first,
        "per_second": rows / (t_last - t_first),
        "received": sum(counts.values()),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "losses": len(set(ids) - set(counts)),
        "worker_cpu_ms": 1000 * sum(cpu.values()) / rows,
    }
    if kill:
        result["after_kill_seconds"] = t_last - t_kill
        result["retried"] = retried
    return result


def main(rows: int = bench.ROWS) -> None:
    load_before = os.getloadavg()
    prefix = "firstcall-bench-procrastinate-"
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp, bench.postgres_schema() as url:
        logs = Path(tmp)
        sim_port = bench.free_port()
        env = bench.environment(url, sim_port, logs)
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
        simulator = bench.Proc("simulator", sim_cmd, env, logs)
        sim = f"http://127.0.0.1:{sim_port}"
        try:
            import httpx

            if not bench.wait_until(lambda: bench._ok(httpx, f"{sim}/health"), 30, 0.2):
                raise SystemExit(f"simulator did not start; see {logs}")
            sim_cpu = simulator.cpu_seconds()
            clean = one_run("clean", rows, env, sim, logs, kill=False)
            clean["sim_cpu_ms"] = 1000 * (simulator.cpu_seconds() - sim_cpu) / rows
            sim_cpu = simulator.cpu_seconds()
            killed = one_run("kill", rows, env, sim, logs, kill=True)
            killed["sim_cpu_ms"] = 1000 * (simulator.cpu_seconds() - sim_cpu) / rows
        finally:
            simulator.stop()
    load = os.getloadavg()
    print(f"Reminders as procrastinate jobs: {rows} rows, {bench.WORKERS} workers x {CONCURRENCY},")
    print("  PostgreSQL, simulator, no status callbacks, no throttle")
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
        if "retried" in r:
            line += (
                f"\n         one worker SIGKILLed at 1/3 and restarted; {r['retried']} stalled"
                f" jobs retried; done {r['after_kill_seconds']:.1f} s after the kill"
            )
        print(line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        run_worker()
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else bench.ROWS)
