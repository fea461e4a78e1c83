"""A database that goes away for a while: writes wait for it, then give up (SQLite, no mocks).

The outage is real: the folder holding the SQLite file is moved away once the pool is empty,
so every new connection fails with "unable to open database file" until it is moved back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from crawler.storage.engine import make_engine
from crawler.storage.repository import Repository
from crawler.storage.retry import retry_transient
from crawler.storage.schema import upgrade_to_head
from crawler.storage.writer import ArchiveWriter, DatabaseUnavailableError


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "disque"


@pytest.fixture
def repository(folder: Path) -> Repository:
    engine = make_engine(f"sqlite:///{folder / 'depeches.sqlite3'}")
    upgrade_to_head(engine)
    return Repository(engine)


def take_away(folder: Path, repository: Repository) -> Path:
    """The database is unreachable from now on (until the folder is moved back)."""
    repository.engine.dispose()  # no open connection keeps the old file alive
    away = folder.with_name("ailleurs")
    folder.rename(away)
    return away


def runs(repository: Repository) -> int:
    with repository.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM crawl_runs")).scalar_one())


def test_a_write_waits_for_the_database_to_come_back(folder, repository, caplog):
    caplog.set_level(logging.INFO, logger="crawler.storage.retry")
    away = take_away(folder, repository)
    back = threading.Timer(1.0, away.rename, args=(folder,))
    back.start()
    started = time.monotonic()
    try:
        run_id = retry_transient(
            lambda: repository.start_run("site", "exemple"),
            engine=repository.engine,
            seconds=30,
            what="starting a run",
        )
    finally:
        back.join()
    assert time.monotonic() - started >= 1.0
    assert run_id == 1 and runs(repository) == 1  # written once
    assert "database unavailable during starting a run" in caplog.text
    assert "database reachable again" in caplog.text


def test_it_gives_up_after_the_retry_time(folder, repository):
    take_away(folder, repository)
    attempts = []

    def start() -> int:
        attempts.append(time.monotonic())
        return repository.start_run("site", "exemple")

    with pytest.raises(OperationalError):
        retry_transient(start, engine=repository.engine, seconds=1.2, what="starting a run")
    # tries at 0, 0.5 and 1.5 s would overrun: the second failure (0.5 s) is the last
    assert len(attempts) == 2
    assert attempts[-1] - attempts[0] < 1.2


def test_errors_of_the_statement_itself_are_not_retried(repository):
    attempts = []

    def insert_twice() -> None:
        attempts.append(1)
        with repository.engine.begin() as connection:
            for _ in range(2):
                connection.execute(text("INSERT INTO sites (id, key, name) VALUES (7, 'x', 'X')"))

    with pytest.raises(IntegrityError):
        retry_transient(insert_twice, engine=repository.engine, seconds=30, what="inserting")
    assert attempts == [1]


def test_the_writer_stops_the_crawl_once_and_then_fails_fast(folder, tmp_path):
    writer = ArchiveWriter(f"sqlite:///{folder / 'depeches.sqlite3'}", retry_seconds=0.6)
    told: list[DatabaseUnavailableError] = []
    writer.on_unavailable = told.append

    async def scenario() -> float:
        await writer.open("site", "exemple", [])
        assert writer.repository is not None
        writer.repository.engine.dispose()
        folder.rename(tmp_path / "ailleurs")
        with pytest.raises(DatabaseUnavailableError, match="recording 1 discovered URLs"):
            await writer.discover("exemple", {"https://www.exemple.sn/a.html": {}})
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailableError):
            await writer.due_urls("exemple")
        fast = time.monotonic() - started
        (tmp_path / "ailleurs").rename(folder)
        assert await writer.finish("failed", {}) == "failed"  # the run row is closed after all
        return fast

    fast = asyncio.run(scenario())
    assert writer.failed
    assert len(told) == 1  # the crawl is told once
    assert fast < 0.4  # given up already: one attempt, no new retry window
