"""The extraction pool: real worker processes, replaced after their share of pages."""

from __future__ import annotations

import asyncio
import os

import pytest

from crawler.workers import WorkerPool


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


def test_glibc_takes_the_pinned_malloc_thresholds():
    import platform

    from crawler.memory import pin_malloc_thresholds, release_free_memory

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    assert pin_malloc_thresholds() is True
    release_free_memory()  # returns freed heap pages; must not fail either
