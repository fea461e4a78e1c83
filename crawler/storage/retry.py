"""Riding out a database that goes away for a while (a PostgreSQL restart, a failover).

A long crawl must not die because its database restarted: a write that fails on a lost
connection rolled back, so running the same transaction again once the server answers is safe.
`retry_transient` does that with a growing pause, for at most a given time, and only then lets
the error through (the crawl then stops with exit code 3).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_PAUSE = 0.5
MAX_PAUSE = 8.0


def is_transient(error: BaseException) -> bool:
    """A lost or refused connection, a server shutting down, a lock timeout: worth retrying.

    OperationalError is what both drivers raise for everything outside the statement itself
    (connection refused or reset, "terminating connection due to administrator command",
    SQLite's "database is locked" or "disk I/O error"); SQLAlchemy flags other disconnects
    with `connection_invalidated`. Constraint and syntax errors are never retried.
    """
    if isinstance(error, OperationalError | InterfaceError | DisconnectionError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def describe(error: BaseException) -> str:
    """The driver's first line of an error (no SQL dump, no parameters, no help link), for
    one-line log and command messages."""
    cause = getattr(error, "orig", None)
    if cause is None and isinstance(error, SQLAlchemyError):
        cause = error.__cause__
    text = str(cause or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def retry_transient(
    action: Callable[[], T],
    *,
    engine: Engine,
    seconds: float,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """`action()`, run again after transient errors until `seconds` have passed.

    `action` must be one transaction (or idempotent): a failed attempt rolled back. The pool is
    emptied before each new attempt so that no connection to the old server is reused.
    """
    started = clock()
    pause = FIRST_PAUSE
    failures = 0
    while True:
        try:
            result = action()
        except Exception as error:
            elapsed = clock() - started
            if not is_transient(error) or elapsed + pause > seconds:
                raise
            failures += 1
            logger.warning(
                "database unavailable during %s (%s): retry %d in %.1f s, giving up after %d s",
                what,
                describe(error),
                failures,
                pause,
                seconds,
            )
            engine.dispose()
            sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)
            continue
        if failures:
            logger.info(
                "database reachable again: %s done after %.1f s and %d retries",
                what,
                clock() - started,
                failures,
            )
        return result
