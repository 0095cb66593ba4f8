"""Turns run in a bounded executor of their own, never in the request thread pool.

The webhook stores the message, commits and answers; then it hands the conversation to
this executor. A few threads (the engine is the bottleneck, not us) and a bounded queue:
when the queue is full the turn is left to the worker's retry sweep, which picks up every
stored message once its grace period is over. Nothing is lost, nothing waits on Twilio.
A conversation already waiting in the queue is not queued twice: the job that runs takes
every message of the conversation in order.

The threads are daemons: stopping the app never waits for queued turns (with the engine
down each could take its full timeout). A turn cut short is safe: its claim has a lease,
and the worker takes the message again once the lease runs out.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from api.conversations import turns

log = logging.getLogger(__name__)

WORKERS = 4
QUEUE_LIMIT = 200

_Job = tuple[Callable[[], int], "Future[int]"]


class TurnRunner:
    def __init__(self, workers: int = WORKERS, queue_limit: int = QUEUE_LIMIT) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._capacity = workers + queue_limit
        self._lock = threading.Condition()
        self._queued: dict[str, Future[int]] = {}  # submitted, not started yet
        self._active = 0  # submitted and not finished
        self._threads = [
            threading.Thread(target=self._loop, name=f"turn-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, conversation_id: str) -> Future[int] | None:
        """Queue the conversation's turns; None when full (the worker will take them)."""
        with self._lock:
            if conversation_id in self._queued:
                return self._queued[conversation_id]
            if self._active >= self._capacity:
                log.warning("turn queue full (%s); left to the worker", self._active)
                return None
            self._active += 1
            future: Future[int] = Future()
            self._queued[conversation_id] = future
            self._jobs.put((lambda: self._run(conversation_id), future))
            return future

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            work, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work())
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
                future.set_exception(exc)

    def _run(self, conversation_id: str) -> int:
        with self._lock:
            self._queued.pop(conversation_id, None)
        try:
            return turns.process_conversation(conversation_id, immediate=True)
        except Exception:  # the worker's sweep retries what is left
            log.exception("turn failed for conversation %s", conversation_id)
            return 0
        finally:
            with self._lock:
                self._active -= 1
                self._lock.notify_all()

    def warm_up(self) -> None:
        """Load the language models now, at start-up, not inside the first turn (loading
        holds the interpreter for a second or more, and every request waits behind it)."""
        self._jobs.put((_warm, Future()))

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no turn is queued or running (tests, shutdown); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._active == 0, timeout)

    def shutdown(self) -> None:
        """Stop the threads once the jobs already queued are done."""
        for _ in self._threads:
            self._jobs.put(None)


def _warm() -> int:
    from api.i18n import detect
    from api.safety import net

    try:
        detect.detect("hello, I need help")
        net.detect("hello")
    except Exception:  # warming is an optimisation; the first turn loads what is missing
        log.exception("warming the language models failed")
    return 0


_runner: TurnRunner | None = None
_runner_lock = threading.Lock()


def get() -> TurnRunner:
    """The process's turn executor, created on first use."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = TurnRunner()
        return _runner
