"""One crawl per site at a time, across cron runs and machines, and never a stale lock.

PostgreSQL: a session advisory lock per site, which the server drops with the connection when
the holder dies or its machine reboots. SQLite (one file on one machine): a lock file beside
the database that names its host and process, written atomically (a temporary file, then a
link to its name); when that process no longer exists the next run takes it over at once, and a
lock file that names no one (empty or unreadable) is taken over once older than a minute.

A PostgreSQL restart drops the advisory lock with every session while the crawl goes on (its
writes retry, crawler/storage/retry.py): `RunLock.ensure`, called at a steady interval by the
crawl (crawler/extensions/run_lock_watch.py), notices the dead session and takes the lock again; if
another run took it in between, this crawl stops and leaves the site to that one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import tempfile
import time
import weakref
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

# The lock each crawl runs under. The crawl command takes it before the crawler exists (a second
# run must exit 4 before any request), so it cannot be an extension's own: the command hands it
# over here, and the run-lock watch and the archive writer look it up by crawler. Weak keys: a
# finished crawler takes its entry with it.
_LOCKS: weakref.WeakKeyDictionary[object, RunLock] = weakref.WeakKeyDictionary()


def attach_lock(crawler: object, lock: RunLock) -> None:
    """Hand the command's lock to the crawl (its extensions find it with `attached_lock`)."""
    _LOCKS[crawler] = lock


def attached_lock(crawler: object) -> RunLock | None:
    return _LOCKS.get(crawler)


ADVISORY_GRACE_SECONDS = 2.0


class AlreadyRunningError(RuntimeError):
    """Another live crawl holds the lock of a site this crawl wants."""


def advisory_key(name: str) -> int:
    digest = hashlib.sha256(f"depeches:crawl:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """Locks for the given site keys; `acquire` raises AlreadyRunningError naming the holder."""

    def __init__(self, engine: Engine, names: list[str]) -> None:
        self.engine = engine
        self.names = sorted(set(names))
        self._connection: Connection | None = None
        self._files: list[Path] = []

    def acquire(self) -> None:
        if self.engine.dialect.name == "postgresql":
            self._acquire_advisory()
        else:
            self._acquire_files()

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # a dead session has no lock left to free
                self._connection.close()  # session advisory locks end with the session
            self._connection = None
        for path in self._files:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self._files = []

    @property
    def session_bound(self) -> bool:
        """True when the lock lives in a database session, so a server restart drops it."""
        return self.engine.dialect.name == "postgresql" and bool(self.names)

    def ensure(self) -> bool:
        """Check the lock's session is alive; take the lock again if the server dropped it.

        True when it had to be taken again. Raises AlreadyRunningError when another run holds
        it now, and the driver's error while the server is still unreachable.
        """
        if not self.session_bound:
            return False
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return False
            except DBAPIError:
                pass  # the session is gone (or unusable): so is the lock it held
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
        self._acquire_advisory()
        return True

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _acquire_advisory(self) -> None:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._connection = connection
        for name in self.names:
            # A crawl killed mid-statement leaves its server session (and lock) alive until
            # that statement ends: a held lock is tried again for ADVISORY_GRACE_SECONDS.
            deadline = time.monotonic() + ADVISORY_GRACE_SECONDS
            while not connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": advisory_key(name)}
            ).scalar():
                if time.monotonic() >= deadline:
                    self.release()
                    raise AlreadyRunningError(f"a crawl of {name!r} is already running")
                time.sleep(0.2)

    def _lock_path(self, name: str) -> Path:
        database = make_url(self.engine.url).database or "memory"
        return Path(f"{database}.{name}.lock")

    def _acquire_files(self) -> None:
        for name in self.names:
            path = self._lock_path(name)
            try:
                self._create(path)
            except FileExistsError:
                holder = self._holder(path)
                if lock_file_stale(path, holder):
                    path.unlink(missing_ok=True)  # its process is gone: take it over
                    try:
                        self._create(path)
                    except FileExistsError:
                        holder = self._holder(path)
                    else:
                        self._files.append(path)
                        continue
                self.release()
                raise AlreadyRunningError(
                    f"a crawl of {name!r} is already running (pid {holder.get('pid')} on "
                    f"{holder.get('host')} since {holder.get('since')}; lock {path})"
                ) from None
            self._files.append(path)

    @staticmethod
    def _create(path: Path) -> None:
        """The lock file, complete or not at all: written to a temporary file, then linked to
        its name (a rename that refuses to replace: FileExistsError when the lock is held).

        Created then written, a crash or a full disk in between left an empty lock that named
        no one and blocked the site for good.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        holder = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w") as handle:
                json.dump(holder, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o644)
            os.link(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)

    @staticmethod
    def _holder(path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


# A lock file that names no holder (empty, unreadable: an older version's crash between create
# and write, a full disk) is stale once this old: a live crawl writes its lock in one go.
UNREADABLE_LOCK_STALE_SECONDS = 60.0


def lock_file_stale(path: Path, holder: dict[str, Any], now: float | None = None) -> bool:
    """Whether the lock at `path` (whose content is `holder`) may be taken over."""
    pid = holder.get("pid")
    if isinstance(holder.get("host"), str) and isinstance(pid, int) and not isinstance(pid, bool):
        return holder["host"] == socket.gethostname() and not process_alive(pid)
    try:
        modified = path.stat().st_mtime
    except OSError:
        return True  # gone meanwhile
    current = time.time() if now is None else now
    return current - modified > UNREADABLE_LOCK_STALE_SECONDS
