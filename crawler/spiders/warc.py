"""`scrapy crawl warc -a file=PATH|GLOB|URL[,...]`: import WARC response records as fetched pages.

An import is a crawl whose pages come from a file: each wanted record becomes the same
`FetchedPage` a fetch yields (through `ArticleSpider.parse_article`, so decoding, binary and
truncation checks are the crawl's), with the record's WARC-Date as its fetch time and the file
and offset as its provenance. The pipelines (the process pool's `process_page`, the store,
rejections, frontier, crawl_runs) then apply unchanged.

Records are read in a thread (FastWARC, crawler/warc.py) into a small queue; at most
WARC_MAX_IN_FLIGHT pages are in the pipelines at a time, so memory stays flat whatever the
file's size. Everything left out is counted in the run's stats as
`depeches/warc/skipped/<reason>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from crawler import exitcodes
from crawler.extensions.crawl_run import archive_writer
from crawler.fetch.netguard import AddressPolicy
from crawler.fetch.stream import open_stream
from crawler.items import FetchedPage
from crawler.sites import SiteConfig, SiteConfigError, load_sites, select_sites
from crawler.spiders.base import ArticleSpider
from crawler.warc import (
    RecordFilter,
    Skipped,
    SourceReadError,
    TrackedStream,
    WarcPage,
    WarcSourceError,
    expand_sources,
    primary_languages,
    read_warc,
)

QUEUE_SIZE = 32
TAKE_AT_ONCE = 64
_END = object()


@dataclass
class SourceFailed:
    """The file could not be opened or stopped delivering its bytes."""

    message: str


@dataclass
class FileProgress:
    """What one file gave: records read, pages handed on, records skipped, and a failure."""

    records: int = 0
    pages: int = 0
    skipped: int = 0
    failed: str | None = None


def host_matcher(sites: list[SiteConfig]) -> Callable[[str], bool]:
    """Does a host belong to one of these sites (its domains, or a subdomain of one)?"""
    domains = {d.lower() for site in sites for d in site.domains}

    def wants(host: str) -> bool:
        parts = host.lower().split(".")
        return any(".".join(parts[i:]) in domains for i in range(len(parts)))

    return wants


class WarcSpider(ArticleSpider):
    """Imports the response records of WARC files through the crawl's pipelines.

    `-a languages=fr,en` (default WARC_LANGUAGES): the languages wanted; `-a hosts=` `all`
    (default), `catalogue` (every configured site) or a site key / group: the hosts wanted.
    A record of a configured site's host is attributed to that site; any other host gets its
    own site row, created on the fly and marked generic.
    """

    name = "warc"
    site_key: str | None = None

    def __init__(
        self,
        file: str | None = None,
        languages: str | None = None,
        hosts: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.file_spec = file
        self.languages_arg = languages
        self.hosts_arg = (hosts or "all").strip()
        self.sites = []
        self.sources: list[str] = []
        self._by_key: dict[str, SiteConfig] = {}
        self._configured: list[SiteConfig] = []
        self._in_flight: Counter[str] = Counter()
        self._stop = threading.Event()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler)
        return spider

    def sources_from_args(self) -> list[str]:
        return expand_sources(self.file_spec)

    def configure(self, crawler: Crawler) -> None:
        settings = crawler.settings
        try:
            self.sources = self.sources_from_args()
        except WarcSourceError as exc:
            raise SiteConfigError("-a", "file", str(exc)) from None
        languages = primary_languages([self.languages_arg or settings.get("WARC_LANGUAGES", "fr")])
        # One wanted language: a page read as another after extraction is rejected, as a site
        # with `language_policy = "reject"` does; several: the pre-filter alone decides.
        self.only_language = next(iter(languages)) if len(languages) == 1 else None
        sites_dir = Path(settings.get("SITES_DIR"))
        has_files = any(sites_dir.glob("*.toml"))
        self._configured = [
            self._wanting(site) for site in (load_sites(sites_dir, "all") if has_files else [])
        ]
        self.sites = list(self._configured)
        self._by_key = {site.key: site for site in self.sites}
        wanted_sites: list[SiteConfig] | None = None
        if self.hosts_arg == "catalogue":
            wanted_sites = self._configured
        elif self.hosts_arg != "all":
            wanted_sites = select_sites(sites_dir, self.hosts_arg)
        self.filter = RecordFilter(
            languages=frozenset(languages),
            wants_host=host_matcher(wanted_sites) if wanted_sites is not None else None,
            max_bytes=settings.getint("DOWNLOAD_MAXSIZE", 20 * 1024 * 1024) or 10**12,
        )
        self.max_in_flight = max(1, settings.getint("WARC_MAX_IN_FLIGHT", 32))
        self.address_policy = AddressPolicy.from_settings(settings)
        self.read_timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 180)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._settled, signal=signal)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    def _wanting(self, site: SiteConfig) -> SiteConfig:
        if self.only_language is None:
            return site
        return replace(site, language=self.only_language, language_policy="reject")

    def site_for(self, url: str) -> SiteConfig:
        """The configured site owning the URL, else the host's own generic site (cached)."""
        for site in self._configured:
            if site.owns(url):
                return site
        generic = SiteConfig.for_unknown_domain(url)
        known = self._by_key.get(generic.key)
        if known is not None:
            return known
        site = self._wanting(generic)
        self._by_key[site.key] = site
        self.sites.append(site)
        return site

    # -- in-flight accounting ----------------------------------------------------------------

    def _settled(self, item: Any, **_: Any) -> None:
        name = getattr(item, "warc_file", None)
        if name is not None and self._in_flight[name] > 0:
            self._in_flight[name] -= 1

    def _closed(self, **_: Any) -> None:
        self._stop.set()

    async def _room(self) -> None:
        while self._in_flight.total() >= self.max_in_flight and not self._stop.is_set():
            await asyncio.sleep(0.005)

    async def settled(self, name: str) -> None:
        """Until every page of this file has left the pipelines."""
        while self._in_flight[name] > 0 and not self._stop.is_set():
            await asyncio.sleep(0.02)

    def _fail_run(self) -> None:
        """A file could not be read: the run still ends, but exits 1 so cron notices."""
        stats = self.crawler.stats
        if stats is not None and not stats.get_value("depeches/exit_code"):
            stats.set_value("depeches/exit_code", exitcodes.FAILED)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

    # -- reading -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        self.writer = archive_writer(self.crawler)
        if not await self.writer.wait_open():
            return
        for source in self.sources:
            progress = FileProgress()
            async for page in self.import_file(source, source, progress):
                yield page
            self._inc("depeches/warc/files_failed" if progress.failed else "depeches/warc/files")
            if progress.failed:
                self._fail_run()
        # start() ends once its last pages have left the pipelines: Scrapy then finds the
        # spider idle at once, where it would otherwise wait for its next 5 s heartbeat
        for source in self.sources:
            await self.settled(source)

    def open_source(self, source: str) -> IO[bytes]:
        """The file's bytes: a local file, or a streamed download behind the private guard."""
        if source.lower().startswith(("http://", "https://")):
            return open_stream(source, self.address_policy, self.read_timeout)
        return open(source, "rb")  # closed by the reading thread

    def _read(self, source: str, pipe: queue.Queue[Any]) -> None:
        """Reading thread: records into the queue, bounded; stops when the spider closes."""

        def put(entry: Any) -> bool:
            while not self._stop.is_set():
                try:
                    pipe.put(entry, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            with contextlib.closing(TrackedStream(self.open_source(source))) as stream:
                for entry in read_warc(stream, self.filter):
                    if not put(entry):
                        return
        except (OSError, SourceReadError, ValueError) as exc:
            put(SourceFailed(f"{type(exc).__name__}: {exc}"))
        except Exception as exc:  # a bug must not hang the spider on an empty queue
            self.logger.exception("reading %s failed", source)
            put(SourceFailed(f"{type(exc).__name__}: {exc}"))
        finally:
            put(_END)

    @staticmethod
    def _take(pipe: queue.Queue[Any], stop: threading.Event) -> list[Any]:
        while not stop.is_set():
            try:
                first = pipe.get(timeout=0.2)
                break
            except queue.Empty:
                continue
        else:
            return [_END]
        taken = [first]
        with contextlib.suppress(queue.Empty):
            while first is not _END and len(taken) < TAKE_AT_ONCE:
                taken.append(pipe.get_nowait())
                if taken[-1] is _END:
                    break
        return taken

    async def import_file(
        self, source: str, name: str, progress: FileProgress
    ) -> AsyncIterator[FetchedPage]:
        """The wanted pages of one file, as FetchedPages; skips counted in the stats."""
        self.logger.info("importing %s", source)
        pipe: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_SIZE)
        reader = threading.Thread(
            target=self._read, args=(source, pipe), name="depeches-warc", daemon=True
        )
        reader.start()
        while True:
            batch = await asyncio.to_thread(self._take, pipe, self._stop)
            for entry in batch:
                if entry is _END:
                    return
                if isinstance(entry, SourceFailed):
                    progress.failed = entry.message
                    self.logger.error("could not read %s: %s", source, entry.message)
                    continue
                progress.records += 1
                self._inc("depeches/warc/records")
                if isinstance(entry, Skipped):
                    progress.skipped += 1
                    self._inc(f"depeches/warc/skipped/{entry.reason}")
                    if entry.reason == "corrupt":
                        self.logger.warning(
                            "%s: corrupt record at offset %s (%s): rest of file skipped",
                            source, entry.offset, entry.url[:200],
                        )  # fmt: skip
                    continue
                page = self.fetched_page(entry, name)
                progress.pages += 1
                self._inc("depeches/warc/pages")
                await self._room()
                self._in_flight[name] += 1
                yield page

    def fetched_page(self, record: WarcPage, name: str) -> FetchedPage:
        """The record as the crawl's own callback would have turned its response."""
        site = self.site_for(record.url)
        meta: dict[str, Any] = {"site_key": site.key, "hints": record.hints, "article": True}
        if record.requested_url:
            meta["redirect_urls"] = [record.requested_url]
        headers = Headers(record.headers)
        kind = responsetypes.from_args(headers=headers, url=record.url, body=record.body)
        response = kind(
            url=record.url,
            status=record.status,
            headers=headers,
            body=record.body,
            request=Request(record.url, meta=meta),
        )
        page = next(
            (out for out in self.parse_article(response) if isinstance(out, FetchedPage)),
            None,
        )
        if page is None:  # a redirect, which the pre-filter already leaves out
            page = self._page(response, error="redirect_failed", error_detail="in a WARC")
        return replace(page, fetched_at=record.date, warc_file=name, warc_offset=record.offset)
