"""`scrapy crawl warc`: WARC files of our pages, good and malformed, into SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from crawler.storage.engine import make_engine
from tests.e2e.conftest import FAST, export_rows, scrapy
from tests.e2e.warc_builder import (
    DEMO_ORIGIN,
    ENGLISH_PAGE,
    UNDECLARED_ENGLISH,
    WarcBuilder,
    demo_articles,
    demo_expected,
    http_response,
    record,
)
from tests.fixture_server import FixtureServer

pytestmark = pytest.mark.e2e
PRIVATE = {"ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8"}


def query(database_url: str, sql: str) -> list[tuple]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def last_stats(database_url: str) -> dict:
    (stats,) = query(database_url, "SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    return stats if isinstance(stats, dict) else json.loads(stats)


def import_warc(database_url: str, spec: str, *extra: str):
    return scrapy("crawl", "warc", "-a", f"file={spec}", *FAST, *extra,
                  database_url=database_url, extra_env=PRIVATE)  # fmt: skip


def test_demo_pages_are_imported_with_the_warc_date_and_provenance(db_url, tmp_path):
    pages = demo_articles()
    builder = WarcBuilder()
    for path, body in pages.items():
        builder.page(DEMO_ORIGIN + path, body)
    warc = builder.write(tmp_path / "demo.warc.gz")
    run = import_warc(db_url, str(warc))
    assert run.returncode == 0, run.stderr[-4000:]
    rows = {row["url"].removeprefix(DEMO_ORIGIN): row for row in export_rows(db_url, tmp_path)}
    expected = demo_expected()["articles"]
    assert sorted(rows) == sorted(expected)
    for path, want in expected.items():
        assert rows[path]["title"] == want["title"], path
        paragraphs = rows[path]["body"].split("\n\n")
        assert paragraphs[0] == want["body_first"], path
        assert paragraphs[-1] == want["body_last"], path
        assert rows[path]["first_seen_at"].startswith("2024-11-05T08:30:00"), path
    provenance = query(db_url, "SELECT warc_file, warc_offset FROM raw_pages ORDER BY warc_offset")
    assert {name for name, _ in provenance} == {str(warc)}
    # each offset is where a gzip member, the record, starts in the file
    data = warc.read_bytes()
    assert all(data[offset : offset + 2] == b"\x1f\x8b" for _, offset in provenance)
    assert provenance[0][1] == 0 and len({o for _, o in provenance}) == len(pages)


@pytest.mark.parametrize("gzipped", [True, False])
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_records_other_than_french_html_pages_are_skipped_and_counted(
    sqlite_url, tmp_path, gzipped, version
):
    pages = demo_articles()
    path, body = next(iter(pages.items()))
    second_path, second_body = list(pages.items())[1]
    uri = DEMO_ORIGIN + path
    builder = WarcBuilder()
    builder.add(record("warcinfo", "", b"software: tests\r\n", version=version))
    builder.add(record("request", uri, b"GET " + path.encode() + b" HTTP/1.1\r\n\r\n",
                       version=version))  # fmt: skip
    builder.page(uri, body, version=version)
    builder.add(record("metadata", uri, b"fetchTimeMs: 120\r\n", version=version))
    builder.add(record("revisit", uri, http_response(b""), version=version))
    builder.add(
        record(
            "response",
            "https://exemple.sn/rapport.pdf",
            http_response(b"%PDF-1.4 ...", "application/pdf"),
            version=version,
        )
    )
    builder.add(record("response", "https://exemple.sn/absent.html",
                       http_response(b"<html>introuvable</html>", status="404 Not Found"),
                       version=version))  # fmt: skip
    builder.page("https://harbour.example.com/strike", ENGLISH_PAGE, version=version)
    builder.page("https://rail.example.com/strike", UNDECLARED_ENGLISH, version=version)
    other = "https://www.journal-du-lac.example" + second_path  # a host without a site file
    builder.page(other, second_body, version=version)
    # a record that declares more bytes than it holds, then nothing: the file ends mid-record
    cut = record("response", "https://exemple.sn/coupe.html", http_response(body),
                 version=version, declared_length=len(http_response(body)) + 5000)  # fmt: skip
    suffix = ".warc.gz" if gzipped else ".warc"
    warc = builder.write(tmp_path / f"mixed{suffix}", gzipped=gzipped,
                         tail=gzip_or_plain(cut[: len(cut) // 2], gzipped))  # fmt: skip
    run = import_warc(sqlite_url, str(warc))
    assert run.returncode == 0, run.stderr[-4000:]
    stats = last_stats(sqlite_url)
    assert stats["depeches/warc/skipped/warcinfo_record"] == 1
    assert stats["depeches/warc/skipped/request_record"] == 1
    assert stats["depeches/warc/skipped/metadata_record"] == 1
    assert stats["depeches/warc/skipped/revisit_record"] == 1
    assert stats["depeches/warc/skipped/not_html"] == 1
    assert stats["depeches/warc/skipped/http_status"] == 1
    assert stats["depeches/warc/skipped/language"] == 1  # declared lang="en-GB"
    assert (
        stats.get("depeches/warc/skipped/truncated", 0)
        + stats.get("depeches/warc/skipped/corrupt", 0)
        == 1
    )
    assert stats["depeches/warc/pages"] == 3
    # the undeclared English page went through the chain and was rejected by language
    assert stats["depeches/rejected/language_rejected"] == 1
    stored = {url for (url,) in query(sqlite_url, "SELECT url FROM articles")}
    assert stored == {uri, other}
    rejected = query(sqlite_url, "SELECT url, reason FROM rejections")
    assert rejected == [("https://rail.example.com/strike", "language_rejected")]
    sites = dict(query(sqlite_url, "SELECT key, generic FROM sites"))
    assert bool(sites["demo"]) is False and bool(sites["journal-du-lac.example"]) is True
    assert "rail.example.com" not in sites  # nothing stored, no site row


def gzip_or_plain(data: bytes, gzipped: bool) -> bytes:
    import gzip

    return gzip.compress(data)[:-8] if gzipped else data  # a gzip member cut short too


def test_garbage_between_records_ends_the_file_without_a_crash(sqlite_url, tmp_path):
    pages = list(demo_articles().items())
    first = WarcBuilder().page(DEMO_ORIGIN + pages[0][0], pages[0][1])
    warc = first.write(tmp_path / "garbage.warc.gz", tail=b"\x00\x01 not a gzip member \xff" * 20)
    second = tmp_path / "second.warc.gz"
    WarcBuilder().page(DEMO_ORIGIN + pages[1][0], pages[1][1]).write(second)
    run = import_warc(sqlite_url, f"{warc},{tmp_path}/second*.warc.gz")
    assert run.returncode == 0, run.stderr[-4000:]
    stats = last_stats(sqlite_url)
    assert stats["depeches/warc/skipped/corrupt"] == 1
    assert stats["depeches/warc/files"] == 2
    assert len(query(sqlite_url, "SELECT id FROM articles")) == 2


def test_a_missing_file_is_a_configuration_error(sqlite_url, tmp_path):
    run = import_warc(sqlite_url, str(tmp_path / "absent.warc.gz"))
    assert run.returncode == 2
    assert "absent.warc.gz" in run.stderr and "no such file" in run.stderr
    run = import_warc(sqlite_url, str(tmp_path / "*.warc.gz"))
    assert run.returncode == 2 and "no file matches" in run.stderr
    (tmp_path / "x.warc.gz").write_bytes(b"")
    run = import_warc(sqlite_url, str(tmp_path / "x.warc.gz"), "-a", "hosts=nowhere")
    assert run.returncode == 2 and "nowhere" in run.stderr


def test_a_remote_file_is_streamed_behind_the_private_address_guard(sqlite_url, tmp_path):
    pages = list(demo_articles().items())
    builder = WarcBuilder()
    for path, body in pages[:2]:
        builder.page(DEMO_ORIGIN + path, body)
    builder.write(tmp_path / "remote.warc.gz")
    with FixtureServer(tmp_path) as server:
        url = f"{server.base_url}/remote.warc.gz"
        # 127.0.0.1 is not in the networks opened: refused, counted, exit 1, nothing stored
        run = import_warc(sqlite_url, url, "-s", "ALLOW_PRIVATE_NETWORKS=10.0.0.0/8")
        assert run.returncode == 1, run.stderr[-3000:]
        assert "private_address: 127.0.0.1 resolves to 127.0.0.1 is loopback" in run.stderr
        assert last_stats(sqlite_url)["depeches/warc/files_failed"] == 1
        assert server.requests == []
        run = import_warc(sqlite_url, url)
        assert run.returncode == 0, run.stderr[-3000:]
    assert last_stats(sqlite_url)["depeches/warc/files"] == 1
    provenance = query(sqlite_url, "SELECT DISTINCT warc_file FROM raw_pages")
    assert provenance == [(url,)]


def test_hosts_catalogue_keeps_the_configured_sites_only(sqlite_url, tmp_path):
    pages = list(demo_articles().items())
    builder = WarcBuilder()
    builder.page("http://127.0.0.1:8765" + pages[0][0], pages[0][1])  # demo.toml's origin
    builder.page("https://www.journal-du-lac.example" + pages[1][0], pages[1][1])
    warc = builder.write(tmp_path / "hosts.warc.gz")
    run = import_warc(sqlite_url, str(warc), "-a", "hosts=catalogue")
    assert run.returncode == 0, run.stderr[-3000:]
    stats = last_stats(sqlite_url)
    assert stats["depeches/warc/skipped/host"] == 1 and stats["depeches/warc/pages"] == 1
    stored = query(sqlite_url, "SELECT s.key FROM articles a JOIN sites s ON s.id = a.site_id")
    assert stored == [("demo",)]
