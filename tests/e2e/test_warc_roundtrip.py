"""Crawl the demo site, `scrapy export --format warc`, import into a fresh database: the same
articles (URL, title, body, dates), on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip

import pytest

from tests.conftest import _throwaway_pg_database
from tests.e2e.conftest import FAST, export_rows, scrapy
from tests.e2e.test_demo_crawl import crawl_demo
from tests.e2e.test_warc_import import PRIVATE, query

pytestmark = pytest.mark.e2e
COMPARED = ("url", "canonical_url", "site", "title", "description", "body", "published_at",
            "published_precision", "modified_at", "authors", "tags", "agencies", "read_count",
            "language", "section", "first_seen_at")  # fmt: skip


@pytest.fixture
def fresh_url(db_url, tmp_path):
    """A second, empty database of the same kind as db_url."""
    if db_url.startswith("postgresql"):
        with _throwaway_pg_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


def test_export_then_import_gives_the_same_articles(demo_server, db_url, fresh_url, tmp_path):
    run = crawl_demo(demo_server, db_url)
    assert run.returncode == 0, run.stderr[-4000:]
    warc = tmp_path / "archive.warc.gz"
    run = scrapy("export", "--format", "warc", "-o", str(warc), database_url=db_url)
    assert run.returncode == 0, run.stderr[-3000:]
    pages = query(db_url, "SELECT count(*) FROM raw_pages")[0][0]
    assert f"exported {pages} pages" in run.stderr
    # one gzip member per record: the warcinfo record, then one response per stored page
    assert gzip.decompress(warc.read_bytes()).count(b"WARC-Type: response\r\n") == pages

    fresh = fresh_url
    run = scrapy("crawl", "warc", "-a", f"file={warc}", *FAST,
                 database_url=fresh, extra_env=PRIVATE)  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    before = {row["url"]: row for row in export_rows(db_url, tmp_path)}
    after = {row["url"]: row for row in export_rows(fresh, tmp_path)}
    assert sorted(after) == sorted(before)
    for url, row in before.items():
        for field in COMPARED:
            assert after[url][field] == row[field], f"{url}: {field}"
    # the imported pages name the export file and their record's offset in it
    provenance = query(fresh, "SELECT DISTINCT warc_file FROM raw_pages")
    assert provenance == [(str(warc),)]
    # and the export of the import holds the same records (in article id order, which the
    # import's concurrent pipelines may number differently)
    again = tmp_path / "again.warc"
    run = scrapy("export", "-o", str(again), database_url=fresh)
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(blocks(again.read_bytes())) == sorted(blocks(gzip.decompress(warc.read_bytes())))


def blocks(data: bytes) -> list[bytes]:
    """Each response record's target URI, date, hints and HTTP block."""
    out = []
    for chunk in data.split(b"WARC/1.1\r\n")[1:]:
        if b"WARC-Type: response" in chunk:
            head, block = chunk.split(b"\r\n\r\n", 1)
            fields = sorted(
                line
                for line in head.split(b"\r\n")
                if not line.startswith((b"WARC-Record-ID", b"WARC-Block-Digest"))
            )
            out.append(b"\n".join(fields) + b"\n" + block)
    return out
