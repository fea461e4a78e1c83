"""Keeps the crawl's run lock for as long as the crawl lasts.

The PostgreSQL run lock is a session advisory lock (crawler/storage/run_lock.py): a server
restart ends the session and the lock with it, while the crawl itself rides the restart out. Every
RUN_LOCK_CHECK_INTERVAL seconds this checks the session and takes the lock again if it was
dropped. If another run of the site took it in between, this crawl stops (exit code 4) and
leaves the site to that run: nothing is lost, its pending URLs stay in the frontier.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.spiders import Spider

from crawler import exitcodes
from crawler.extensions.crawl_run import stop_crawl
from crawler.storage.retry import describe
from crawler.storage.run_lock import AlreadyRunningError, RunLock, attached_lock

logger = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 15.0


class RunLockWatch:
    def __init__(self, crawler: Crawler, lock: RunLock, interval: float) -> None:
        self.crawler = crawler
        self.lock = lock
        self.interval = interval
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        lock = attached_lock(crawler)
        interval = crawler.settings.getfloat("RUN_LOCK_CHECK_INTERVAL", 15.0)
        if lock is None or not lock.session_bound or interval <= 0:
            # nothing to keep (SQLite's lock files, no lock, or checks off): no message, so
            # Scrapy does not log a WARNING line on every such crawl
            raise NotConfigured
        watch = cls(crawler, lock, interval)
        crawler.signals.connect(watch.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(watch.spider_closed, signal=signals.spider_closed)
        return watch

    def spider_opened(self, spider: Spider) -> None:
        self._task = asyncio.ensure_future(self._watch())

    async def spider_closed(self, spider: Spider) -> None:
        """Stop checking before the command releases the lock (no check left in flight)."""
        self._stop.set()
        if self._task is not None:
            # a check stuck on an unanswered connect must not hold the shutdown up for long
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._task), CLOSE_WAIT_SECONDS)

    async def _watch(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)
            if not self._stop.is_set() and not await self.check():
                return

    async def check(self) -> bool:
        """One check; False when the lock is lost to another run and the crawl is stopping."""
        try:
            retaken = await asyncio.to_thread(self.lock.ensure)
        except AlreadyRunningError as exc:
            logger.error("run lock lost while the database was away, stopping: %s", exc)
            stop_crawl(self.crawler, "run_lock_lost", exitcodes.ALREADY_RUNNING)
            return False
        except Exception as exc:
            logger.warning(
                "run lock not checked, database unreachable (%s); next try in %g s",
                describe(exc),
                self.interval,
            )
            return True
        if retaken:
            logger.warning("run lock re-acquired: the database session holding it had ended")
        return True
