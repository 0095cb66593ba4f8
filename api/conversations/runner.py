"""Turns run in a bounded executor of their own, never in the request thread pool.

The webhook stores the message, commits and answers; then it hands the conversation to
this executor. A few threads (the engine is the bottleneck, not us) and a bounded queue:
when the queue is full the turn is left to the worker's retry sweep, which picks up every
stored message once its grace period is over. Nothing is lost, nothing waits on Twilio.
A conversation already waiting in the queue is not queued twice: the job that runs takes
every message of the conversation in order.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from api.conversations import turns

log = logging.getLogger(__name__)

WORKERS = 4
QUEUE_LIMIT = 200


class TurnRunner:
    def __init__(self, workers: int = WORKERS, queue_limit: int = QUEUE_LIMIT) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="turn")
        self._capacity = workers + queue_limit
        self._lock = threading.Condition()
        self._queued: dict[str, Future[int]] = {}  # submitted, not started yet
        self._active = 0  # submitted and not finished

    def submit(self, conversation_id: str) -> Future[int] | None:
        """Queue the conversation's turns; None when full (the worker will take them)."""
        with self._lock:
            if conversation_id in self._queued:
                return self._queued[conversation_id]
            if self._active >= self._capacity:
                log.warning("turn queue full (%s); left to the worker", self._active)
                return None
            self._active += 1
            future = self._executor.submit(self._run, conversation_id)
            # _run takes this lock first, so it is unqueued only after this line.
            self._queued[conversation_id] = future
            return future

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
        self._executor.submit(_warm)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no turn is queued or running (tests, shutdown); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._active == 0, timeout)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)


def _warm() -> None:
    from api.i18n import detect
    from api.safety import net

    try:
        detect.detect("hello, I need help")
        net.detect("hello")
    except Exception:  # warming is an optimisation; the first turn loads what is missing
        log.exception("warming the language models failed")


_runner: TurnRunner | None = None
_runner_lock = threading.Lock()


def get() -> TurnRunner:
    """The process's turn executor, created on first use."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = TurnRunner()
        return _runner
