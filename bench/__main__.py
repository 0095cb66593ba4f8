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
