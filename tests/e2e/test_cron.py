"""Cron safety: overlapping runs refused, stale locks taken over, `scrapy runs` and `sites`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import FAST, LOOPBACK_ALLOWED, ROOT, scrapy

pytestmark = pytest.mark.e2e


def crawl_command(server):
    return [
        sys.executable, "-m", "scrapy", "crawl", "site", "-a", "site=demo",
        "-a", f"base_url={server.base_url}", *FAST,
    ]  # fmt: skip


def test_a_second_run_of_the_same_site_exits_at_once(demo_server, db_url):
    env = {**os.environ, **LOOPBACK_ALLOWED, "DATABASE_URL": db_url}
    # the first crawl's feed is held until the second run has ended: the first is still
    # running then however loaded the machine, and it finishes as soon as it is released
    feed = demo_server.hold("/rss.xml")
    first = subprocess.Popen(
        crawl_command(demo_server), cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not demo_server.requests and time.monotonic() < deadline:
            time.sleep(0.05)  # the first crawl holds its lock once it fetches
        started = time.monotonic()
        second = scrapy("crawl", "site", "-a", "site=demo", "-a",
                        f"base_url={demo_server.base_url}", *FAST, database_url=db_url)  # fmt: skip
        took = time.monotonic() - started
        assert first.poll() is None, "the first crawl ended before the second one did"
    finally:
        feed.set()
        _, first_err = first.communicate(timeout=240)
    assert second.returncode == 4, second.stderr[-2000:]
    assert "already running" in second.stderr
    assert took < 15
    assert first.returncode == 0, first_err[-3000:]


def test_a_lock_left_by_a_dead_process_is_taken_over(demo_server, tmp_path):
    database = tmp_path / "cron.sqlite3"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    lock = tmp_path / "cron.sqlite3.demo.lock"
    lock.write_text(json.dumps({"host": socket.gethostname(), "pid": int(dead.stdout),
                                "since": "2026-11-25T03:00:00+00:00"}))  # fmt: skip
    run = scrapy("crawl", "site", "-a", "site=demo", "-a", f"base_url={demo_server.base_url}",
                 *FAST, database_url=f"sqlite:///{database}")  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert not lock.exists()  # released at the end


def test_runs_and_sites_commands(demo_server, tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.sqlite3'}"
    crawl = scrapy("crawl", "site", "-a", "site=demo", "-a", f"base_url={demo_server.base_url}",
                   *FAST, database_url=url)  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    runs = scrapy("runs", database_url=url)
    assert runs.returncode == 0, runs.stderr
    header, _rule, row = runs.stdout.splitlines()[:3]
    assert header.split()[:6] == ["run", "started", "(UTC)", "spider", "site", "status"]
    fields = row.split()
    # run 1, site demo, status ok, 7 new articles (demo/expected.json), 7 seen
    assert fields[0] == "1" and fields[3:6] == ["site", "demo", "ok"]
    assert fields[6] == "7" and fields[8] == "7"
    sites = scrapy("sites", database_url=url)
    assert sites.returncode == 0, sites.stderr
    demo = next(line for line in sites.stdout.splitlines() if line.startswith("demo "))
    assert "Le Fil du Sahel" in demo and " 7 " in demo and demo.rstrip().endswith("ok")
