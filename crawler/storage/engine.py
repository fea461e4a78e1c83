"""Engine factory: the one place that turns a DATABASE_URL into a SQLAlchemy engine."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

DEFAULT_DATABASE_URL = "sqlite:///data/depeches.sqlite3"

# Execution option read by the SQLite "begin" hook: readers pass "DEFERRED" so a long export
# does not hold the write lock; everything else starts with BEGIN IMMEDIATE.
SQLITE_BEGIN_OPTION = "depeches_sqlite_begin"

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10


def resolve_database_url(setting: str | None) -> str:
    """Pick the database URL: env DATABASE_URL, then the Scrapy setting, then the default.

    The environment wins so that cron jobs and CI can redirect every command at once.
    """
    from_env = os.environ.get("DATABASE_URL", "").strip()
    if from_env:
        return from_env
    if setting and setting.strip():
        return setting.strip()
    return DEFAULT_DATABASE_URL


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


class DatabaseUrlError(ArgumentError, ValueError):
    """DATABASE_URL is not a URL the project can use (a configuration error, exit code 2).

    The message never repeats the URL: it may hold a password.
    """


def normalise_url(url: str) -> URL:
    """Parse a plain SQLAlchemy URL and choose the project's driver for PostgreSQL."""
    try:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        backend = parsed.get_backend_name()
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUrlError(
            f"DATABASE_URL cannot be parsed ({type(exc).__name__}): give sqlite:///path or "
            "postgresql://user@host:port/db"
        ) from None
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseUrlError(
            f"DATABASE_URL names the {backend[:40]!r} backend: give sqlite:///path or "
            "postgresql://user@host:port/db"
        )
    return parsed


def redact(url: str | URL) -> str:
    """Render a URL for logs with its password hidden."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except Exception:  # an unparseable URL has no structure to redact: show nothing of it
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


# C0 controls but tab, newline and carriage return, and DEL. PostgreSQL refuses NUL in text
# and in JSON; the others carry nothing a reader sees. They reach the database from what a
# site sends (a Content-Type in a rejection's detail, an ETag, a URL, a feed's title).
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(value: Any) -> Any:
    """`value` with control characters removed from every string in it (dicts, lists too)."""
    if isinstance(value, str):
        return _CONTROL_CHARACTERS.sub("", value) if _CONTROL_CHARACTERS.search(value) else value
    if isinstance(value, dict):
        return {strip_control_characters(k): strip_control_characters(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(strip_control_characters(v) for v in value)
    return value


def _json_without_controls(value: Any) -> str:
    return json.dumps(strip_control_characters(value))


def _strip_parameters(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool
) -> tuple[str, Any]:
    """Every bound string, on every statement, without control characters: one place for
    both databases, so a lookup and the row it looks for are cleaned the same way."""
    if executemany and isinstance(parameters, list):
        return statement, [strip_control_characters(p) for p in parameters]
    return statement, strip_control_characters(parameters)


def _clean_bound_strings(engine: Engine) -> Engine:
    event.listen(engine, "before_cursor_execute", _strip_parameters, retval=True)
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL that does not exist yet (for readers that must not create it)."""
    parsed = normalise_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    path = Path(database).expanduser()
    return None if path.exists() else path


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create the engine for `url`: the only `create_engine` call of the project.

    SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE so that several writer
    processes queue up instead of failing with "database is locked" on a lock upgrade.
    PostgreSQL gets pre-ping so long crawls survive server restarts, and a connect timeout
    (unless the URL sets one) so an unanswered connect fails and is retried instead of hanging.

    `read_only` is for a look that must leave the database as it found it (is there a schema
    at all?): SQLite opens the file with `mode=ro`, so neither the file, its folder nor a WAL
    header is created; PostgreSQL transactions are read-only.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _make_sqlite_engine(parsed, read_only=read_only)
    connect_args: dict[str, Any] = {}
    if parsed.drivername == "postgresql+psycopg" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    return _clean_bound_strings(
        create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args=connect_args,
            json_serializer=_json_without_controls,
        )
    )


def _make_sqlite_engine(url: URL, *, read_only: bool = False) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    read_only = read_only and not in_memory
    if read_only:
        url = _read_only_sqlite_url(url)
    elif not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = _clean_bound_strings(
        create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_serializer=_json_without_controls,
        )
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own implicit BEGIN is switched off so that the "begin" hook below
        # decides how each transaction starts (SQLAlchemy's documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory and not read_only:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            # WAL + NORMAL never corrupts the file; a power cut may lose the last batch, which
            # the next run fetches again. A 16 MB page cache per connection: the write cost at
            # 20,000 articles is the same as with 64 MB, and a long crawl stays under its
            # memory budget (docs/performance.md).
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA cache_size = -16384")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"unknown SQLite BEGIN mode: {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _read_only_sqlite_url(url: URL) -> URL:
    """The same SQLite file as a `mode=ro` URI: SQLite then never creates nor writes it."""
    database = url.database or ""
    if not database.startswith("file:"):
        database = Path(database).expanduser().absolute().as_uri()
    return url.set(database=database, query={**url.query, "uri": "true", "mode": "ro"})
