"""The `warc_files` table: which WARC files of a backfill are done, and who imports which.

A worker claims one file at a time. A file is claimable when it is not done and no running
crawl holds it: a run that died (kill -9, lost machine) was marked failed by the next run's
start (`Repository.close_abandoned_runs`), so its file is taken up again. Several workers on
one PostgreSQL database claim with `FOR UPDATE SKIP LOCKED`, so no two import the same file.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crawler.storage import models


@dataclass(frozen=True)
class FileCounts:
    records: int = 0
    pages: int = 0
    skipped: int = 0


def register(engine: Engine, collection: str, month: str, paths: list[str]) -> int:
    """Add the month's paths not known yet (as pending); the number added."""
    table = models.WarcFile
    with engine.begin() as connection:
        known = set(connection.scalars(select(table.path).where(table.month == month)))
        rows = [
            {"path": path, "collection": collection, "month": month, "state": "pending"}
            for path in dict.fromkeys(paths)
            if path not in known
        ]
        if rows:
            insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
            statement = insert(table).on_conflict_do_nothing(index_elements=["path"])
            connection.execute(statement, rows)
    return len(rows)


def claim(
    engine: Engine, run_id: int, months: Collection[str], exclude: Collection[str] = ()
) -> str | None:
    """The next file of these months to import, now held by `run_id`; None when none is left."""
    table, runs = models.WarcFile, models.CrawlRun
    holder_running = (
        select(runs.id).where(runs.id == table.crawl_run_id, runs.status == "running").exists()
    )
    statement = (
        select(table.path)
        .where(
            table.month.in_(list(months)),
            table.state != "done",
            or_(
                table.state == "pending",
                table.crawl_run_id.is_(None),
                table.crawl_run_id == run_id,
                ~holder_running,
            ),
        )
        .order_by(table.month, table.path)
        .limit(1)
    )
    if exclude:
        statement = statement.where(table.path.not_in(list(exclude)))
    if engine.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True, of=table)
    with engine.begin() as connection:
        path = connection.scalar(statement)
        if path is None:
            return None
        connection.execute(
            update(table)
            .where(table.path == path)
            .values(state="importing", crawl_run_id=run_id, claimed_at=datetime.now(UTC))
        )
    return str(path)


def finish(engine: Engine, path: str, run_id: int, counts: FileCounts) -> None:
    """The file is imported (its articles are written): never again."""
    table = models.WarcFile
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.path == path)
            .values(
                state="done",
                crawl_run_id=run_id,
                finished_at=datetime.now(UTC),
                records=counts.records,
                pages=counts.pages,
                skipped=counts.skipped,
            )
        )


def release(engine: Engine, path: str, run_id: int) -> None:
    """The file could not be read to its end (network): pending again, for a later run."""
    table = models.WarcFile
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(and_(table.path == path, table.crawl_run_id == run_id, table.state != "done"))
            .values(state="pending", claimed_at=None)
        )


def states(engine: Engine, months: Collection[str]) -> dict[str, str]:
    """path → state of these months' files (operations and tests)."""
    table = models.WarcFile
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.path, table.state).where(table.month.in_(list(months)))
        )
        return {str(path): str(state) for path, state in rows}
