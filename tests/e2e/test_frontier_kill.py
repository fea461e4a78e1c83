"""A crawl killed with SIGKILL at ~10 %, 50 % and 90 % and started again loses and doubles nothing.

The site is generated (tests/e2e/generated_site.py): 500 small article pages, all listed in its
sitemap in a seeded order, the first 20 of that order in its RSS feed, and a paginated listing;
served on 127.0.0.1. Each trial is seeded: the seed picks the page order and jitters the three
kill points by up to ±3 points. Each run is a real `scrapy crawl site` process group, killed
with SIGKILL once the database holds its share of articles; the last run is left to finish.
Then the frontier's ledger balances (discovered = stored + rejected + failed + pending, nothing
pending), every page is one article, and no article is stored twice.

One trial per database by default (CI); `DEPECHES_KILL_TRIALS=5` (`make fault-trials`) runs
five seeds on each.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.site import SMALL_PER_LISTING_PAGE
from crawler.storage.engine import make_engine
from crawler.storage.models import CrawlRun
from tests.e2e.generated_site import (
    assert_every_page_stored_once,
    progress_lines,
    scalar,
    served_site,
    start_crawl,
    wait_for_articles,
)

pytestmark = pytest.mark.e2e

PAGES = 500
KILL_AT = (0.10, 0.50, 0.90)
JITTER = 0.03
FIRST_SEED = 20261126
TRIALS = max(1, int(os.environ.get("DEPECHES_KILL_TRIALS", "1")))
# articles are written five at a time, so the count climbs steadily and kills land mid-batch;
# two requests at a time keep the crawl slow enough for the poller to kill it near its mark
# even on a busy machine (at eight, a starved poller once let a "10 %" run store 335 of 500)
SETTINGS = (
    "-s", "STORE_BATCH_SIZE=5", "-s", "CONCURRENT_ITEMS=8",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
)  # fmt: skip
PROGRESS = ("-s", "LOGSTATS_INTERVAL=0.5")
LISTING_PAGES = -(-PAGES // SMALL_PER_LISTING_PAGE)


def kill_when(process: subprocess.Popen[str], database_url: str, stored: int) -> int:
    """SIGKILL the crawl's process group once `stored` articles are in; the count then."""
    wait_for_articles(process, database_url, stored)
    assert process.poll() is None, "the crawl ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return scalar(database_url, "SELECT count(*) FROM articles")


@pytest.mark.parametrize("seed", [FIRST_SEED + trial for trial in range(TRIALS)])
def test_killed_runs_resume_without_loss_or_duplicates(seed, db_url, tmp_path):
    rng = random.Random(seed)

    def log(run: int) -> Path:
        return tmp_path / f"run-{run}.log"

    with served_site(tmp_path, PAGES, seed) as site:
        at_kill = []
        for run, share in enumerate(KILL_AT):
            target = round(PAGES * (share + rng.uniform(-JITTER, JITTER)))
            crawl = start_crawl(site.sites_dir, db_url, *SETTINGS, *PROGRESS, log=log(run))
            at_kill.append(kill_when(crawl, db_url, target))
        # the first two runs were cut short; the last may have stored its final batch already
        assert at_kill[0] < at_kill[1] < PAGES and at_kill[1] <= at_kill[2] <= PAGES, at_kill
        final = start_crawl(site.sites_dir, db_url, *SETTINGS, log=log(3))
        code = final.wait(timeout=180)
        assert code == 0, f"exit {code}\n" + log(3).read_text(encoding="utf-8")[-4000:]
    assert_every_page_stored_once(db_url, PAGES)
    # the run killed at ~50 % logged its progress twice a second, with what was left to do
    lines = progress_lines(log(1).read_text(encoding="utf-8"))
    counted = [line for line in lines if line["pending"] >= 0]
    assert counted, lines
    assert all(0 <= line["pending"] <= PAGES for line in counted), counted
    assert all(0 <= line["queued"] <= PAGES + LISTING_PAGES for line in lines), lines
    # it resumed the first run's leftovers: the frontier it started from was partly settled
    assert counted[0]["pending"] <= PAGES - at_kill[0], (counted, at_kill)
    # each run found the one killed before it and closed its row; the last one finished (the
    # third may have closed its own row just before its kill, as it may have stored everything)
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            runs = connection.execute(
                select(CrawlRun.status, CrawlRun.stats).order_by(CrawlRun.id)
            ).all()
    finally:
        engine.dispose()
    statuses = [(status, (stats or {}).get("close_reason")) for status, stats in runs]
    assert statuses[:2] == [("failed", "abandoned")] * 2, statuses
    assert statuses[2] in (("failed", "abandoned"), ("ok", "finished")), statuses
    assert statuses[3:] == [("ok", "finished")], statuses
