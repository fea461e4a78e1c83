"""The periodic progress line of long runs: rates, the queue, the frontier.

Scrapy's LogStats says "Crawled N pages (at R pages/min), scraped M items (at S items/min)"
every LOGSTATS_INTERVAL seconds; an operator watching a long run also needs to know how much
is left: the requests in the scheduler, those in the downloader, and (site crawls) the URLs of
the run's sites still pending in the frontier, counted on the archive's writer thread.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.logstats import LogStats

from crawler.extensions.crawl_run import CrawlRunExtension
from crawler.storage.writer import ArchiveWriter

logger = logging.getLogger(__name__)

# the progress line waits at most this long for the frontier count (the writer may be busy)
COUNT_WAIT_SECONDS = 5.0


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Consume a task's outcome so an abandoned count never logs "exception never retrieved"."""
    if not task.cancelled():
        task.exception()


class ProgressLog(LogStats):
    def __init__(self, crawler: Crawler, interval: float) -> None:
        assert crawler.stats is not None
        super().__init__(crawler.stats, interval)
        self.crawler = crawler
        self._count: asyncio.Future[int] | None = None
        self._lines: set[asyncio.Future[None]] = set()  # lines waiting for their count

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("LOGSTATS_INTERVAL")
        if not interval:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def queue_sizes(self) -> tuple[int | None, int | None]:
        """(requests in the scheduler, requests in the downloader), None where unknown."""
        engine = self.crawler.engine
        if engine is None:
            return None, None
        queued: int | None
        try:
            queued = len(engine.scheduler) if engine.scheduler is not None else None  # type: ignore[arg-type]
        except Exception:  # a scheduler without __len__, or a Redis hiccup
            queued = None
        active = getattr(engine.downloader, "active", None)
        return queued, (len(active) if active is not None else None)

    def log(self, spider: Spider) -> None:
        self.calculate_stats()
        args: dict[str, Any] = {
            "pages": self.pages,
            "pagerate": self.prate,
            "items": self.items,
            "itemrate": self.irate,
        }
        args["queued"], args["active"] = self.queue_sizes()
        keys = [s.key for s in getattr(spider, "sites", []) if not getattr(s, "generic", False)]
        crawl_run = self.crawler.get_extension(CrawlRunExtension)
        writer = crawl_run.writer if crawl_run is not None else None
        if keys and writer is not None and writer.run_id is not None:
            line = asyncio.ensure_future(self._log_with_pending(args, spider, writer, keys))
            self._lines.add(line)
            line.add_done_callback(self._lines.discard)
        else:
            self._emit(args, None, spider)

    async def _log_with_pending(
        self, args: dict[str, Any], spider: Spider, writer: ArchiveWriter, keys: list[str]
    ) -> None:
        if self._count is None or self._count.done():
            self._count = asyncio.ensure_future(writer.pending_count(keys))
            self._count.add_done_callback(_retrieve)
        try:
            pending: int | None = await asyncio.wait_for(
                asyncio.shield(self._count), min(COUNT_WAIT_SECONDS, self.interval / 2)
            )
        except Exception:  # busy or unreachable database: the line goes out without it
            pending = None
        self._emit(args, pending, spider)

    @staticmethod
    def _emit(args: dict[str, Any], pending: int | None, spider: Spider) -> None:
        def shown(value: int | None) -> str:
            return "?" if value is None else str(value)

        message = (
            "Crawled %(pages)d pages (at %(pagerate)d pages/min), "
            "scraped %(items)d items (at %(itemrate)d items/min); "
            "queue %(queued)s requests, %(active)s in the downloader"
        )
        values = {**args, "queued": shown(args["queued"]), "active": shown(args["active"])}
        if pending is not None:
            message += ", frontier %(pending)s pending"
            values["pending"] = pending
        logger.info(message, values, extra={"spider": spider})
