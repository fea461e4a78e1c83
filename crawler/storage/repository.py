"""Repository: every write of the crawler to the database goes through here.

Several crawler processes may write at once, so identity rests on database constraints and
`INSERT ... ON CONFLICT`, never on process memory. Overlapping batches are serialised by the
database: SQLite's BEGIN IMMEDIATE, PostgreSQL transaction-scoped advisory locks taken in a
fixed order on every URL and content hash of the batch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from crawler import clustering
from crawler.fields.text import content_hash as compute_content_hash
from crawler.storage import models
from crawler.storage.batch import (
    PreparedArticle,
    SaveResult,
    _BatchConflict,
    _BatchWriter,
    json_safe,
    unique,
)
from crawler.storage.run_lock import process_alive
from crawler.storage.statements import execute_many, select_in, statements_for

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from crawler.items import Article

__all__ = [
    "BatchListener",
    "PreparedArticle",
    "Repository",
    "SaveResult",
    "compute_content_hash",
    "json_safe",
]

logger = logging.getLogger(__name__)

# PostgreSQL SQLSTATEs worth retrying a whole batch for: deadlock, serialization failure.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
MAX_ATTEMPTS = 4

# Called with (connection, run_id, batch) inside the transaction that stored a crawled batch
# (not a reextract), so its extra writes commit or roll back with the articles.
BatchListener = Callable[["Connection", int | None, list[PreparedArticle]], None]


@dataclass(frozen=True)
class AbandonedRun:
    """A crawl run left `running` by a process that is gone (see close_abandoned_runs)."""

    id: int
    site_key: str | None
    host: str
    pid: int
    started_at: datetime


def as_utc(value: datetime) -> datetime:
    """Timezone-aware UTC; a naive datetime is taken as UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


LOCK_BUCKETS = 512
LOCK_NAMESPACE = 0x64657065 << 16  # "depe": keeps these keys apart from the run locks


def _lock_key(text: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big", signed=True)


class Repository:
    """Writes sites, crawl runs, rejections and articles.

    `batch_listeners` add their own writes to the transaction of each crawled batch of
    articles (the frontier marks the batch's URLs stored: crawler/storage/frontier.py).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        pipeline_version: str = "",
        batch_listeners: Sequence[BatchListener] = (),
    ) -> None:
        self.engine = engine
        self.pipeline_version = pipeline_version
        self.batch_listeners = list(batch_listeners)
        self._postgres = engine.dialect.name == "postgresql"

    # -- small tables ----------------------------------------------------------------------

    def ensure_site(self, key: str, name: str, country: str | None, timezone: str | None) -> int:
        """Create or refresh the site row from its site file and return its id."""
        values = {"key": key, "name": name, "country": country, "timezone": timezone}
        statement = self._insert(models.Site).values(**values, generic=False)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"name": name, "country": country, "timezone": timezone, "generic": False},
        ).returning(models.Site.id)
        with self.engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def start_run(self, spider: str, site_key: str | None) -> int:
        statement = (
            self._insert(models.CrawlRun)
            .values(
                spider=spider,
                site_key=site_key,
                started_at=datetime.now(UTC),
                status="running",
                host=socket.gethostname(),
                pid=os.getpid(),
            )
            .returning(models.CrawlRun.id)
        )
        with self.engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        if status not in models.RUN_STATUSES:
            raise ValueError(f"unknown crawl run status {status!r}")
        statement = (
            update(models.CrawlRun)
            .where(models.CrawlRun.id == run_id)
            .values(finished_at=datetime.now(UTC), status=status, stats=json_safe(stats))
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def close_abandoned_runs(
        self, current_run_id: int, site_key: str | None, locked_sites: Collection[str] = ()
    ) -> list[AbandonedRun]:
        """Mark failed the `running` rows of crawls known to be gone; return them.

        A crawl killed (kill -9, a crash, a lost machine) or stopped because the database was
        away could not close its own row. Known gone: a process of this host that no longer
        exists, and a site crawl whose site lock this run now holds (one crawl per site at a
        time). `finished_at` of such a row is when a later run noticed, not when it died.
        """
        runs = models.CrawlRun
        host = socket.gethostname()
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(runs.id, runs.spider, runs.site_key, runs.host, runs.pid, runs.started_at)
                .where(runs.status == "running", runs.id != current_run_id)
                .order_by(runs.id)
            ).all()
            gone = [
                AbandonedRun(row.id, row.site_key, row.host, row.pid, row.started_at)
                for row in rows
                if (row.host == host and (row.pid == os.getpid() or not process_alive(row.pid)))
                or (row.spider == "site" and row.site_key in locked_sites)
                # the same selection (all, country:SN...) earlier: it held the locks this run holds
                or (row.spider == "site" and row.site_key == site_key and bool(locked_sites))
            ]
            for run in gone:
                connection.execute(
                    update(runs)
                    .where(runs.id == run.id, runs.status == "running")
                    .values(
                        finished_at=datetime.now(UTC),
                        status="failed",
                        stats={"close_reason": "abandoned", "closed_by_run": current_run_id},
                    )
                )
        return gone

    def record_rejection(
        self,
        run_id: int | None,
        url: str,
        site_key: str | None,
        reason: str,
        detail: str = "",
    ) -> None:
        statement = self._insert(models.Rejection).values(
            crawl_run_id=run_id,
            url=url,
            site_key=site_key,
            reason=reason,
            detail=detail,
            rejected_at=datetime.now(UTC),
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    # -- articles --------------------------------------------------------------------------

    def save_articles(
        self, run_id: int | None, articles: list[Article], *, reextract: bool = False
    ) -> list[SaveResult]:
        """Store a batch of articles in one transaction, in order; one result per article.

        A PostgreSQL deadlock or serialization failure between concurrent writers rolls the
        whole batch back, so it is simply run again.

        `reextract=True` is for articles rebuilt from a stored raw page (`scrapy reextract`):
        every content field and child row is refreshed even when the text is the same, a text
        change is recorded as a revision with reason "reextract" observed now, and no raw page
        is stored again.
        """
        if not articles:
            return []
        prepared = [self._prepare(article) for article in articles]
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self.engine.begin() as connection:
                    return self._save_batch(connection, run_id, prepared, reextract)
            except _BatchConflict:
                if attempt == MAX_ATTEMPTS:
                    raise
                logger.warning("canonical URL stored concurrently, retry %d", attempt)
            except DBAPIError as error:
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in RETRYABLE_SQLSTATES or attempt == MAX_ATTEMPTS:
                    raise
                logger.warning("batch write conflict (%s), retry %d", sqlstate, attempt)
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def _prepare(self, article: Article) -> PreparedArticle:
        canonical = article.canonical_url or article.final_url or article.url
        if article.fingerprinted:  # computed by the chain's fingerprint step, off this thread
            signature = article.minhash
        else:
            signature = clustering.signature_if_long_enough(article.body)
        return PreparedArticle(
            article=article,
            canonical_url=canonical,
            urls=unique([canonical, article.final_url, article.url]),
            content_hash=article.content_hash or compute_content_hash(article.title, article.body),
            fetched_at=as_utc(article.fetched_at),
            signature=signature,
            band_keys=clustering.band_keys(signature) if signature is not None else [],
        )

    def _save_batch(
        self,
        connection: Connection,
        run_id: int | None,
        batch: list[PreparedArticle],
        reextract: bool = False,
    ) -> list[SaveResult]:
        site_ids = self._site_ids(connection, {item.article.site for item in batch})
        tag_ids = self._tag_ids(connection, batch)
        if self._postgres:
            self._lock(connection, batch, site_ids)
        writer = _BatchWriter(self, connection, run_id, site_ids, tag_ids, reextract)
        results = writer.save(batch)
        if not reextract:
            for listener in self.batch_listeners:
                listener(connection, run_id, batch)
        return results

    # -- batch-wide lookups ----------------------------------------------------------------

    def _site_ids(self, connection: Connection, keys: set[str]) -> dict[str, int]:
        """Ids of the batch's sites, creating a minimal row for a key never seen."""
        sql = statements_for(self._postgres)
        found = {key: int(site_id) for key, site_id in select_in(connection, sql.site_ids, keys)}
        missing = sorted(keys - found.keys())
        if missing:
            rows = [{"key": key, "name": key, "generic": True} for key in missing]
            execute_many(connection, sql.site_insert, rows)
            found.update(
                (key, int(site_id)) for key, site_id in select_in(connection, sql.site_ids, missing)
            )
        return found

    def _tag_ids(self, connection: Connection, batch: list[PreparedArticle]) -> dict[str, int]:
        """Ids of the batch's tag slugs; a new slug is inserted with its first label."""
        labels: dict[str, str] = {}
        for item in batch:
            for tag in item.article.tags:
                if tag.slug:
                    labels.setdefault(tag.slug, tag.label)
        if not labels:
            return {}
        sql = statements_for(self._postgres)
        found = {slug: int(tag_id) for slug, tag_id in select_in(connection, sql.tag_ids, labels)}
        missing = sorted(labels.keys() - found.keys())
        if missing:
            rows = [{"slug": slug, "label": labels[slug]} for slug in missing]
            execute_many(connection, sql.tag_insert, rows)  # a concurrent writer's row stays
            found.update(
                (slug, int(tag_id)) for slug, tag_id in select_in(connection, sql.tag_ids, missing)
            )
        return found

    def _lock(
        self, connection: Connection, batch: list[PreparedArticle], site_ids: dict[str, int]
    ) -> None:
        """Serialise PostgreSQL writers that touch the same URL or the same content.

        The unique constraint guards canonical URLs; the same content under two new canonical
        URLs has no constraint, so the lock makes the second writer see the first one's row.
        """
        names = {url for item in batch for url in item.urls}
        names |= {f"{site_ids[item.article.site]}:{item.content_hash}" for item in batch}
        # Band keys: two copies of one dispatch share some, so their clustering is serialised.
        names |= {f"band:{key}" for item in batch for key in item.band_keys}
        # Names fold into LOCK_BUCKETS keys: a batch holds at most that many locks (PostgreSQL's
        # lock table is small: max_locks_per_transaction), at the price of some needless waits
        # between writers whose names share a bucket. Same name, same bucket: still correct.
        keys = sorted({LOCK_NAMESPACE + _lock_key(name) % LOCK_BUCKETS for name in names})
        # One statement; unnest returns the sorted array in order, so every writer takes its
        # locks in the same global order and none can deadlock on them.
        connection.execute(
            text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
            {"keys": keys},
        )

    def _insert(self, entity: type[models.Base]) -> Any:
        """`INSERT` with the dialect's ON CONFLICT clauses."""
        dialect = postgresql if self._postgres else sqlite
        return dialect.insert(entity)
