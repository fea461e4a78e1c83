"""The extraction pool: real worker processes, replaced after their share of pages."""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from crawler.process.pool import WorkerPool


def test_workers_are_replaced_after_their_pages():
    pool = WorkerPool(workers=1, max_tasks_per_worker=3)

    async def run_all() -> list[int]:
        return [await pool.run(30, os.getpid) for _ in range(10)]

    try:
        pids = asyncio.run(run_all())
    finally:
        pool.close()
    # 10 pages, 3 per worker generation: generations of 3, 3, 3 and 1 pages
    assert [pids.count(pid) for pid in dict.fromkeys(pids)] == [3, 3, 3, 1]
    assert os.getpid() not in pids


def test_no_page_is_lost_when_workers_are_replaced_under_load():
    pool = WorkerPool(workers=2, max_tasks_per_worker=2)

    async def run_all() -> list[int]:
        return await asyncio.gather(*(pool.run(30, os.getpid) for _ in range(20)))

    try:
        pids = asyncio.run(run_all())
    finally:
        pool.close()
    assert len(pids) == 20  # every page came back
    assert len(set(pids)) > 2  # more than one generation of two workers


def test_without_a_limit_the_workers_stay():
    pool = WorkerPool(workers=1)

    async def run_all() -> list[int]:
        return [await pool.run(30, os.getpid) for _ in range(5)]

    try:
        pids = asyncio.run(run_all())
    finally:
        pool.close()
    assert len(set(pids)) == 1


_HELD: list[bytes] = []


def hold_megabytes(megabytes: int) -> int:
    """A job that leaves its worker holding `megabytes` of its own (as a huge page can)."""
    _HELD.append(os.urandom(megabytes * 2**20))
    return os.getpid()


def test_a_worker_left_holding_too_much_memory_is_replaced():
    pool = WorkerPool(workers=1, max_grown_mb=40)

    async def run_all() -> list[int]:
        return [
            await pool.run(30, hold_megabytes, 1),
            await pool.run(30, hold_megabytes, 1),
            await pool.run(30, hold_megabytes, 60),  # over the cap: retired after this job
            await pool.run(30, hold_megabytes, 1),
        ]

    try:
        pids = asyncio.run(run_all())
    finally:
        pool.close()
    assert pids[0] == pids[1] == pids[2] != pids[3]
    assert pool.retired_for_memory == 1


def test_glibc_takes_the_pinned_malloc_thresholds():
    import platform

    from crawler.memory import pin_malloc_thresholds, release_free_memory

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    assert pin_malloc_thresholds() is True
    release_free_memory()  # returns freed heap pages; must not fail either


def test_a_job_over_budget_loses_its_worker():
    pool = WorkerPool(workers=1)

    async def scenario() -> tuple[int, float, int]:
        before = await pool.run(30, os.getpid)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await pool.run(1, time.sleep, 60)
        elapsed = time.monotonic() - started
        return before, elapsed, await pool.run(30, os.getpid)

    try:
        before, elapsed, after = asyncio.run(scenario())
    finally:
        pool.close()
    assert elapsed < 10  # stopped at its budget, not after its 60 s
    assert after != before  # a new worker took the killed one's place
    assert pool.killed == 1
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)


def test_the_budget_counts_from_when_the_job_starts():
    # One worker: the second job waits 1.5 s in the queue, then runs well within its 1 s.
    pool = WorkerPool(workers=1)

    async def scenario() -> list[object]:
        return await asyncio.gather(
            pool.run(5, time.sleep, 1.5), pool.run(1, os.getpid), return_exceptions=True
        )

    try:
        first, second = asyncio.run(scenario())
    finally:
        pool.close()
    assert first is None
    assert isinstance(second, int)


def test_pages_queued_behind_hostile_ones_are_not_affected():
    pool = WorkerPool(workers=1)

    async def scenario() -> list[object]:
        jobs = [pool.run(1, time.sleep, 60), pool.run(1, time.sleep, 60)]
        jobs += [pool.run(1, os.getpid) for _ in range(4)]
        return await asyncio.gather(*jobs, return_exceptions=True)

    started = time.monotonic()
    try:
        results = asyncio.run(scenario())
    finally:
        pool.close()
    assert [type(r) for r in results[:2]] == [TimeoutError, TimeoutError]
    assert all(isinstance(r, int) for r in results[2:]), results
    assert time.monotonic() - started < 20  # not 120 s of sleeping workers
    assert pool.killed == 2


def test_a_job_that_raises_keeps_its_worker():
    pool = WorkerPool(workers=1)

    async def scenario() -> tuple[int, int]:
        before = await pool.run(30, os.getpid)
        with pytest.raises(ValueError):
            await pool.run(30, int, "not a number")
        return before, await pool.run(30, os.getpid)

    try:
        before, after = asyncio.run(scenario())
    finally:
        pool.close()
    assert before == after


def test_a_worker_that_dies_is_replaced():
    pool = WorkerPool(workers=1)

    async def scenario() -> int:
        with pytest.raises(BrokenProcessPool):
            await pool.run(30, os._exit, 3)
        return await pool.run(30, os.getpid)

    try:
        pid = asyncio.run(scenario())
    finally:
        pool.close()
    assert pid != os.getpid()
