"""The fault tests' generated news site, served on 127.0.0.1, and the crawls run against it.

The site is the small profile of the one fake-site generator, bench/site.py (N short seeded
articles, every one in the sitemap, the first 20 in the feed, all on a paginated listing).
Crawls run as real `scrapy crawl site` process groups (the tests kill or outlive them), and the
checks read the database the way an operator would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from bench.site import SMALL_SITE_KEY, write_small_site, write_small_site_file
from crawler.storage.engine import make_engine
from tests.e2e.conftest import FAST, LOOPBACK_ALLOWED, ROOT
from tests.fixture_server import FixtureServer


@dataclass(frozen=True)
class ServedSite:
    server: FixtureServer
    sites_dir: Path
    pages: int
    order: list[int]


@contextmanager
def served_site(folder: Path, pages: int, seed: int) -> Iterator[ServedSite]:
    """Write the site under `folder`, serve it, and write its site file for that origin."""
    order = write_small_site(folder / "site", pages, seed)
    with FixtureServer(folder / "site") as server:
        sites_dir = folder / "sites"
        sites_dir.mkdir()
        write_small_site_file(sites_dir, server.base_url, pages)
        yield ServedSite(server, sites_dir, pages, order)


def start_crawl(
    sites_dir: Path, database_url: str, *settings: str, log: Path | None = None
) -> subprocess.Popen[str]:
    """`scrapy crawl site` in its own process group (so a kill takes its workers too).

    Its log goes to `log` when given (read it after the process ended), else nowhere.
    """
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    env["DATABASE_URL"] = database_url
    env.update(LOOPBACK_ALLOWED)
    command = [
        sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"site={SMALL_SITE_KEY}", *FAST,
        "-s", f"SITES_DIR={sites_dir}", *settings,
    ]  # fmt: skip
    if log is not None:
        command += ["-s", f"LOG_FILE={log}"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, text=True, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def scalar(database_url: str, sql: str, engine: Engine | None = None) -> int:
    """One integer from the database; 0 while the schema is not there yet."""
    own = engine or make_engine(database_url)
    try:
        with own.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    except Exception:
        return 0  # the schema is not there yet (the first run creates it)
    finally:
        if engine is None:
            own.dispose()


def wait_for_articles(
    process: subprocess.Popen[str], database_url: str, count: int, timeout: float = 60
) -> int:
    """Until the database holds `count` articles (or the crawl ended); the count then."""
    deadline = time.monotonic() + timeout
    engine = make_engine(database_url)
    try:
        stored = 0
        while time.monotonic() < deadline and process.poll() is None:
            stored = scalar(database_url, "SELECT count(*) FROM articles", engine)
            if stored >= count:
                break
            time.sleep(0.02)
        return stored
    finally:
        engine.dispose()


def assert_every_page_stored_once(database_url: str, pages: int) -> None:
    """The frontier's ledger balances with nothing pending, and each page is one article."""

    def count(sql: str) -> int:
        return scalar(database_url, sql)

    discovered = count(f"SELECT count(*) FROM frontier WHERE site_key = '{SMALL_SITE_KEY}'")
    by_state = {
        state: count(f"SELECT count(*) FROM frontier WHERE state = '{state}'")
        for state in ("stored", "rejected", "failed", "pending")
    }
    assert discovered == pages  # the sitemap lists every page, nothing else is an article
    assert discovered == sum(by_state.values())
    assert by_state == {"stored": pages, "rejected": 0, "failed": 0, "pending": 0}
    articles = count("SELECT count(*) FROM articles")
    assert articles == pages
    # none duplicated: one article per stored URL, no text stored under two rows
    assert count("SELECT count(DISTINCT url) FROM articles") == articles
    assert count("SELECT count(DISTINCT content_hash) FROM articles") == articles
    assert (
        count(
            "SELECT count(*) FROM frontier f JOIN article_urls u ON u.url = f.url "
            "WHERE f.state = 'stored'"
        )
        == articles
    )
    assert count("SELECT count(*) FROM rejections") == 0


PROGRESS = re.compile(
    r"Crawled (?P<pages>\d+) pages \(at \d+ pages/min\), scraped (?P<items>\d+) items "
    r"\(at \d+ items/min\); queue (?P<queued>\d+) requests, (?P<active>\d+) in the downloader"
    r"(?:, frontier (?P<pending>\d+) pending)?"
)


def progress_lines(log: str) -> list[dict[str, int]]:
    """The periodic progress lines of a crawl log, as numbers (pending: -1 when not shown)."""
    return [
        {name: int(value) if value is not None else -1 for name, value in m.groupdict().items()}
        for m in PROGRESS.finditer(log)
    ]
