"""Schema management through Alembic, the only source of the schema (no create_all)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select

import migrations
from crawler.storage.engine import SQLITE_BEGIN_OPTION, is_sqlite, make_engine, missing_sqlite_file

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Connection, Engine

logger = logging.getLogger(__name__)

SchemaState = Literal["empty", "current", "behind", "ahead"]

# The `migrations` package, wherever the project is installed or run from.
MIGRATIONS_DIR = Path(migrations.__file__).parent

VERSION_TABLE = "alembic_version"

MIGRATION_LOCK_KEY = 0x6465_7065_6368_6573  # "depeches"


class SchemaError(RuntimeError):
    """The database schema does not match this code."""


class SchemaBehindError(SchemaError):
    """The database is at an older revision: `scrapy migrate` fixes it."""


class SchemaAheadError(SchemaError):
    """The database was migrated by newer code than this one."""


class SchemaMissingError(SchemaError):
    """The database has no schema at all and was not allowed to create it."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration built in code, so migrations run from any working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revisions() -> tuple[str, ...]:
    """Revisions the code expects the database to be at."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """Revisions stamped in the database (empty for a database never migrated)."""
    with _read_connection(engine) as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def schema_state(engine: Engine) -> SchemaState:
    """Compare the database revision with the migrations shipped with this code.

    "empty" means Alembic never ran here (no version table). A version table without a
    revision (stamped or downgraded to base) is "behind": that database was managed by
    Alembic before, so it is migrated on purpose, never implicitly.
    """
    with _read_connection(engine) as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return "empty"
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(head_revisions())
    if current == heads:
        return "current"
    script = ScriptDirectory.from_config(alembic_config())
    known = {revision.revision for revision in script.walk_revisions()}
    if not current <= known:
        return "ahead"
    return "behind"


def upgrade_to_head(engine: Engine) -> str:
    """Apply every pending migration in one transaction and return the head revision.

    On SQLite, foreign keys are switched off meanwhile: batch migrations recreate tables, and
    dropping a referenced table with foreign keys on would cascade-delete its children.
    Refuses a database migrated by newer code (SchemaAheadError): Alembic cannot go forward
    from a revision it does not know.
    """
    if schema_state(engine) == "ahead":
        raise _mismatch_error(engine, "ahead")
    with engine.connect() as connection:
        sqlite = is_sqlite(engine)
        if sqlite:
            _set_sqlite_foreign_keys(connection, enabled=False)
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    # Two crawlers starting on an empty database: the second waits, then
                    # finds the schema at head and has nothing to do.
                    connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
                command.upgrade(alembic_config(connection), "head")
                if sqlite:
                    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if violations:
                        raise SchemaError(f"migration broke foreign keys: {violations[:5]}")
        finally:
            if sqlite:
                _set_sqlite_foreign_keys(connection, enabled=True)
    return ",".join(current_revisions(engine))


def ensure_schema(engine: Engine, *, create_if_empty: bool) -> SchemaState:
    """Refuse to work on a database whose schema differs from the code's.

    Returns the state found. An empty database is migrated to head when `create_if_empty`
    (a first crawl on a fresh SQLite file needs no separate step).
    """
    state = schema_state(engine)
    if state == "current":
        return state
    if state == "empty" and create_if_empty:
        logger.info("empty database: creating the schema at revision %s", _heads_text())
        upgrade_to_head(engine)
        return state
    raise _mismatch_error(engine, state)


def require_schema(url: str) -> Engine:
    """An engine on `url` for a command that reads the archive (export, runs, sites...), once
    the database is known to be at the code's revision.

    A database without the depeches schema (a SQLite file that does not exist yet, an empty
    file, an empty PostgreSQL database) raises SchemaMissingError, whose one line tells the
    operator to run `scrapy migrate`; the look is read-only, so nothing is created: no file,
    no folder, no table, no WAL header. A schema behind or ahead raises as `ensure_schema`.
    """
    if missing_sqlite_file(url) is not None:
        raise _missing_schema_error(" (the file does not exist)")
    probe = make_engine(url, read_only=True)
    try:
        state = schema_state(probe)
        if state != "current":
            raise _mismatch_error(probe, state)
    finally:
        probe.dispose()
    return make_engine(url)


def _missing_schema_error(why: str = "") -> SchemaMissingError:
    return SchemaMissingError(
        f"the database has no depeches schema{why}: run `scrapy migrate` to create it "
        f"(revision {_heads_text()})"
    )


def _heads_text() -> str:
    return ",".join(head_revisions())


def _mismatch_error(engine: Engine, state: SchemaState) -> SchemaError:
    heads = _heads_text()
    current = ",".join(current_revisions(engine)) or "none (base)"
    if state == "empty":
        return _missing_schema_error()
    if state == "behind":
        return SchemaBehindError(
            f"database at revision {current}, latest is {heads}: run `scrapy migrate`"
        )
    return SchemaAheadError(
        f"database at revision {current}, newer than this code (latest {heads}): update the code"
    )


@contextmanager
def _read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose SQLite transaction is DEFERRED, so checks never take the write lock."""
    with engine.connect() as connection:
        yield connection.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})


def _set_sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    # PRAGMA foreign_keys is ignored inside a transaction, and SQLAlchemy would open one around
    # any statement: go to the DB-API connection, which autocommits (isolation_level None).
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    dbapi_connection.execute(f"PRAGMA foreign_keys = {'ON' if enabled else 'OFF'}")
