"""`scrapy export --format warc`: the archive's stored pages (raw_pages) as WARC response records.

One response record per stored page, in article then fetch order, so that importing the file
(`scrapy crawl warc`) into a fresh database gives back the same articles: same URL, title, body
and dates. Each record carries the page as the crawler decoded it, re-encoded UTF-8 (which is
what raw_pages keeps), hence `Content-Type: text/html; charset=utf-8`: a crawl does not keep a
page's original response headers, whose charset would now be wrong. The fetch time is the
`WARC-Date`; the URL first requested (before redirects) and what discovery knew of the URL
(feed date, sitemap title: the pipelines read them) ride in two WARC fields of our own,
`WARC-Depeches-Requested-URI` and `WARC-Depeches-Hints`. Pages imported from a WARC keep
their provenance in raw_pages, not in the export.
"""

from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, select

from crawler.storage import models
from crawler.storage.export import BATCH_SIZE, ExportFilter, _snapshot, filtered
from crawler.warc import warc_response, warcinfo_record


def export_warc(engine: Engine, out_path: str | Path, selection: ExportFilter | None = None) -> int:
    """Write every stored page of the selected articles; the number of records written.

    A name ending in .gz gets one gzip member per record (as Common Crawl's files), any other
    name plain records. The file is written whole or not at all.
    """
    selection = selection or ExportFilter()
    name = Path(str(out_path)).name
    compressed = name.endswith(".gz")
    page, article, site = models.RawPage, models.Article, models.Site
    statement = (
        select(
            page.url,
            page.final_url,
            page.fetched_at,
            page.http_status,
            page.html_gz,
            page.hints,
        )
        .join(article, article.id == page.article_id)
        .join(site, site.id == article.site_id)
        .order_by(page.article_id, page.fetched_at)
        .execution_options(yield_per=BATCH_SIZE, stream_results=True)
    )
    count = 0
    with _binary_target(out_path) as out, _snapshot(engine) as connection:
        out.write(_member(warcinfo_record(name, datetime.now(UTC)), compressed))
        for row in connection.execute(filtered(statement, selection)):
            record = warc_response(
                row.final_url or row.url,
                row.fetched_at,
                row.http_status,
                gzip.decompress(row.html_gz),
                requested_url=row.url,
                hints=row.hints or None,
            )
            out.write(_member(record, compressed))
            count += 1
    return count


def _member(gzipped_record: bytes, compressed: bool) -> bytes:
    return gzipped_record if compressed else gzip.decompress(gzipped_record)


@contextmanager
def _binary_target(out_path: str | Path) -> Iterator[IO[bytes]]:
    """Standard output, or a temporary file renamed over the target once complete."""
    if str(out_path) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as stream:
            yield stream
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
