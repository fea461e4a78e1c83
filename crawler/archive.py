"""The crawl's link to the database: one writer thread, batched articles and rejections.

Pipelines and the crawl-run extension share one `ArchiveWriter` per crawler. All database calls
go through a single worker thread (never the reactor thread), in batches, so a write costs one
transaction per many items and SQLite sees one writer per process.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler

from crawler import PIPELINE_VERSION
from crawler.items import Article
from crawler.monitoring import assess_run
from crawler.storage.engine import make_engine, redact, resolve_database_url
from crawler.storage.repository import Repository, SaveResult
from crawler.storage.runs import recent_run_stats
from crawler.storage.schema import ensure_schema

logger = logging.getLogger(__name__)


@dataclass
class PendingRejection:
    url: str
    site_key: str | None
    reason: str
    detail: str


class DatabaseUnavailableError(RuntimeError):
    """The database refused a write; the crawl must stop instead of dropping items."""


class ArchiveWriter:
    def __init__(self, database_url: str, batch_size: int = 50) -> None:
        self.database_url = database_url
        self.batch_size = max(1, batch_size)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="depeches-db")
        self._articles: list[Article] = []
        self._rejections: list[PendingRejection] = []
        self.repository: Repository | None = None
        self.run_id: int | None = None
        self.spider_name: str | None = None
        self.site_key: str | None = None
        self.failed = False

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> ArchiveWriter:
        writer = getattr(crawler, "_depeches_writer", None)
        if writer is None:
            url = resolve_database_url(crawler.settings.get("DATABASE_URL"))
            writer = cls(url, crawler.settings.getint("STORE_BATCH_SIZE", 50))
            crawler._depeches_writer = writer  # type: ignore[attr-defined]
        return writer

    # -- synchronous parts, always run on the writer thread --------------------------------

    def _open(self, spider_name: str, site_key: str | None, sites: list[Any]) -> int:
        engine = make_engine(self.database_url)
        ensure_schema(engine, create_if_empty=True)
        self.repository = Repository(engine, pipeline_version=PIPELINE_VERSION)
        for site in sites:
            if not site.generic:
                self.repository.ensure_site(site.key, site.name, site.country, site.timezone)
        self.spider_name, self.site_key = spider_name, site_key
        self.run_id = self.repository.start_run(spider_name, site_key)
        logger.info("writing to %s (crawl run %s)", redact(self.database_url), self.run_id)
        return self.run_id

    def _flush(
        self, articles: list[Article], rejections: list[PendingRejection]
    ) -> list[SaveResult]:
        assert self.repository is not None
        results = self.repository.save_articles(self.run_id, articles) if articles else []
        for rejection in rejections:
            self.repository.record_rejection(
                self.run_id, rejection.url, rejection.site_key, rejection.reason, rejection.detail
            )
        return results

    def _finish(self, status: str, stats: dict[str, Any]) -> str:
        """Close the run row; an ok run that looks far off the site's recent ones is degraded."""
        if self.repository is None or self.run_id is None:
            return status
        if status == "ok" and self.spider_name:
            history = recent_run_stats(
                self.repository.engine, self.spider_name, self.site_key, limit=10
            )
            reasons = assess_run(stats, history)
            if reasons:
                status = "degraded"
                stats = {**stats, "depeches/degraded_reasons": reasons}
                logger.warning("run degraded: %s", "; ".join(reasons))
        self.repository.finish_run(self.run_id, status, stats)
        return status

    # -- awaitable API for the reactor side ------------------------------------------------

    async def _call(self, function: Any, *args: Any) -> Any:
        return await asyncio.wrap_future(self._thread.submit(function, *args))

    async def open(self, spider_name: str, site_key: str | None, sites: list[Any]) -> int:
        result: int = await self._call(self._open, spider_name, site_key, sites)
        return result

    async def add_article(self, article: Article) -> list[SaveResult]:
        self._articles.append(article)
        if len(self._articles) >= self.batch_size:
            return await self.flush()
        return []

    def add_rejection(self, url: str, site_key: str | None, reason: str, detail: str = "") -> None:
        self._rejections.append(PendingRejection(url, site_key, reason, detail[:2000]))

    async def flush(self) -> list[SaveResult]:
        articles, self._articles = self._articles, []
        rejections, self._rejections = self._rejections, []
        if not articles and not rejections:
            return []
        if self.repository is None:
            self.failed = True
            raise DatabaseUnavailableError("the archive was never opened")
        try:
            results: list[SaveResult] = await self._call(self._flush, articles, rejections)
        except Exception as exc:
            self.failed = True
            raise DatabaseUnavailableError(
                f"could not write {len(articles)} articles and {len(rejections)} rejections: {exc}"
            ) from exc
        return results

    async def finish(self, status: str, stats: dict[str, Any]) -> str:
        try:
            final: str = await self._call(self._finish, status, stats)
        finally:
            self._thread.shutdown(wait=True)
        return final
