"""One process pool per crawl for CPU-heavy steps, so the reactor thread stays free.

Each worker is a process of its own with one job at a time, so a job over its time budget can be
stopped: its worker is killed and replaced, and the budget counts from when the job reaches the
worker, not from when it was queued. Pages waiting for a worker are not charged for the time a
hostile page holds one. (A ProcessPoolExecutor cannot do this: a running job cannot be
cancelled, and `asyncio.wait_for` around it starts the clock at submission.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)
T = TypeVar("T")
PRELOAD = ["crawler.preload"]
STOP_GRACE_SECONDS = 2.0
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _serve(connection: Connection) -> None:
    """A worker's loop: run each (function, args) it is sent, send back the result or error."""
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, args = message
        try:
            reply: tuple[str, Any] = ("ok", function(*args))
        except Exception as exc:
            reply = ("error", exc)
        try:
            connection.send(reply)
        except Exception as exc:  # an unpicklable result or exception
            connection.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


class _Worker:
    """One worker process and the pipe it takes its jobs from."""

    def __init__(self, context: BaseContext) -> None:
        parent, child = context.Pipe()
        self.process = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child,), daemon=True, name="depeches-extraction"
        )
        self.process.start()
        child.close()
        self.connection = parent
        self.jobs = 0
        self.started_rss = 0  # resident bytes before its first job

    @property
    def pid(self) -> int | None:
        return int(self.process.pid) if self.process.pid is not None else None

    def resident_bytes(self) -> int:
        """The worker's resident memory (from /proc/<pid>/statm: a counter, no page walk, so
        cheap enough after every job); 0 where /proc cannot tell (not Linux, worker gone)."""
        try:
            with open(f"/proc/{self.pid}/statm", "rb") as statm:
                return int(statm.read().split()[1]) * PAGE_SIZE
        except (OSError, ValueError, IndexError):
            return 0

    def grown_bytes(self) -> int:
        """Resident memory gained since the worker took its first job. A fork starts out
        resident in the fork server's pages (shared); what it allocates on top is its own."""
        return max(0, self.resident_bytes() - self.started_rss) if self.started_rss else 0

    def call(self, function: Callable[..., T], args: tuple[Any, ...], timeout: float) -> T:
        """The job's result; TimeoutError past `timeout` seconds from now (the job's start),
        BrokenProcessPool when the worker died, the function's own exception otherwise."""
        self.jobs += 1
        if not self.started_rss:
            self.started_rss = self.resident_bytes()
        try:
            self.connection.send((function, args))
            finished = self.connection.poll(timeout)
            if finished:
                status, value = self.connection.recv()
        except (EOFError, OSError) as exc:
            died = f"an extraction worker died ({exc or type(exc).__name__})"
            raise BrokenProcessPool(died) from None
        if not finished:
            raise TimeoutError(f"over {timeout:g} s")
        if status == "error":
            raise value
        return value

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.connection.close()

    def stop(self) -> None:
        """Ask the worker to end after its job; kill it if it does not within a grace period."""
        with contextlib.suppress(Exception):
            self.connection.send(None)
            self.process.join(STOP_GRACE_SECONDS)
        if self.process.is_alive():
            self.kill()
        with contextlib.suppress(Exception):
            self.connection.close()


class WorkerPool:
    """Worker processes sized to the cores (EXTRACTION_WORKERS overrides), each replaced after
    EXTRACTION_WORKER_MAX_PAGES pages, after a job that left it more than
    EXTRACTION_WORKER_MAX_MEMORY_MB larger than when it started, or at once when a job overruns
    its time budget."""

    def __init__(
        self,
        workers: int | None = None,
        max_tasks_per_worker: int | None = None,
        max_grown_mb: int | None = None,
    ) -> None:
        self.workers = workers or os.cpu_count() or 1
        # Memory a huge page left fragmented in a worker goes back to the system when it is
        # replaced, so a long crawl stays flat. Forking new ones from the preloaded server
        # costs a few milliseconds.
        self.max_tasks_per_worker = max_tasks_per_worker or None
        # A worker a big page left swollen is replaced at once rather than after its page
        # count: the crawl's peak stays that of one big page, not of one per worker.
        self.max_grown_bytes = (max_grown_mb or 0) * 2**20
        self.retired_for_memory = 0
        self.killed = 0  # workers killed for overrunning their budget
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._starting = asyncio.Lock()
        # One thread per worker waits on its pipe, so the reactor never blocks on a job.
        self._threads = ThreadPoolExecutor(self.workers + 1, thread_name_prefix="extraction")
        self._context: BaseContext | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> WorkerPool:
        """Sized by EXTRACTION_WORKERS, EXTRACTION_WORKER_MAX_PAGES and
        EXTRACTION_WORKER_MAX_MEMORY_MB (the process pipeline owns the crawl's one pool and
        closes it with the spider)."""
        return cls(
            settings.getint("EXTRACTION_WORKERS") or None,
            settings.getint("EXTRACTION_WORKER_MAX_PAGES") or None,
            settings.getint("EXTRACTION_WORKER_MAX_MEMORY_MB") or None,
        )

    def _spawn(self) -> _Worker:
        if self._context is None:
            # forkserver: a clean server process (never a fork of this one, which runs Twisted
            # and threads) imports the extraction code once; workers fork from it and share
            # those pages, so two workers cost little more memory than one.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self._context = context
        worker = _Worker(self._context)
        self._all.add(worker)
        return worker

    async def _queue(self) -> asyncio.Queue[_Worker]:
        async with self._starting:
            if self._idle is None:
                loop = asyncio.get_running_loop()
                idle: asyncio.Queue[_Worker] = asyncio.Queue()
                for _ in range(self.workers):
                    idle.put_nowait(await loop.run_in_executor(self._threads, self._spawn))
                self._idle = idle
        return self._idle

    def _retire(self, worker: _Worker, killed: bool) -> _Worker:
        """A fresh worker in place of `worker` (killed already, or stopped here)."""
        if not killed:
            worker.stop()
        self._all.discard(worker)
        return self._spawn()

    async def run(self, timeout: float, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; TimeoutError past `timeout` seconds of its own run
        (the worker is then killed and replaced), BrokenProcessPool if the worker died."""
        idle = await self._queue()
        worker = await idle.get()  # queued: no budget spent yet
        loop = asyncio.get_running_loop()
        lost = False
        started = time.monotonic()
        try:
            return await loop.run_in_executor(self._threads, worker.call, function, args, timeout)
        except TimeoutError:
            lost = True
            self.killed += 1
            logger.warning(
                "an extraction job ran %.0f s (budget %g s): its worker %s is killed and replaced",
                time.monotonic() - started,
                timeout,
                worker.pid,
            )
            worker.kill()
            raise
        except BrokenProcessPool:
            lost = True
            logger.error("an extraction worker died; starting a new one")
            worker.kill()
            raise
        finally:
            limit = self.max_tasks_per_worker
            if lost or (limit and worker.jobs >= limit) or self._swollen(worker):
                try:
                    worker = await loop.run_in_executor(self._threads, self._retire, worker, lost)
                finally:
                    idle.put_nowait(worker)
            else:
                idle.put_nowait(worker)

    def _swollen(self, worker: _Worker) -> bool:
        """True when the worker grew past the cap since it started."""
        if not self.max_grown_bytes:
            return False
        grown = worker.grown_bytes()
        if grown <= self.max_grown_bytes:
            return False
        self.retired_for_memory += 1
        logger.info(
            "an extraction worker grew by %.0f MB (cap %.0f MB): replaced",
            grown / 2**20,
            self.max_grown_bytes / 2**20,
        )
        return True

    def close(self) -> None:
        """Stop every worker (a job still running is killed after a short grace period)."""
        for worker in list(self._all):
            worker.stop()
        self._all.clear()
        self._idle = None
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._threads = ThreadPoolExecutor(self.workers + 1, thread_name_prefix="extraction")
