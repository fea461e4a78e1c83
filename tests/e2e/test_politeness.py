"""Politeness and safety as a site sees them, from the server's own request log."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from crawler.storage.engine import make_engine
from tests.e2e.conftest import DEMO, FAST, ROOT, scrapy
from tests.fixture_server import FixtureServer

pytestmark = pytest.mark.e2e

ARTICLES = [
    "/actualite/2024/10/28/otan-soldats-nord-coreens-russie.html",
    "/actualite/2024/11/04/cop29-afrique-finance-climat-bakou.html",
    "/actualite/2024/11/05/kaffrine-producteurs-arachide-campagne-commercialisation.html",
]


def crawl_urls(server, tmp_path, *extra):
    listing = tmp_path / "urls.txt"
    listing.write_text("".join(f"{server.base_url}{path}\n" for path in ARTICLES))
    database_url = f"sqlite:///{tmp_path / 'polite.sqlite3'}"
    run = scrapy("crawl", "urls", "-a", f"file={listing}", *FAST, *extra, database_url=database_url)
    return run, database_url


def rejections(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT url, reason FROM rejections")).all()
    engine.dispose()
    return {url: reason for url, reason in rows}


@pytest.mark.parametrize("status", [503, 429, 500])
def test_robots_txt_outage_disallows_the_host_for_the_run(tmp_path, status):
    replies = [(status, {}, b"<h1>Service indisponible</h1>")] * 5
    with FixtureServer(DEMO / "site", overrides={"/robots.txt": replies}) as server:
        run, database_url = crawl_urls(server, tmp_path)
        fetched = list(server.requests)
    assert run.returncode == 0, run.stderr[-3000:]
    assert [p for p in fetched if p != "/robots.txt"] == []
    assert set(rejections(database_url).values()) == {"robots_unavailable"}


def test_robots_txt_404_means_no_rules(tmp_path):
    with FixtureServer(DEMO / "site", overrides={"/robots.txt": [(404, {}, b"absent")]}) as server:
        run, _ = crawl_urls(server, tmp_path)
        fetched = list(server.requests)
    assert run.returncode == 0
    assert sorted(p for p in fetched if p != "/robots.txt") == sorted(ARTICLES)


def test_crawl_delay_is_a_floor_between_requests(tmp_path):
    robots = b"User-agent: *\nCrawl-delay: 1\nDisallow: /prive/\n"
    with FixtureServer(
        DEMO / "site", overrides={"/robots.txt": [(200, {"Content-Type": "text/plain"}, robots)]}
    ) as server:
        run, _ = crawl_urls(server, tmp_path, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
        times = [t for t, path in server.request_times if path in ARTICLES]
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(times) == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.9, gaps


def test_retry_after_is_honoured(tmp_path):
    first = ARTICLES[0]
    busy = [(429, {"Retry-After": "2"}, b"<h1>Trop de requetes</h1>")]
    with FixtureServer(DEMO / "site", overrides={first: busy}) as server:
        # a real (small) delay: with DOWNLOAD_DELAY=0 Scrapy's slot hands out its whole queue
        run, database_url = crawl_urls(
            server, tmp_path, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.2"
        )
        log = list(server.request_times)
    assert run.returncode == 0, run.stderr[-3000:]
    hits = [t for t, path in log if path == first]
    assert len(hits) == 2  # the 429, then the retry
    after_429 = [t for t, path in log if t > hits[0] and path != "/robots.txt"]
    assert after_429 and min(after_429) - hits[0] >= 1.9
    assert rejections(database_url) == {}


def test_runspider_without_project_settings_refuses_to_start(tmp_path):
    with FixtureServer(DEMO / "site") as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "crawler/spiders/urls.py"),
             "-a", f"url={server.base_url}{ARTICLES[0]}"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
            # outside the project: get_project_settings() in an earlier test of the session
            # sets SCRAPY_SETTINGS_MODULE, which would load the project's settings anyway
            env={k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"},
        )  # fmt: skip
        fetched = list(server.requests)
    assert result.returncode != 0
    assert "unsafe settings, refusing to crawl" in result.stderr
    assert fetched == []
