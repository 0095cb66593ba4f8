"""Run every benchmark and print its figures."""

from __future__ import annotations

from bench import booking, directory, hot_paths

if __name__ == "__main__":
    hot_paths.main()
    directory.main()
    booking.main()
