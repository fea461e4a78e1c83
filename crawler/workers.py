"""One process pool per crawl for CPU-heavy steps, so the reactor thread stays free."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
T = TypeVar("T")
PRELOAD = ["crawler.preload"]


class WorkerPool:
    """A lazily started ProcessPoolExecutor sized to the cores (EXTRACTION_WORKERS overrides),
    each worker replaced after EXTRACTION_WORKER_MAX_PAGES pages."""

    def __init__(self, workers: int | None = None, max_tasks_per_worker: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        # The workers are replaced after this many pages each: memory a huge page left
        # fragmented in them goes back to the system, so a long crawl stays flat. Forking new
        # ones from the preloaded server costs a few milliseconds. (Not max_tasks_per_child:
        # it can deadlock the pool, cpython gh-115634, from 3.11 on.)
        self.max_tasks_per_worker = max_tasks_per_worker or None
        self._submitted = 0
        self._replacing = asyncio.Lock()
        self._executor: ProcessPoolExecutor | None = None

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> WorkerPool:
        pool = getattr(crawler, "_depeches_pool", None)
        if pool is None:
            pool = cls(
                crawler.settings.getint("EXTRACTION_WORKERS") or None,
                crawler.settings.getint("EXTRACTION_WORKER_MAX_PAGES") or None,
            )
            crawler._depeches_pool = pool  # type: ignore[attr-defined]
        return pool

    def _due_for_replacement(self) -> bool:
        limit = self.max_tasks_per_worker
        return bool(self._executor and limit and self._submitted >= limit * self.workers)

    async def _replace_when_due(self) -> None:
        """Retire the workers once they did their share: their pages in flight finish first,
        and the new workers start only then, so the two generations never coexist."""
        async with self._replacing:  # every call waits while a replacement is under way
            if not self._due_for_replacement():
                return
            retired, self._executor = self._executor, None
            assert retired is not None
            await asyncio.to_thread(retired.shutdown, True)

    def _ensure(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._submitted = 0
            # forkserver: a clean server process (never a fork of this one, which runs Twisted
            # and threads) imports the extraction code once; workers fork from it and share
            # those pages, so two workers cost little more memory than one.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self._executor

    async def run(self, timeout: float, function: Callable[..., T], *args: Any) -> T:
        """Run `function(*args)` in a worker; asyncio.TimeoutError past `timeout` seconds."""
        await self._replace_when_due()
        executor = self._ensure()
        self._submitted += 1
        try:
            future = executor.submit(function, *args)
        except BrokenProcessPool:
            self._executor = None
            future = self._ensure().submit(function, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except BrokenProcessPool:
            logger.error("an extraction worker died; starting a new pool")
            self._executor = None
            raise

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
