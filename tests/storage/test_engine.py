"""Engine factory: URL resolution, drivers, SQLite pragmas and write locking."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from crawler.storage.engine import (
    SQLITE_BEGIN_OPTION,
    DatabaseUrlError,
    make_engine,
    redact,
    resolve_database_url,
)


def test_environment_wins_over_setting(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://crawler@db:5432/depeches")
    assert resolve_database_url("sqlite:///other.sqlite3") == (
        "postgresql://crawler@db:5432/depeches"
    )


def test_setting_then_default(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert resolve_database_url("sqlite:///other.sqlite3") == "sqlite:///other.sqlite3"
    assert resolve_database_url(None) == "sqlite:///data/depeches.sqlite3"
    assert resolve_database_url("") == "sqlite:///data/depeches.sqlite3"


@pytest.mark.parametrize(
    "url", ["postgresql://u@h:5432/db", "postgres://u@h:5432/db", "postgresql+psycopg://u@h/db"]
)
def test_postgres_urls_use_psycopg_3(url):
    engine = make_engine(url)
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool._pre_ping is True


def test_redact_hides_the_password():
    assert redact("postgresql://crawler:s3cret@db:5432/depeches") == (
        "postgresql://crawler:***@db:5432/depeches"
    )
    assert "s3cret" not in redact("postgres://crawler:s3cret@db/depeches")


def test_sqlite_creates_parent_directory_and_sets_pragmas(tmp_path):
    path = tmp_path / "nested" / "dir" / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    assert path.exists()
    engine.dispose()


def test_sqlite_write_transactions_take_the_lock_at_begin(tmp_path):
    path = tmp_path / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with engine.begin() as connection:
        connection.execute(text("SELECT 1"))  # a read, yet the write lock is already held
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    reader = engine.connect().execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
    with reader.begin():
        reader.execute(text("SELECT count(*) FROM t"))
        other.execute("BEGIN IMMEDIATE")  # a deferred reader leaves writers alone
        other.execute("INSERT INTO t VALUES (1)")
        other.execute("COMMIT")
    reader.close()
    other.close()
    engine.dispose()


@pytest.mark.parametrize(
    "url",
    ["pas une URL", "postgresql://u:s3cret@h:port/db", "mysql://u:s3cret@h/db", "://", ""],
)
def test_an_unusable_url_is_a_clear_configuration_error(url):
    with pytest.raises(DatabaseUrlError) as caught:
        make_engine(url)
    assert "DATABASE_URL" in str(caught.value) and "s3cret" not in str(caught.value)
