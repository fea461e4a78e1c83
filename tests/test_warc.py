"""Pure parts of the WARC import: language pre-filter, dates, sources, months, paths, guard."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime

import pytest

from crawler.fetch.netguard import AddressPolicy
from crawler.fetch.stream import StreamRefusedError, open_stream
from crawler.sites import SiteConfig, SiteConfigError
from crawler.spiders.ccnews import month_range, parse_paths, paths_url
from crawler.spiders.warc import host_matcher
from crawler.warc import (
    RecordFilter,
    Skipped,
    TrackedStream,
    WarcPage,
    WarcSourceError,
    declared_languages,
    expand_sources,
    parse_warc_date,
    read_warc,
    warc_date,
    warc_response,
)


@pytest.mark.parametrize(
    ("header", "head", "expected"),
    [
        (None, b'<!DOCTYPE html><html lang="fr-FR"><head>', {"fr"}),
        (None, b"<html class='no-js' lang='fr'>", {"fr"}),
        (None, b"<html xml:lang=en lang=en>", {"en"}),
        ("fr-CA, en", b"<html>", {"fr", "en"}),
        ("de", b'<html lang="fr">', {"de", "fr"}),
        (None, b'<meta http-equiv="Content-Language" content="ar">', {"ar"}),
        (None, b"<html><head><title>Sans langue</title>", set()),
        (None, b'<html lang="">', set()),
        (None, b'<html data-x="' + b"y" * 5000 + b'" lang="fr">', set()),  # past the bound
        ("*", b"<html>", set()),
    ],
)
def test_declared_languages(header, head, expected):
    assert declared_languages(header, head) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-11-05T08:30:00Z", datetime(2024, 11, 5, 8, 30, tzinfo=UTC)),
        ("2024-11-05T08:30:00.250000Z", datetime(2024, 11, 5, 8, 30, 0, 250000, tzinfo=UTC)),
        ("2024-11-05T09:30:00+01:00", datetime(2024, 11, 5, 8, 30, tzinfo=UTC)),
        ("2024-11-05T08:30:00", datetime(2024, 11, 5, 8, 30, tzinfo=UTC)),
        ("hier", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_warc_date(text, expected):
    assert parse_warc_date(text) == expected


def test_warc_date_round_trips():
    for value in (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2024, 1, 2, 3, 4, 5, 6, UTC)):
        assert parse_warc_date(warc_date(value)) == value
    assert warc_date(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05Z"


def test_a_written_record_reads_back_with_its_hints_and_requested_url():
    when = datetime(2024, 11, 5, 8, 30, 0, 123456, tzinfo=UTC)
    html = '<html lang="fr"><body><p>Un été à Dakar</p></body></html>'.encode()
    hints = {"feed_title": "Été"}
    data = warc_response(
        "https://exemple.sn/b", when, 200, html, requested_url="https://exemple.sn/a", hints=hints
    )
    (page,) = read_warc(TrackedStream(io.BytesIO(data)), RecordFilter())
    assert isinstance(page, WarcPage)
    assert (page.url, page.requested_url, page.date, page.body, page.offset) == (
        "https://exemple.sn/b", "https://exemple.sn/a", when, html, 0,
    )  # fmt: skip
    assert page.hints == {"feed_title": "Été"}
    assert page.headers["content-type"] == "text/html; charset=utf-8"


def test_the_filter_leaves_out_other_hosts_and_large_pages():
    html = b"<html><body>" + b"x" * 1000 + b"</body></html>"
    when = datetime(2024, 1, 1, tzinfo=UTC)
    data = b"".join(
        warc_response(url, when, 200, html)
        for url in ("https://www.exemple.sn/a", "https://autre.example/b", "https://exemple.sn/c")
    )
    wanted = RecordFilter(wants_host=host_matcher([SiteConfig("x", "X", domains=("exemple.sn",))]))
    outcomes = list(read_warc(TrackedStream(io.BytesIO(data)), wanted))
    assert [type(o).__name__ for o in outcomes] == ["WarcPage", "Skipped", "WarcPage"]
    assert isinstance(outcomes[1], Skipped) and outcomes[1].reason == "host"
    small = RecordFilter(max_bytes=500)
    reasons = [o.reason for o in read_warc(TrackedStream(io.BytesIO(data)), small)]  # type: ignore[union-attr]
    assert reasons == ["too_large"] * 3


def test_a_stream_that_fails_is_not_a_corrupt_file():
    class Broken(io.BytesIO):
        def read(self, size: int = -1) -> bytes:
            raise ConnectionResetError("peer went away")

    with pytest.raises(OSError, match="peer went away"):
        list(read_warc(TrackedStream(Broken()), RecordFilter()))


def test_expand_sources(tmp_path):
    (tmp_path / "b.warc.gz").write_bytes(b"")
    (tmp_path / "a.warc.gz").write_bytes(b"")
    spec = f"{tmp_path}/*.warc.gz, https://exemple.sn/x.warc.gz,{tmp_path}/a.warc.gz"
    assert expand_sources(spec) == [
        f"{tmp_path}/a.warc.gz", f"{tmp_path}/b.warc.gz", "https://exemple.sn/x.warc.gz",
    ]  # fmt: skip
    for bad, message in (("", "give -a file"), (f"{tmp_path}/none.warc", "no such file"),
                         (f"{tmp_path}/*.warc", "no file matches")):  # fmt: skip
        with pytest.raises(WarcSourceError, match=message):
            expand_sources(bad)


def test_month_range():
    assert month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert month_range("2024-05", None) == ["2024-05"]
    for start, end in (
        ("2024-13", None),
        ("24-01", None),
        ("2024-03", "2024-01"),
        ("2015-01", None),
    ):
        with pytest.raises(SiteConfigError):
            month_range(start, end)


def test_paths_file():
    assert paths_url("https://data.commoncrawl.org/", "2024-01") == (
        "https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/01/warc.paths.gz"
    )
    good = "crawl-data/CC-NEWS/2024/01/CC-NEWS-20240101021425-00411.warc.gz"
    text = f"{good}\n\n../../etc/passwd\nhttps://ailleurs.example/x.warc.gz\n"
    assert parse_paths(gzip.decompress(gzip.compress(text.encode()))) == ([good], 2)


def test_a_streamed_download_is_refused_on_a_private_address(monkeypatch):
    """The WARC downloader applies the crawl's guard (the policy is tested in test_netguard)."""
    monkeypatch.delenv("ALLOW_PRIVATE_NETWORKS", raising=False)
    with pytest.raises(StreamRefusedError, match=r"private_address: 127\.0\.0\.1"):
        open_stream("http://127.0.0.1:9/x.warc.gz", AddressPolicy())
    with pytest.raises(StreamRefusedError, match="loopback"):
        open_stream("http://localhost:9/x.warc.gz", AddressPolicy())


STREAM_CHECK = r"""
import resource, sys
from datetime import UTC, datetime
from crawler.warc import RecordFilter, TrackedStream, WarcPage, read_warc, warc_response
import gzip

page = b'<html lang="en"><body>' + b"<p>dock workers strike</p>" * 40000 + b"</body></html>"
record = gzip.decompress(warc_response("https://a.example/x", datetime(2024, 1, 1, tzinfo=UTC),
                                       200, page))
COUNT = 300

class Endless:
    '''COUNT records, produced as they are read: the file never exists whole.'''
    def __init__(self):
        self.left, self.buffer = COUNT, b""
    def read(self, size=-1):
        while len(self.buffer) < max(size, 1) and self.left:
            self.buffer += record
            self.left -= 1
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcomes = [type(o).__name__ + ":" + getattr(o, "reason", "") for o in
            read_warc(TrackedStream(Endless()), RecordFilter())]
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(len(outcomes), set(outcomes), len(record) * COUNT // 2**20, grown // 1024)
"""


def test_reading_streams_a_large_file_in_flat_memory():
    """300 records of 1 MB (~300 MB) read from a stream: peak RSS grows by a few MB."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", STREAM_CHECK], capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip
    fields = result.stdout.split()
    count, total_mb, grown_mb = int(fields[0]), int(fields[-2]), int(fields[-1])
    assert count == 300 and "Skipped:language" in result.stdout
    assert total_mb >= 280  # MiB
    assert grown_mb < 40, result.stdout
