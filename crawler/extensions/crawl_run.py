"""Records each crawl as a `crawl_runs` row and every dropped article as a rejection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.spiders import Spider

from crawler import exitcodes
from crawler.monitoring import NORMAL_CLOSE
from crawler.process.rejections import Rejected
from crawler.storage.writer import ArchiveWriter, DatabaseUnavailableError

logger = logging.getLogger(__name__)


_closing: set[asyncio.Future[None]] = set()  # keeps the close tasks alive until done


def stop_crawl(crawler: Crawler, reason: str, exit_code: int) -> None:
    """Close the spider with `reason` and make the process exit with `exit_code`.

    The first exit code set wins; closing a spider that is already closing does nothing.
    """
    if crawler.stats is not None and not crawler.stats.get_value("depeches/exit_code"):
        crawler.stats.set_value("depeches/exit_code", exit_code)
    engine = crawler.engine
    if engine is None or engine.spider is None:
        return

    async def close() -> None:
        with contextlib.suppress(RuntimeError):  # closed meanwhile
            await engine.close_spider_async(reason=reason)

    closing = asyncio.ensure_future(close())
    _closing.add(closing)
    closing.add_done_callback(_closing.discard)


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat()
        elif isinstance(value, (int, float, str, bool)) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out


def archive_writer(crawler: Crawler) -> ArchiveWriter:
    """The crawl's one archive writer: its crawl-run extension's (Crawler.get_extension)."""
    extension = crawler.get_extension(CrawlRunExtension)
    if extension is None:
        raise NotConfigured(
            "the archive writer lives in CrawlRunExtension: enable it in EXTENSIONS"
        )
    return extension.writer


class CrawlRunExtension:
    """Owns the crawl's ArchiveWriter: opens its run row, records rejections, closes the run.

    The store pipeline and the spiders that read the frontier reach the same writer through
    `archive_writer(crawler)`.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.writer = ArchiveWriter.from_crawler(crawler)
        self.writer.on_unavailable = self._database_lost
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _set_exit(self, code: int) -> None:
        if self.crawler.stats is not None and not self.crawler.stats.get_value(
            "depeches/exit_code"
        ):
            self.crawler.stats.set_value("depeches/exit_code", code)

    def _database_lost(self, error: DatabaseUnavailableError) -> None:
        """The database stayed unreachable past DATABASE_RETRY_SECONDS: stop, exit code 3."""
        logger.error("database unavailable, stopping the crawl: %s", error)
        stop_crawl(self.crawler, "database_error", exitcodes.DATABASE_ERROR)

    async def spider_opened(self, spider: Spider) -> None:
        site_key = getattr(spider, "site_key", None)
        try:
            await self.writer.open(spider.name, site_key, list(getattr(spider, "sites", [])))
        except Exception as exc:
            logger.error("cannot open the archive database: %s", exc)
            self.writer.failed = True
            self._set_exit(exitcodes.DATABASE_ERROR)
            if self.crawler.engine is not None:
                self.crawler.engine.close_spider(spider, "database_error")

    def item_dropped(
        self, item: Any, response: Any, exception: BaseException, spider: Spider
    ) -> None:
        url = (
            getattr(exception, "url", "")
            or getattr(item, "url", "")
            or getattr(response, "url", "")
        )
        site = getattr(item, "site", None)
        if isinstance(exception, Rejected):
            reason, detail = exception.reason, exception.detail
        else:
            reason, detail = "pipeline_error", str(exception)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"depeches/rejected/{reason}")
        self.writer.add_rejection(url, site, reason, detail)

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        url = getattr(item, "url", "") or getattr(response, "url", "")
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("depeches/rejected/pipeline_error")
        self.writer.add_rejection(
            url, getattr(item, "site", None), "pipeline_error", str(failure.value)
        )

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        if self.writer.repository is None:
            return
        try:
            await self.writer.flush()
        except DatabaseUnavailableError as exc:
            logger.error("could not record the last rejections: %s", exc)
            self._set_exit(exitcodes.DATABASE_ERROR)
        if self.writer.failed:
            status = "failed"
        elif reason in NORMAL_CLOSE:
            status = "ok"
        else:
            status = "failed"  # shutdown (signal), memory limit, an error: the reason is in stats
        snapshot = _jsonable(stats.get_stats()) if stats is not None else {}
        snapshot["close_reason"] = reason
        try:
            final = await self.writer.finish(status, snapshot)
            if final == "degraded":
                self._set_exit(exitcodes.DEGRADED)
        except Exception as exc:
            logger.error("could not record the crawl run: %s", exc)
            self._set_exit(exitcodes.DATABASE_ERROR)
