"""`scrapy crawl ccnews -a from=YYYY-MM -a to=YYYY-MM [-a hosts=catalogue|all]`: backfill CC-NEWS.

Common Crawl publishes one paths file a month,
`crawl-data/CC-NEWS/YYYY/MM/warc.paths.gz`, listing that month's WARC files
(`crawl-data/CC-NEWS/YYYY/MM/CC-NEWS-YYYYMMDDHHMMSS-NNNNN.warc.gz`, about 1 GB each), under
CCNEWS_BASE_URL (default https://data.commoncrawl.org/). The spider registers the months'
files in `warc_files`, then claims and imports one file at a time, streamed (crawler/fetch/stream.py
guards the address). A file is marked done only once all its articles are written, so a killed
run resumes at the file it was in (whose articles already stored are not stored twice: the
archive's upserts are idempotent), and several workers (settings.redis turns the run lock off)
share the list, each claiming the next file.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import date
from typing import Any

from scrapy.crawler import Crawler

from crawler.extensions.crawl_run import archive_writer
from crawler.fetch.stream import open_stream
from crawler.sites import SiteConfigError
from crawler.spiders.warc import FileProgress, WarcSpider
from crawler.storage import warcfiles
from crawler.storage.writer import count_results

COLLECTION = "CC-NEWS"
DEFAULT_BASE_URL = "https://data.commoncrawl.org/"
MAX_PATHS_BYTES = 20 * 1024 * 1024  # a month lists ~1,000 files: a few hundred kB
FIRST_MONTH = date(2016, 8, 1)  # CC-NEWS starts in August 2016
_MONTH = re.compile(r"\A(\d{4})-(\d{2})\Z")
_PATH = re.compile(r"\Acrawl-data/CC-NEWS/\d{4}/\d{2}/[A-Za-z0-9._-]{1,200}\.warc(?:\.gz)?\Z")


def parse_month(text: str | None, name: str) -> date:
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise SiteConfigError("-a", name, f"expects a month YYYY-MM, got {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_range(start: str | None, end: str | None) -> list[str]:
    """["2024-01", "2024-02", ...] from `-a from=` to `-a to=` (default: from), inclusive."""
    first = parse_month(start, "from")
    last = parse_month(end, "to") if end else first
    if last < first:
        raise SiteConfigError("-a", "to", f"{end} is before {start}")
    if first < FIRST_MONTH:
        raise SiteConfigError("-a", "from", f"CC-NEWS starts in {FIRST_MONTH:%Y-%m}")
    months = []
    current = first
    while current <= last:
        months.append(f"{current:%Y-%m}")
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def paths_url(base_url: str, month: str) -> str:
    year, number = month.split("-")
    return f"{base_url.rstrip('/')}/crawl-data/CC-NEWS/{year}/{number}/warc.paths.gz"


def parse_paths(data: bytes) -> tuple[list[str], int]:
    """The WARC paths of a (gunzipped) paths file, and the number of lines refused."""
    paths, refused = [], 0
    for line in data.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line:
            continue
        if _PATH.match(line):
            paths.append(line)
        else:
            refused += 1
    return paths, refused


class CcnewsSpider(WarcSpider):
    """Backfills months of CC-NEWS through the same pipelines as a crawl (see WarcSpider)."""

    name = "ccnews"

    def __init__(
        self, base_url: str | None = None, hosts: str | None = None, **kwargs: Any
    ) -> None:
        start, end = kwargs.pop("from", None), kwargs.pop("to", None)
        super().__init__(hosts=hosts, **kwargs)
        self.months = month_range(start, end)
        self.base_url_arg = base_url
        self.base_url = DEFAULT_BASE_URL
        self._given_up: set[str] = set()

    def sources_from_args(self) -> list[str]:
        return []  # the paths files name them, month by month

    def configure(self, crawler: Crawler) -> None:
        super().configure(crawler)
        self.base_url = (
            self.base_url_arg or crawler.settings.get("CCNEWS_BASE_URL") or DEFAULT_BASE_URL
        )

    def _paths(self, month: str) -> list[str]:
        """The month's WARC paths, read from its paths file (raises OSError)."""
        url = paths_url(self.base_url, month)
        raw = open_stream(url, self.address_policy, self.read_timeout)
        with closing(raw), gzip.GzipFile(fileobj=raw) as unzipped:
            data = unzipped.read(MAX_PATHS_BYTES + 1)
        if len(data) > MAX_PATHS_BYTES:
            raise OSError(f"{url}: paths file larger than {MAX_PATHS_BYTES} bytes")
        paths, refused = parse_paths(data)
        if refused:
            self.logger.warning("%s: %d lines are not CC-NEWS WARC paths", url, refused)
        return paths

    async def start(self) -> AsyncIterator[Any]:
        self.writer = archive_writer(self.crawler)
        if not await self.writer.wait_open():
            return
        run_id = self.writer.run_id
        for month in self.months:
            try:
                paths = await asyncio.to_thread(self._paths, month)
            except (OSError, EOFError, ValueError) as exc:
                self.logger.error("CC-NEWS %s: cannot read the paths file: %s", month, exc)
                self._inc("depeches/warc/months_failed")
                self._fail_run()
                continue
            added = await self.writer.call("registering WARC files", warcfiles.register,
                                           COLLECTION, month, paths)  # fmt: skip
            self.logger.info("CC-NEWS %s: %d files (%d new)", month, len(paths), added)
        while not self._stop.is_set():
            path = await self.writer.call(
                "claiming a WARC file", warcfiles.claim, run_id, self.months, self._given_up
            )
            if path is None:
                break
            url = f"{self.base_url.rstrip('/')}/{path}"
            progress = FileProgress()
            async for page in self.import_file(url, url, progress):
                yield page
            await self.settled(url)
            if self._stop.is_set():
                break  # closing: the file stays claimed by this run, taken up by the next
            if progress.failed:
                self._given_up.add(path)
                self._inc("depeches/warc/files_failed")
                self._fail_run()
                await self.writer.call("releasing a WARC file", warcfiles.release, path, run_id)
                continue
            count_results(self.crawler, await self.writer.flush())
            counts = warcfiles.FileCounts(progress.records, progress.pages, progress.skipped)
            await self.writer.call("finishing a WARC file", warcfiles.finish, path, run_id, counts)
            self._inc("depeches/warc/files")
            self.logger.info(
                "%s done: %d records, %d pages, %d skipped",
                path, progress.records, progress.pages, progress.skipped,
            )  # fmt: skip
