"""A worker process that only sends the outbox, for the exactly-once test.

    python -m tests.support.outbox_worker START_AT LIMIT IDLE_SECONDS

Waits until the wall clock reaches START_AT (so several processes claim at the same
moment), then calls `sender.send_due(LIMIT)` in a loop, and exits once nothing was due
for IDLE_SECONDS. Settings come from the environment, as for `python -m api.worker`.
"""

from __future__ import annotations

import sys
import time

from api.outbox import sender


def main(start_at: float, limit: int, idle_seconds: float) -> int:
    while time.time() < start_at:
        time.sleep(0.001)
    total = 0
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < idle_seconds:
        sent = sender.send_due(limit)
        if sent:
            total += sent
            idle_since = time.monotonic()
    print(f"sent {total}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
