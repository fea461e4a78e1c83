"""The crawl's link to the database: one writer thread, batched articles and rejections.

Pipelines and the crawl-run extension share one `ArchiveWriter` per crawler. All database calls
go through a single worker thread (never the reactor thread), in batches, so a write costs one
transaction per many items and SQLite sees one writer per process.

Every call rides out a database that goes away for a while (a PostgreSQL restart): each
transaction that failed on a lost connection is run again, with a growing pause, for up to
DATABASE_RETRY_SECONDS; only then does the crawl stop with exit code 3.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError

from crawler import PIPELINE_VERSION
from crawler.frontier_policy import FrontierPolicy
from crawler.items import Article
from crawler.monitoring import assess_run
from crawler.storage.engine import make_engine, redact, resolve_database_url
from crawler.storage.frontier import (
    Discovery,
    FrontierRepository,
    Poll,
    RejectionRecord,
    SourceState,
)
from crawler.storage.repository import SaveResult
from crawler.storage.retry import describe, is_transient, retry_transient
from crawler.storage.run_lock import attached_lock
from crawler.storage.runs import recent_run_stats
from crawler.storage.schema import ensure_schema

logger = logging.getLogger(__name__)


@dataclass
class PendingRejection:
    url: str
    site_key: str | None
    reason: str
    detail: str


def _as_seen_by_monitoring(stats: dict[str, Any]) -> dict[str, Any]:
    """Stats for the health check: known articles the sources listed count as seen.

    Incremental runs do not fetch known articles again, so without this a healthy run would
    look like one that lost most of the site.
    """
    skipped = int(stats.get("depeches/frontier/known_skipped", 0))
    unchanged = int(stats.get("depeches/articles/unchanged", 0))
    return {**stats, "depeches/articles/unchanged": unchanged + skipped}


def count_results(crawler: Crawler, results: list[SaveResult]) -> None:
    """The run's depeches/articles/<new|updated|unchanged...> counters, one batch's worth."""
    stats = crawler.stats
    if stats is None:
        return
    for result in results:
        stats.inc_value(f"depeches/articles/{result.status}")


class DatabaseUnavailableError(RuntimeError):
    """The database refused a write; the crawl must stop instead of dropping items."""


DEFAULT_RETRY_SECONDS = 120.0
IMPORT_SPIDERS = ("warc", "ccnews")  # spiders whose pages come from files (WARC)


class ArchiveWriter:
    def __init__(
        self,
        database_url: str,
        batch_size: int = 50,
        policy: FrontierPolicy | None = None,
        retry_seconds: float = DEFAULT_RETRY_SECONDS,
    ) -> None:
        self.database_url = database_url
        self.batch_size = max(1, batch_size)
        self.policy = policy or FrontierPolicy()
        self.retry_seconds = max(0.0, retry_seconds)
        # called (on the reactor) once the database stayed unreachable past retry_seconds
        self.on_unavailable: Callable[[DatabaseUnavailableError], None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="depeches-db")
        self._articles: list[Article] = []
        self._rejections: list[PendingRejection] = []
        self.repository: FrontierRepository | None = None
        self.run_id: int | None = None
        self.spider_name: str | None = None
        self.site_key: str | None = None
        self.failed = False
        self.locked_sites: tuple[str, ...] = ()  # site locks this run holds (commands/crawl.py)
        self.store_cpu_seconds = 0.0  # writer-thread CPU spent storing batches (the bench's split)
        # rows the database refused (data errors): rejected here, out of the spider's stats
        self.refused_rows = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveWriter:
        """A writer configured from the crawl's settings. The crawl's one writer is the crawl-run
        extension's (crawler/extensions/crawl_run.py: `archive_writer(crawler)`)."""
        url = resolve_database_url(crawler.settings.get("DATABASE_URL"))
        writer = cls(
            url,
            crawler.settings.getint("STORE_BATCH_SIZE", 50),
            FrontierPolicy.from_settings(crawler.settings),
            crawler.settings.getfloat("DATABASE_RETRY_SECONDS", DEFAULT_RETRY_SECONDS),
        )
        lock = attached_lock(crawler)
        if lock is not None:
            writer.locked_sites = tuple(lock.names)
        return writer

    # -- synchronous parts, always run on the writer thread --------------------------------

    def _retrying(self, what: str, action: Callable[[], Any]) -> Any:
        """`action` (one transaction), again while the database is briefly unreachable.

        Once the archive has given up, the calls still queued get one attempt each, so a crawl
        that is stopping is not held up by a retry window per call.
        """
        seconds = 0.0 if self.failed else self.retry_seconds
        return retry_transient(action, engine=self._repo().engine, seconds=seconds, what=what)

    def _open(self, spider_name: str, site_key: str | None, sites: list[Any]) -> int:
        engine = make_engine(self.database_url)
        self.repository = FrontierRepository(
            engine, pipeline_version=PIPELINE_VERSION, policy=self.policy
        )
        self._retrying("opening", lambda: self._start(spider_name, site_key, sites))
        self._close_abandoned_runs()
        logger.info("writing to %s (crawl run %s)", redact(self.database_url), self.run_id)
        assert self.run_id is not None
        return self.run_id

    def _start(self, spider_name: str, site_key: str | None, sites: list[Any]) -> None:
        assert self.repository is not None
        ensure_schema(self.repository.engine, create_if_empty=True)
        for site in sites:
            if not site.generic:
                self.repository.ensure_site(site.key, site.name, site.country, site.timezone)
        self.spider_name, self.site_key = spider_name, site_key
        self.run_id = self.repository.start_run(spider_name, site_key)

    def _close_abandoned_runs(self) -> None:
        """Earlier runs that died without closing their row are marked failed (logged)."""
        repository, run_id = self._repo(), self.run_id
        assert run_id is not None
        try:
            abandoned = self._retrying(
                "closing abandoned runs",
                lambda: repository.close_abandoned_runs(run_id, self.site_key, self.locked_sites),
            )
        except SQLAlchemyError as exc:  # housekeeping: the crawl goes on without it
            logger.warning("could not check for abandoned crawl runs: %s", describe(exc))
            return
        for run in abandoned:
            logger.warning(
                "crawl run %s (%s, pid %s on %s, started %s) never finished: marked failed",
                run.id,
                run.site_key or "url list",
                run.pid,
                run.host,
                run.started_at.isoformat(timespec="seconds"),
            )

    def _flush(
        self, articles: list[Article], rejections: list[PendingRejection]
    ) -> list[SaveResult]:
        """The articles' transaction, then the rejections' one, each retried on its own.

        Retrying both together would store a committed batch of articles twice (a revisit).
        """
        started = time.thread_time()
        try:
            return self._flush_both(articles, rejections)
        finally:
            self.store_cpu_seconds += time.thread_time() - started

    def _flush_both(
        self, articles: list[Article], rejections: list[PendingRejection]
    ) -> list[SaveResult]:
        repository, run_id = self._repo(), self.run_id
        records = [RejectionRecord(r.url, r.site_key, r.reason, r.detail) for r in rejections]
        results: list[SaveResult] = []
        if articles:
            try:
                results = self._retrying(
                    f"storing {len(articles)} articles",
                    lambda: repository.save_articles(run_id, articles),
                )
            except Exception as exc:
                if is_transient(exc):
                    raise
                # a row the database refuses (a data error): the others are stored, it is
                # rejected; the database itself is fine, the crawl goes on
                results = self._save_one_by_one(articles, records)
        # each rejection row and its URL's frontier state in one transaction
        if records:
            try:
                self._retrying(
                    f"recording {len(records)} rejections",
                    lambda: repository.record_rejections(run_id, records),
                )
            except Exception as exc:
                if is_transient(exc) or len(records) == 1:
                    raise
                for record in records:
                    self._record_alone(record)
        return results

    def _save_one_by_one(
        self, articles: list[Article], records: list[RejectionRecord]
    ) -> list[SaveResult]:
        """Each article in its own transaction; one the database refuses becomes a rejection."""
        repository, run_id = self._repo(), self.run_id
        results: list[SaveResult] = []
        for article in articles:
            try:
                results += self._retrying(
                    "storing 1 article", partial(repository.save_articles, run_id, [article])
                )
            except Exception as exc:
                if is_transient(exc):
                    raise
                logger.warning(
                    "the database refused the article %s: %s", article.url, describe(exc)
                )
                detail = f"the database refused the row: {describe(exc)}"[:2000]
                self.refused_rows += 1
                records.append(
                    RejectionRecord(article.url, article.site, "database_refused", detail)
                )
        return results

    def _record_alone(self, record: RejectionRecord) -> None:
        """One rejection in its own transaction; one the database refuses is logged, not lost
        silently, and does not stop the crawl."""
        repository, run_id = self._repo(), self.run_id
        try:
            self._retrying(
                "recording 1 rejection", lambda: repository.record_rejections(run_id, [record])
            )
        except Exception as exc:
            if is_transient(exc):
                raise
            logger.error(
                "the database refused the rejection of %s (%s): %s",
                record.url,
                record.reason,
                describe(exc),
            )

    def _finish(self, status: str, stats: dict[str, Any]) -> str:
        """Close the run row; an ok run that looks far off the site's recent ones is degraded."""
        if self.repository is None or self.run_id is None:
            return status
        if self.refused_rows:  # counted like the spider's rejections, so the health check sees it
            key = "depeches/rejected/database_refused"
            stats = {**stats, key: int(stats.get(key, 0)) + self.refused_rows}
        # An import's volume and errors follow its files, not a site's health: not compared.
        if status == "ok" and self.spider_name and self.spider_name not in IMPORT_SPIDERS:
            engine, spider_name = self.repository.engine, self.spider_name
            history = self._retrying(
                "reading recent runs",
                lambda: recent_run_stats(engine, spider_name, self.site_key, limit=10),
            )
            reasons = assess_run(_as_seen_by_monitoring(stats), history)
            if stats.get("depeches/discovery/not_modified") or stats.get(
                "depeches/discovery/source_not_due"
            ):
                # an incremental run whose sources had nothing new sees few articles: normal
                reasons = [r for r in reasons if not r.startswith("saw ")]
            if reasons:
                status = "degraded"
                stats = {**stats, "depeches/degraded_reasons": reasons}
                logger.warning("run degraded: %s", "; ".join(reasons))
        repository, run_id = self.repository, self.run_id
        self._retrying(
            "closing the crawl run", lambda: repository.finish_run(run_id, status, stats)
        )
        return status

    # -- awaitable API for the reactor side ------------------------------------------------

    async def _call(self, function: Any, *args: Any) -> Any:
        return await asyncio.wrap_future(self._thread.submit(function, *args))

    async def _call_retrying(self, what: str, function: Any, *args: Any) -> Any:
        """`function(*args)` on the writer thread, retried; past the retry time the crawl stops."""
        try:
            return await self._call(self._retrying, what, lambda: function(*args))
        except SQLAlchemyError as exc:
            if not is_transient(exc):
                raise  # the data was refused (a data error), not the database lost
            raise self._unavailable(f"{what}: {describe(exc)}") from exc

    def _unavailable(self, message: str) -> DatabaseUnavailableError:
        """Mark the archive failed and tell the crawl (once) that it must stop."""
        error = DatabaseUnavailableError(message)
        first = not self.failed
        self.failed = True
        if first and self.on_unavailable is not None:
            self.on_unavailable(error)
        return error

    async def open(self, spider_name: str, site_key: str | None, sites: list[Any]) -> int:
        result: int = await self._call(self._open, spider_name, site_key, sites)
        return result

    async def wait_open(self, timeout: float | None = None) -> bool:
        """Until the run row exists (spider_opened opens it); False if it never does.

        By default as long as opening may retry an unreachable database, and a minute more.
        """
        if timeout is None:
            timeout = self.retry_seconds + 60.0
        deadline = asyncio.get_running_loop().time() + timeout
        while self.run_id is None and not self.failed:
            if asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(0.05)
        return self.run_id is not None and not self.failed

    def _repo(self) -> FrontierRepository:
        if self.repository is None:
            raise DatabaseUnavailableError("the archive was never opened")
        return self.repository

    async def discover(
        self,
        site_key: str,
        links: dict[str, dict[str, Any]],
        poll: Poll | None = None,
        child_sources: list[str] | None = None,
    ) -> Discovery:
        """Record discovered URLs as pending (and the source's poll); which to fetch now."""
        result: Discovery = await self._call_retrying(
            f"recording {len(links)} discovered URLs",
            self._repo().discover,
            site_key,
            links,
            self.run_id,
            poll,
            child_sources,
        )
        return result

    async def call(self, what: str, function: Callable[..., Any], *args: Any) -> Any:
        """`function(engine, *args)` on the writer thread, retried like the crawl's writes."""
        return await self._call_retrying(what, function, self._repo().engine, *args)

    async def record_poll(self, poll: Poll, new_count: int = 0) -> None:
        await self._call_retrying("recording a poll", self._repo().record_poll, poll, new_count)

    async def due_urls(self, site_key: str) -> list[tuple[str, dict[str, Any]]]:
        result: list[tuple[str, dict[str, Any]]] = await self._call_retrying(
            "reading the frontier", self._repo().due_urls, site_key
        )
        return result

    async def sources(self, site_key: str) -> dict[str, SourceState]:
        result: dict[str, SourceState] = await self._call_retrying(
            "reading the sources", self._repo().sources, site_key
        )
        return result

    async def pending_count(self, site_keys: list[str]) -> int:
        """URLs of these sites still pending in the frontier (for the progress log)."""
        result: int = await self._call(self._repo().pending_count, site_keys)
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
            raise self._unavailable(
                f"could not write {len(articles)} articles and {len(rejections)} rejections: "
                + describe(exc)
            ) from exc
        return results

    async def finish(self, status: str, stats: dict[str, Any]) -> str:
        try:
            final: str = await self._call(self._finish, status, stats)
        finally:
            self._thread.shutdown(wait=True)
        return final
