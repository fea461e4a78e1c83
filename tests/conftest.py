"""Shared fixtures: real databases (a temporary SQLite file, a throwaway PostgreSQL database)."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings
from psycopg import sql
from sqlalchemy import Engine

from crawler.storage.engine import make_engine
from crawler.storage.schema import upgrade_to_head

PG_SERVER = os.environ.get("DEPECHES_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'depeches.sqlite3'}"


def _admin_connection() -> psycopg.Connection:
    try:
        return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_SERVER}: {error}")


@contextmanager
def _throwaway_pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped at the end."""
    admin = _admin_connection()
    name = f"depeches_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the session, dropped at the end."""
    with _throwaway_pg_database() as url:
        yield url


def _empty_pg_database(url: str) -> None:
    """Drop everything in the session database so each test starts from nothing."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


@pytest.fixture
def empty_pg_url(pg_url: str) -> str:
    """The session's PostgreSQL database, emptied for this test."""
    _empty_pg_database(pg_url)
    return pg_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL, once per backend."""
    if request.param == "sqlite":
        url: str = request.getfixturevalue("sqlite_url")
        return url
    url = request.getfixturevalue("pg_url")
    _empty_pg_database(url)
    return url


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at head, migrated once and copied by each test (migrating costs more)."""
    path = tmp_path_factory.mktemp("template") / "depeches.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def _migrated_pg_url() -> Iterator[str]:
    """A PostgreSQL database at head for the session; tests empty its tables, not its schema."""
    with _throwaway_pg_database() as url:
        engine = make_engine(url)
        upgrade_to_head(engine)
        engine.dispose()
        yield url


def _truncate_pg_tables(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        connection.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(name) for name in names)
            )
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL at head with no rows, once per backend."""
    if request.param == "sqlite":
        path = tmp_path / "depeches.sqlite3"
        shutil.copyfile(request.getfixturevalue("_migrated_sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("_migrated_pg_url")
    _truncate_pg_tables(url)
    return url


@pytest.fixture
def migrated_engine(migrated_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head, with no rows."""
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


# Hypothesis profiles (tests/test_hostile_properties.py): "ci" bounds the number of examples
# so the property suite stays well under a minute; HYPOTHESIS_PROFILE=fuzz searches longer.
hypothesis_settings.register_profile("ci", max_examples=10, deadline=None)
hypothesis_settings.register_profile("fuzz", max_examples=300, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
