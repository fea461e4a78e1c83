"""Speed benchmark of the crawler: `make bench` (see bench/run.py and docs/performance.md)."""
