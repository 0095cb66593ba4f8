"""Run every benchmark and print its figures."""

from __future__ import annotations

import subprocess
import sys

from bench import booking, directory, hot_paths

if __name__ == "__main__":
    hot_paths.main()
    directory.main()
    booking.main()
    # Its own process: it sets its own environment (database, ports) before the app loads.
    subprocess.run([sys.executable, "-m", "bench.ack"], check=False)
    # 10,000 reminders, 2 workers, a SIGKILL: PostgreSQL (BENCH_DATABASE_URL or
    # TEST_DATABASE_URL), processes of its own. docs/PERFORMANCE.md has the figures.
    subprocess.run([sys.executable, "-m", "bench.reminders", "10000"], check=False)
