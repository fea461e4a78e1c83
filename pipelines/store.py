"""Pipeline 2 of 2: batched, idempotent writes through the archive writer, off the reactor."""

from __future__ import annotations

import logging
from typing import Self

from scrapy.crawler import Crawler

from crawler import exitcodes
from crawler.extensions.crawl_run import archive_writer
from crawler.items import Article
from crawler.storage.repository import SaveResult
from crawler.storage.writer import DatabaseUnavailableError, count_results

logger = logging.getLogger(__name__)


class StorePipeline:
    """Queues articles for the writer, one transaction a batch; a failed write stops the crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.writer = archive_writer(crawler)
        self._stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _count(self, results: list[SaveResult]) -> None:
        count_results(self.crawler, results)

    def _fail(self, exc: Exception) -> None:
        """Stop the crawl; its articles not written are fetched again by the next run."""
        if self._stopping:  # batches already queued fail in turn: one error line is enough
            logger.warning("another batch not written: %s", exc)
            return
        self._stopping = True
        logger.error("database write failed, stopping the crawl: %s", exc)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("depeches/exit_code", exitcodes.DATABASE_ERROR)
        if self.crawler.engine is not None and self.crawler.spider is not None:
            self.crawler.engine.close_spider(self.crawler.spider, "database_error")

    def _coverage(self, article: Article) -> None:
        """Per-run field coverage, compared with recent runs to spot a silent layout change."""
        stats = self.crawler.stats
        if stats is None:
            return
        stats.inc_value("depeches/coverage/articles")
        for field, present in (
            ("date", article.published is not None),
            ("agency", bool(article.agencies)),
            ("body", bool(article.body)),
        ):
            if present:
                stats.inc_value(f"depeches/coverage/{field}")

    async def process_item(self, article: Article) -> Article:
        self._coverage(article)
        if self.writer.failed:
            return article
        try:
            results = await self.writer.add_article(article)
        except DatabaseUnavailableError as exc:
            self._fail(exc)
            return article
        self._count(results)
        return article

    async def close_spider(self) -> None:
        if self.writer.failed:
            return
        try:
            results = await self.writer.flush()
        except DatabaseUnavailableError as exc:
            self._fail(exc)
            return
        self._count(results)
        if self.crawler.stats is not None:
            cpu_us = round(self.writer.store_cpu_seconds * 1_000_000)
            self.crawler.stats.set_value("depeches/time/store_cpu_us", cpu_us)
