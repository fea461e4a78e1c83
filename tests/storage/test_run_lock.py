"""The PostgreSQL run lock: a session that lets go within the grace period does not block."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from crawler.storage.engine import make_engine
from crawler.storage.run_lock import (
    ADVISORY_GRACE_SECONDS,
    AlreadyRunningError,
    RunLock,
    advisory_key,
)

pytestmark = pytest.mark.postgres


def _hold(url: str, name: str, seconds: float, taken: threading.Event) -> None:
    """Another crawl's session: takes the lock, keeps it `seconds`, then ends."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": advisory_key(name)})
            taken.set()
            time.sleep(seconds)
    finally:
        engine.dispose()


def _holder(url: str, name: str, seconds: float) -> threading.Thread:
    taken = threading.Event()
    thread = threading.Thread(target=_hold, args=(url, name, seconds, taken), daemon=True)
    thread.start()
    assert taken.wait(10)
    return thread


def test_a_lock_released_within_the_grace_period_is_taken(pg_url):
    holder = _holder(pg_url, "grace-site", 0.5)  # a killed crawl's last statement ending
    engine = make_engine(pg_url)
    try:
        lock = RunLock(engine, ["grace-site"])
        lock.acquire()  # waits for the holder instead of failing at once
        lock.release()
    finally:
        engine.dispose()
        holder.join()


def test_a_lock_held_past_the_grace_period_means_already_running(pg_url):
    holder = _holder(pg_url, "busy-site", ADVISORY_GRACE_SECONDS + 2)
    engine = make_engine(pg_url)
    try:
        started = time.monotonic()
        with pytest.raises(AlreadyRunningError, match="busy-site"):
            RunLock(engine, ["busy-site"]).acquire()
        assert time.monotonic() - started < ADVISORY_GRACE_SECONDS + 1
    finally:
        engine.dispose()
        holder.join()
