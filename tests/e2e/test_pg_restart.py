"""PostgreSQL restarted under a running crawl: nothing lost, nothing doubled, the lock kept.

The machine's shared server is never touched: each test runs against a private cluster
(tests/e2e/pg_cluster.py) that it stops and starts at will. The site is the generated one of
the kill test (tests/e2e/generated_site.py), crawled by a real `scrapy crawl site` process.

- A restart (`pg_ctl stop -m fast`, 2 s down, start) in the middle of the crawl: the writes
  that hit it are retried (crawler/storage/retry.py), the run lock, dropped with its session,
  is taken again (crawler/extensions/run_lock_watch.py), and the crawl ends with exit code 0.
- A server that stays down past DATABASE_RETRY_SECONDS: the crawl stops with exit code 3, and
  the next run, once the server is back, finishes the site.

Either way the frontier's ledger balances with nothing pending and every page is stored once.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bench.site import SMALL_SITE_KEY
from crawler.storage.run_lock import advisory_key
from tests.e2e.generated_site import (
    assert_every_page_stored_once,
    scalar,
    served_site,
    start_crawl,
    wait_for_articles,
)
from tests.e2e.pg_cluster import PrivateCluster, find_bindir, private_cluster

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PAGES = 200
SEED = 20261127
# one request at a time with a short delay: the crawl lasts long enough to restart under it
SETTINGS = (
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.03",
    "-s", "STORE_BATCH_SIZE=5", "-s", "RUN_LOCK_CHECK_INTERVAL=0.5",
    "-s", "LOGSTATS_INTERVAL=1",
)  # fmt: skip


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    bindir = find_bindir()
    missing = None
    if bindir is None:
        missing = "no PostgreSQL server binaries (initdb, pg_ctl)"
    elif os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing = "running as root without a postgres OS user for initdb"
    if missing or bindir is None:
        if os.environ.get("CI"):
            pytest.fail(missing or "no PostgreSQL")
        pytest.skip(missing or "no PostgreSQL")
    with private_cluster(bindir) as running:
        yield running


def lock_held(database_url: str) -> bool:
    """Whether some session holds the site's run lock (read from pg_locks, never taken)."""
    key = advisory_key(SMALL_SITE_KEY) & 0xFFFF_FFFF_FFFF_FFFF
    with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = %s AND objid = %s AND objsubid = 1",
            (key >> 32, key & 0xFFFF_FFFF),
        ).fetchone()
    return bool(row and row[0])


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except psycopg.OperationalError:
            pass  # the server is still starting
        time.sleep(0.1)
    return False


def finish(crawl: subprocess.Popen[str], timeout: float) -> int:
    """The crawl's exit code; killed (and failed) if it does not end in time."""
    try:
        return crawl.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=30)
        raise


def run_statuses(database_url: str) -> list[str]:
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute("SELECT status FROM crawl_runs ORDER BY id").fetchall()
    return [row[0] for row in rows]


def test_crawl_rides_out_a_restart(cluster: PrivateCluster, tmp_path: Path) -> None:
    url = cluster.create_database("restart")
    log = tmp_path / "crawl.log"
    with served_site(tmp_path, PAGES, SEED) as site:
        crawl = start_crawl(site.sites_dir, url, *SETTINGS, log=log)
        try:
            stored = wait_for_articles(crawl, url, PAGES // 5)
            assert crawl.poll() is None and stored < PAGES, "the crawl ended too soon"
            assert lock_held(url)
            cluster.restart(down_for=2.0)
            # the lock went with the old sessions; the running crawl takes it again
            assert wait_until(lambda: lock_held(url), timeout=15), "run lock not re-acquired"
            code = finish(crawl, timeout=180)
        finally:
            if crawl.poll() is None:
                os.killpg(crawl.pid, signal.SIGKILL)
    text = log.read_text(encoding="utf-8")
    assert code == 0, text[-4000:]
    assert "database unavailable during" in text  # a write hit the restart...
    assert "database reachable again" in text  # ...and went through afterwards
    assert "run lock re-acquired" in text
    assert "Traceback" not in text and " ERROR: " not in text, text[-4000:]
    assert_every_page_stored_once(url, PAGES)
    assert run_statuses(url) == ["ok"]
    assert not lock_held(url)  # released at the end


def test_server_down_past_the_retry_time_exits_3_and_the_next_run_finishes(
    cluster: PrivateCluster, tmp_path: Path
) -> None:
    url = cluster.create_database("gives_up")
    log = tmp_path / "crawl.log"
    with served_site(tmp_path, PAGES, SEED + 1) as site:
        crawl = start_crawl(
            site.sites_dir, url, *SETTINGS, "-s", "DATABASE_RETRY_SECONDS=2", log=log
        )
        try:
            stored = wait_for_articles(crawl, url, PAGES // 5)
            assert crawl.poll() is None and stored < PAGES, "the crawl ended too soon"
            cluster.stop("fast")
            try:
                code = finish(crawl, timeout=90)
            finally:
                cluster.start()
        finally:
            if crawl.poll() is None:
                os.killpg(crawl.pid, signal.SIGKILL)
        text = log.read_text(encoding="utf-8")
        assert code == 3, text[-4000:]
        assert "database unavailable, stopping the crawl" in text
        assert scalar(url, "SELECT count(*) FROM articles") < PAGES
        rerun = start_crawl(site.sites_dir, url, *SETTINGS, "-s", "DOWNLOAD_DELAY=0", log=log)
        assert finish(rerun, timeout=180) == 0, log.read_text(encoding="utf-8")[-4000:]
    assert_every_page_stored_once(url, PAGES)
    # the first run could not close its row (the server was down): the rerun, holding the
    # site's lock, marks it failed
    assert run_statuses(url) == ["failed", "ok"]
    assert "never finished: marked failed" in log.read_text(encoding="utf-8")
