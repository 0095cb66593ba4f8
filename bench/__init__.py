"""Benchmarks: `make bench` prints their figures. Speed goals live here, not in tests."""
