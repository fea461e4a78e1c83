"""A second cron run over the unchanged demo site makes only conditional requests and revisits.

The demo site is served with ETags (a `FixtureServer` subclass answering 304 to a matching
If-None-Match); every request is logged with whether it was conditional. Counted by hand from
the demo site: robots.txt; the five sources (the RSS feed, the sitemap index and its two
sitemaps, the first listing page); and the stored articles, each revisited once when due.
"""

from __future__ import annotations

import hashlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from crawler.storage.engine import make_engine
from tests.e2e.conftest import DEMO, FAST, scrapy
from tests.fixture_server import FixtureServer

pytestmark = pytest.mark.e2e

SOURCES = ["/actualite/", "/rss.xml", "/sitemap-archives.xml", "/sitemap-news.xml",
           "/sitemap_index.xml"]  # fmt: skip
# Sources due at every run, revisits due at once and then after a day, whatever the date.
DUE_NOW = [
    "-s", "SOURCE_POLL_INTERVAL=0", "-s", "SOURCE_POLL_MIN=0",
    "-s", "REVISIT_SCHEDULE=0,86400", "-s", "REVISIT_RECENT_DAYS=0",
]  # fmt: skip


class ConditionalServer(FixtureServer):
    """The fixture server plus ETags: a matching If-None-Match gets 304 Not Modified."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.log: list[tuple[str, bool, int]] = []  # path, conditional, status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler()
        server = self

        class Handler(base):  # type: ignore[valid-type,misc]
            etag: str | None = None

            def do_GET(self) -> None:
                target = server._resolve(self.path)
                self.etag = None
                if target is not None:
                    body = target.read_bytes().replace(b"{{BASE}}", server.base_url.encode())
                    self.etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                asked = self.headers.get("If-None-Match")
                path = urlsplit(self.path).path
                if asked is not None and asked == self.etag:
                    server._record(self.path)
                    server.log.append((path, True, 304))
                    self.send_response(304)
                    self.end_headers()
                    return
                server.log.append((path, asked is not None, 200 if target else 404))
                super().do_GET()

            def end_headers(self) -> None:
                if self.etag:
                    self.send_header("ETag", self.etag)
                super().end_headers()

        return Handler


def crawl(server: ConditionalServer, database_url: str, *extra: str) -> list[tuple[str, bool, int]]:
    """One `scrapy crawl site` run; the requests it made."""
    before = len(server.log)
    run = scrapy("crawl", "site", "-a", "site=demo", "-a", f"base_url={server.base_url}",
                 *FAST, *extra, database_url=database_url)  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    return server.log[before:]


def rows(database_url: str, sql: str) -> list[tuple]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_second_run_makes_only_conditional_requests_and_due_revisits(sqlite_url):
    db_url = sqlite_url  # the frontier on PostgreSQL: tests/e2e/test_frontier_kill.py
    with ConditionalServer(DEMO / "site") as server:
        first = crawl(server, db_url, *DUE_NOW)
        stored = {urlsplit(url).path for (url,) in rows(
            db_url, "SELECT url FROM frontier WHERE state = 'stored'")}  # fmt: skip
        assert len(stored) >= 7  # demo/expected.json: 7 articles
        assert not any(conditional for _, conditional, _ in first)

        # second run: the five sources answer 304, every stored article is due once
        second = crawl(server, db_url, *DUE_NOW)
        assert sorted(p for p, c, s in second if c) == SOURCES
        assert all(status == 304 for _, conditional, status in second if conditional)
        unconditional = sorted(p for p, c, _ in second if not c)
        assert unconditional == sorted(["/robots.txt", *stored])

        # third run: revisits not due before a day; only the conditional requests remain
        third = crawl(server, db_url, *DUE_NOW)
        assert sorted(p for p, _, _ in third) == sorted(["/robots.txt", *SOURCES])
        assert all(c and s == 304 for p, c, s in third if p != "/robots.txt")

    # nothing stored twice; the revisit recorded a second read-count observation
    assert rows(db_url, "SELECT count(*) FROM articles") == [(len(stored),)]
    counted = rows(db_url, "SELECT article_id, count(*) FROM read_counts GROUP BY article_id")
    assert counted and all(n == 2 for _, n in counted)
    states = rows(db_url, "SELECT state, count(*) FROM frontier GROUP BY state ORDER BY state")
    assert ("pending", 0) not in states and all(state != "pending" for state, _ in states)
    sources = rows(db_url, "SELECT last_status, count(*) FROM sources GROUP BY last_status")
    assert sources == [(304, len(SOURCES))]
