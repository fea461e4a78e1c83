"""`scrapy crawl site -a site=demo` against the demo site, into SQLite and PostgreSQL.

The tests that only read what one crawl stored share that crawl (one per database, module
scope); the test that crawls a second time has a crawl and a database of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from crawler.storage.engine import make_engine
from tests.conftest import _throwaway_pg_database
from tests.e2e.conftest import DEMO, FAST, export_rows, scrapy
from tests.fixture_server import FixtureServer

pytestmark = pytest.mark.e2e


def crawl_demo(server, database_url: str, *extra: str):
    return scrapy(
        "crawl", "site", "-a", "site=demo", "-a", f"base_url={server.base_url}", *FAST, *extra,
        database_url=database_url,
    )  # fmt: skip


def path_of(url: str) -> str:
    return urlsplit(url).path


def query(database_url: str, sql: str) -> list[tuple]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def crawl_and_export(server, db_url, tmp_path):
    run = crawl_demo(server, db_url)
    assert run.returncode == 0, run.stderr[-4000:]
    return server, db_url, export_rows(db_url, tmp_path), run


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def crawled(request, tmp_path_factory) -> Iterator[tuple]:
    """One crawl per database, read (never written) by the tests that take it: its own server,
    and on PostgreSQL a database of its own, which no other test empties meanwhile."""
    tmp_path = tmp_path_factory.mktemp(f"demo-{request.param}")
    with FixtureServer(DEMO / "site") as server:
        if request.param == "sqlite":
            yield crawl_and_export(server, f"sqlite:///{tmp_path / 'demo.sqlite3'}", tmp_path)
        else:
            with _throwaway_pg_database() as db_url:
                yield crawl_and_export(server, db_url, tmp_path)


@pytest.fixture
def crawled_here(demo_server, db_url, tmp_path):
    """A crawl for one test that writes to its database again."""
    return crawl_and_export(demo_server, db_url, tmp_path)


def test_every_expected_article_is_stored_with_its_fields(crawled, demo_expected):
    _, _, rows, _ = crawled
    by_path = {path_of(row["url"]): row for row in rows}
    assert sorted(by_path) == sorted(demo_expected["articles"])
    for path, expected in demo_expected["articles"].items():
        row = by_path[path]
        where = f"{path}: "
        assert row["title"] == expected["title"], where + "title"
        assert row["published_at"] == expected["published"], where + "published_at"
        assert row["read_count"] == expected["read_count"], where + "read_count"
        assert row["tags"] == expected["tags"], where + "tags"
        assert sorted(row["agencies"]) == sorted(expected["agencies"]), where + "agencies"
        assert row["authors"] == expected["authors"], where + "authors"
        assert row["section"] == expected["section"], where + "section"
        assert row["language"] == expected["language"], where + "language"
        paragraphs = row["body"].split("\n\n")
        assert paragraphs[0] == expected["body_first"], where + "first paragraph"
        assert paragraphs[-1] == expected["body_last"], where + "last paragraph"
        assert len(paragraphs) == expected["paragraphs"], where + "paragraph count"
        for boilerplate in expected["not_in_body"]:
            assert boilerplate not in row["body"], where + f"{boilerplate!r} left in the body"


def test_rejections_and_robots(crawled, demo_expected):
    server, db_url, rows, _ = crawled
    rejected = {
        path_of(url): reason for url, reason in query(db_url, "SELECT url, reason FROM rejections")
    }
    for path, reason in demo_expected["rejected"].items():
        assert rejected.get(path) == reason, path
    fetched = {urlsplit(p).path for p in server.requests}
    for path in demo_expected["never_fetched"]:
        assert path not in fetched, f"{path} is disallowed by robots.txt but was fetched"
        assert rejected.get(path) == "robots_disallowed"
    stored = {path_of(row["url"]) for row in rows}
    for path in demo_expected["not_articles"]:
        assert path not in stored and path not in rejected
    # every fetched article URL ended stored or rejected
    article_paths = set(demo_expected["articles"]) | set(demo_expected["rejected"])
    assert article_paths <= stored | set(rejected)


def test_crawl_run_row(crawled):
    _, db_url, _rows, _ = crawled
    runs = query(db_url, "SELECT spider, site_key, status, finished_at FROM crawl_runs")
    assert len(runs) == 1
    spider, site_key, status, finished_at = runs[0]
    assert (spider, site_key, status) == ("site", "demo", "ok")
    assert finished_at is not None


def test_second_crawl_adds_nothing_and_updates_last_seen(crawled_here, demo_server):
    _, db_url, rows, _ = crawled_here
    before = query(db_url, "SELECT canonical_url, last_seen_at FROM articles ORDER BY id")
    counts_before = query(db_url, "SELECT count(*) FROM read_counts")[0][0]
    # a full re-crawl: incremental runs (the default) skip known articles not yet due
    run = crawl_demo(demo_server, db_url, "-s", "INCREMENTAL=False")
    assert run.returncode == 0, run.stderr[-4000:]
    after = query(db_url, "SELECT canonical_url, last_seen_at FROM articles ORDER BY id")
    assert [url for url, _ in after] == [url for url, _ in before]
    assert all(a[1] > b[1] for a, b in zip(after, before, strict=True))
    with_count = sum(1 for row in rows if row["read_count"] is not None)
    assert query(db_url, "SELECT count(*) FROM read_counts")[0][0] == counts_before + with_count
    assert query(db_url, "SELECT count(*) FROM revisions")[0][0] == 0
    assert query(db_url, "SELECT count(*) FROM crawl_runs WHERE status = 'ok'")[0][0] == 2


def test_tracking_variant_is_one_article(crawled):
    _, _db_url, rows, _ = crawled
    seed_rows = [r for r in rows if "2024/10/28" in r["url"]]
    assert len(seed_rows) == 1
    assert "utm_" not in seed_rows[0]["canonical_url"]
