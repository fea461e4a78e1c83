"""Repository: every write of the crawler to the database goes through here.

Several crawler processes may write at once, so identity rests on database constraints and
`INSERT ... ON CONFLICT`, never on process memory. Overlapping batches are serialised by the
database: SQLite's BEGIN IMMEDIATE, PostgreSQL transaction-scoped advisory locks taken in a
fixed order on every URL and content hash of the batch.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import socket
import time
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from sqlalchemy import Table, bindparam, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from crawler import clustering
from crawler.fields.text import content_hash as compute_content_hash
from crawler.storage import models
from crawler.storage.run_lock import process_alive

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from crawler.items import Article

__all__ = ["Repository", "SaveResult", "compute_content_hash"]

logger = logging.getLogger(__name__)

_NON_WORD = re.compile(r"\W+")

SaveStatus = Literal["new", "updated", "unchanged"]

# PostgreSQL SQLSTATEs worth retrying a whole batch for: deadlock, serialization failure.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
MAX_ATTEMPTS = 4

# Articles sharing the most band keys with a new one whose signatures are compared with it.
MAX_CANDIDATES = 200
# Members of one band key read when a new article is signed: the most recent ones.
MAX_BAND_MEMBERS = 64


@dataclass(frozen=True)
class SaveResult:
    article_id: int
    status: SaveStatus
    canonical_url: str


@dataclass(frozen=True)
class AbandonedRun:
    """A crawl run left `running` by a process that is gone (see close_abandoned_runs)."""

    id: int
    site_key: str | None
    host: str
    pid: int
    started_at: datetime


def normalise_text(text: str | None) -> str:
    """NFC with whitespace runs collapsed: what counts as "the same text" for versions."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    """Scrapy stats hold datetimes and other objects: store them as ISO strings / text."""

    def default(value: Any) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    result: dict[str, Any] = json.loads(json.dumps(stats, default=default))
    return result


def as_utc(value: datetime) -> datetime:
    """Timezone-aware UTC; a naive datetime is taken as UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


LOCK_BUCKETS = 512
LOCK_NAMESPACE = 0x64657065 << 16  # "depe": keeps these keys apart from the run locks


def _lock_key(text: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big", signed=True)


def _unique(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen


@dataclass(frozen=True)
class _Prepared:
    """An Article with its identity computed once."""

    article: Article
    canonical_url: str
    urls: list[str]  # canonical, final, first: the order of preference when matching aliases
    content_hash: str
    fetched_at: datetime  # timezone-aware UTC
    signature: list[int] | None  # MinHash of the body; None when too short to cluster
    band_keys: list[str]


# -- statements, built once per dialect ----------------------------------------------------
# A batch of articles costs a fixed handful of statements: every lookup is one `IN (...)`
# select over the whole batch and every write one executemany (multi-row VALUES), all with
# statements built here once, so SQLAlchemy's compiled cache serves them.

_ARTICLES = cast(Table, models.Article.__table__)
_URLS = cast(Table, models.ArticleUrl.__table__)
_SIGNATURES = cast(Table, models.ArticleSignature.__table__)
_BANDS = cast(Table, models.ArticleBand.__table__)
_RAW_PAGES = cast(Table, models.RawPage.__table__)
_CHILDREN = [
    cast(Table, model.__table__)
    for model in (models.ArticleAuthor, models.ArticleTag, models.ArticleAgency)
]
# Rows per `IN (...)` lookup: far below SQLite's and PostgreSQL's bound-parameter limits.
_IN_CHUNK = 2000


def _ids(name: str = "ids") -> Any:
    return bindparam(name, expanding=True)


class _Sql:
    """The statements of `save_articles` for one dialect."""

    def __init__(self, postgres: bool) -> None:
        dialect: Any = postgresql if postgres else sqlite
        a = _ARTICLES.c
        self.site_ids = select(models.Site.key, models.Site.id).where(
            models.Site.key.in_(_ids("keys"))
        )
        self.site_insert = dialect.insert(models.Site).on_conflict_do_nothing(
            index_elements=["key"]
        )
        self.tag_ids = select(models.Tag.slug, models.Tag.id).where(
            models.Tag.slug.in_(_ids("keys"))
        )
        self.tag_insert = dialect.insert(models.Tag).on_conflict_do_nothing(index_elements=["slug"])
        # article_urls primary key; articles' ix_articles_content_hash and unique canonical_url.
        self.by_url = select(_URLS.c.url, _URLS.c.article_id).where(_URLS.c.url.in_(_ids("keys")))
        self.by_hash = select(a.id, a.site_id, a.content_hash).where(
            a.content_hash.in_(_ids("keys"))
        )
        self.by_canonical = select(a.id, a.canonical_url).where(a.canonical_url.in_(_ids("keys")))
        signed = select(_SIGNATURES.c.article_id).where(_SIGNATURES.c.article_id == a.id).exists()
        with_raw = select(_RAW_PAGES.c.id).where(_RAW_PAGES.c.article_id == a.id).exists()
        self.states = select(
            a.id,
            a.site_id,
            a.title,
            a.body,
            a.content_hash,
            a.last_seen_at,
            a.cluster_id,
            signed.label("signed"),
            with_raw.label("with_raw"),
        ).where(a.id.in_(_ids()))
        # Each key's most recent members only: a series of near-identical articles (hourly
        # weather or market bulletins) would otherwise make every new one read them all.
        members = select(
            _BANDS.c.band_key,
            _BANDS.c.article_id,
            func.row_number()
            .over(partition_by=_BANDS.c.band_key, order_by=_BANDS.c.article_id.desc())
            .label("recency"),
        ).where(_BANDS.c.band_key.in_(_ids("keys")))
        recent = members.subquery("recent_members")
        self.bands = select(recent.c.band_key, recent.c.article_id).where(
            recent.c.recency <= MAX_BAND_MEMBERS
        )
        self.signatures = (
            select(_SIGNATURES.c.article_id, _SIGNATURES.c.signature, a.cluster_id)
            .join(_ARTICLES, a.id == _SIGNATURES.c.article_id)
            .where(_SIGNATURES.c.article_id.in_(_ids()))
        )
        self.article_insert = (
            dialect.insert(_ARTICLES)
            .on_conflict_do_nothing(index_elements=["canonical_url"])
            .returning(a.id, a.canonical_url)
        )
        self.cluster_insert = dialect.insert(models.Cluster.__table__).returning(
            models.Cluster.__table__.c.id, sort_by_parameter_order=True
        )
        self.url_insert = dialect.insert(_URLS).on_conflict_do_nothing()
        self.read_count_insert = dialect.insert(models.ReadCount.__table__).on_conflict_do_nothing()
        self.raw_page_insert = dialect.insert(_RAW_PAGES).on_conflict_do_nothing()
        self.child_inserts = [dialect.insert(table) for table in _CHILDREN]
        self.child_deletes = [
            delete(table).where(table.c.article_id.in_(_ids())) for table in _CHILDREN
        ]
        self.revision_insert = dialect.insert(models.Revision.__table__)
        self.signature_insert = dialect.insert(_SIGNATURES)
        self.band_insert = dialect.insert(_BANDS)
        self.signature_delete = delete(_SIGNATURES).where(_SIGNATURES.c.article_id.in_(_ids()))
        self.band_delete = delete(_BANDS).where(_BANDS.c.article_id.in_(_ids()))
        self.member_insert = dialect.insert(models.ClusterMember.__table__)
        self._updates: dict[tuple[str, ...], Any] = {}

    def article_update(self, columns: tuple[str, ...]) -> Any:
        """`UPDATE articles SET <columns> WHERE id = :article_id`, one per column set."""
        statement = self._updates.get(columns)
        if statement is None:
            statement = (
                update(_ARTICLES)
                .where(_ARTICLES.c.id == bindparam("article_id"))
                .values({name: bindparam(name, type_=_ARTICLES.c[name].type) for name in columns})
            )
            self._updates[columns] = statement
        return statement


_SQL: dict[bool, _Sql] = {}


def _sql(postgres: bool) -> _Sql:
    if postgres not in _SQL:
        _SQL[postgres] = _Sql(postgres)
    return _SQL[postgres]


def _select_in(
    connection: Connection, statement: Any, values: Any, name: str = "keys"
) -> list[Any]:
    """Rows of a select over `IN (values)`, in chunks; nothing is run for no values."""
    values = list(values)
    found: list[Any] = []
    for start in range(0, len(values), _IN_CHUNK):
        found += connection.execute(statement, {name: values[start : start + _IN_CHUNK]}).all()
    return found


def _run_in(connection: Connection, statement: Any, ids: Any) -> None:
    """A delete over `IN (ids)`, in chunks; nothing is run for no ids."""
    ids = list(ids)
    for start in range(0, len(ids), _IN_CHUNK):
        connection.execute(statement, {"ids": ids[start : start + _IN_CHUNK]})


def _many(connection: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(statement, rows)


class _BatchConflict(Exception):
    """Another writer stored one of the batch's canonical URLs after our lookup: run again."""


@dataclass
class _State:
    """What the batch knows of one article, as earlier items of the batch left it."""

    id: int  # database id, or a placeholder (above every real id) for a row not inserted yet
    site_id: int
    title: str | None
    body: str
    content_hash: str
    last_seen_at: datetime
    cluster_id: int | None  # a database id, or a placeholder of a cluster not inserted yet
    signed: bool
    with_raw: bool
    new: bool
    values: dict[str, Any]  # the whole row to insert (new) or the columns to update


@dataclass
class _ClusterEvent:
    """One `_cluster` call: the article, its signature and its candidates at that moment."""

    article_id: int
    signature: list[int]
    candidates: list[tuple[int, list[int] | None]]  # (id, signature, None: read it from the DB)


# Placeholders for rows the batch inserts: larger than any real id, in batch order, as the ids
# the database will give them are (new rows get ids above every existing one).
_PLACEHOLDER = 1 << 62


class Repository:
    """Writes sites, crawl runs, rejections and articles."""

    def __init__(self, engine: Engine, *, pipeline_version: str = "") -> None:
        self.engine = engine
        self.pipeline_version = pipeline_version
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
            .values(finished_at=datetime.now(UTC), status=status, stats=_json_safe(stats))
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

    def _prepare(self, article: Article) -> _Prepared:
        canonical = article.canonical_url or article.final_url or article.url
        if article.fingerprinted:  # computed by the chain's fingerprint step, off this thread
            signature = article.minhash
        else:
            signature = clustering.signature_if_long_enough(article.body)
        return _Prepared(
            article=article,
            canonical_url=canonical,
            urls=_unique([canonical, article.final_url, article.url]),
            content_hash=article.content_hash or compute_content_hash(article.title, article.body),
            fetched_at=as_utc(article.fetched_at),
            signature=signature,
            band_keys=clustering.band_keys(signature) if signature is not None else [],
        )

    def _save_batch(
        self,
        connection: Connection,
        run_id: int | None,
        batch: list[_Prepared],
        reextract: bool = False,
    ) -> list[SaveResult]:
        site_ids = self._site_ids(connection, {item.article.site for item in batch})
        tag_ids = self._tag_ids(connection, batch)
        if self._postgres:
            self._lock(connection, batch, site_ids)
        writer = _BatchWriter(self, connection, run_id, site_ids, tag_ids, reextract)
        return writer.save(batch)

    def _content_values(self, item: _Prepared) -> dict[str, Any]:
        """Columns that a new version of the article replaces."""
        article = item.article
        published, modified = article.published, article.modified
        rejections = "\n".join(f"{raw}: {reason}" for raw, reason in article.date_rejections)
        return {
            "title": article.title,
            "description": article.description,
            "body": article.body,
            "published_at": published.value if published else None,
            "published_precision": published.precision if published else None,
            "published_raw": published.raw if published else None,
            "published_source": published.source if published else None,
            "published_offset": published.offset_minutes if published else None,
            "published_local_day": published.local_day if published else None,
            "modified_at": modified.value if modified else None,
            "modified_precision": modified.precision if modified else None,
            "modified_raw": modified.raw if modified else None,
            "section": article.section,
            "language": article.language,
            "language_confidence": article.language_confidence,
            "word_count": article.word_count,
            "content_hash": item.content_hash,
            "extractor": article.extractor,
            "pipeline_version": self.pipeline_version,
            "date_rejection": rejections or None,
        }

    # -- batch-wide lookups ----------------------------------------------------------------

    def _site_ids(self, connection: Connection, keys: set[str]) -> dict[str, int]:
        """Ids of the batch's sites, creating a minimal row for a key never seen."""
        sql = _sql(self._postgres)
        found = {key: int(site_id) for key, site_id in _select_in(connection, sql.site_ids, keys)}
        missing = sorted(keys - found.keys())
        if missing:
            rows = [{"key": key, "name": key, "generic": True} for key in missing]
            _many(connection, sql.site_insert, rows)
            found.update(
                (key, int(site_id))
                for key, site_id in _select_in(connection, sql.site_ids, missing)
            )
        return found

    def _tag_ids(self, connection: Connection, batch: list[_Prepared]) -> dict[str, int]:
        """Ids of the batch's tag slugs; a new slug is inserted with its first label."""
        labels: dict[str, str] = {}
        for item in batch:
            for tag in item.article.tags:
                if tag.slug:
                    labels.setdefault(tag.slug, tag.label)
        if not labels:
            return {}
        sql = _sql(self._postgres)
        found = {slug: int(tag_id) for slug, tag_id in _select_in(connection, sql.tag_ids, labels)}
        missing = sorted(labels.keys() - found.keys())
        if missing:
            rows = [{"slug": slug, "label": labels[slug]} for slug in missing]
            _many(connection, sql.tag_insert, rows)  # a concurrent writer's row stays
            found.update(
                (slug, int(tag_id)) for slug, tag_id in _select_in(connection, sql.tag_ids, missing)
            )
        return found

    def _lock(
        self, connection: Connection, batch: list[_Prepared], site_ids: dict[str, int]
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


class _BatchWriter:
    """One batch of `save_articles`: batch-wide lookups, the batch played in order in memory,
    then one statement per table.

    Playing the batch in memory gives exactly what saving the articles one by one would:
    each item sees the URLs, content hashes, texts, signatures and clusters that the items
    before it left, as the database would show them. The database still has the final word:
    every insert keeps its ON CONFLICT clause, and a canonical URL stored by another writer
    meanwhile (impossible under the batch's locks) makes the whole batch run again.
    """

    def __init__(
        self,
        repository: Repository,
        connection: Connection,
        run_id: int | None,
        site_ids: dict[str, int],
        tag_ids: dict[str, int],
        reextract: bool,
    ) -> None:
        self.repository = repository
        self.connection = connection
        self.run_id = run_id
        self.site_ids = site_ids
        self.tag_ids = tag_ids
        self.reextract = reextract
        self.sql = _sql(repository._postgres)
        self.states: dict[int, _State] = {}
        self.url_owner: dict[str, int] = {}
        self.by_hash: dict[tuple[int, str], set[int]] = {}
        self.by_canonical: dict[str, int] = {}
        self.band_members: dict[str, set[int]] = {}
        self.bands_of: dict[int, set[str]] = {}
        self.new_ids: list[int] = []  # placeholders, in batch order
        # rows to write
        self.url_rows: list[dict[str, Any]] = []
        self.read_counts: dict[tuple[int, datetime], dict[str, Any]] = {}
        self.raw_pages: dict[tuple[int, datetime], dict[str, Any]] = {}
        self.revisions: list[dict[str, Any]] = []
        self.children: dict[int, tuple[list[dict[str, Any]], ...]] = {}
        self.replaced: set[int] = set()  # stored articles whose children are replaced
        self.signatures: dict[int, dict[str, Any] | None] = {}
        self.signings: list[tuple[int, _Prepared]] = []  # `_cluster` calls, in order
        self.events: list[_ClusterEvent] = []
        self.cluster_of: dict[int, int | None] = {}
        self.new_clusters: list[datetime] = []
        self.members: list[dict[str, Any]] = []
        self.cluster_updates: dict[int, int] = {}  # stored articles that join a cluster

    # -- driver ----------------------------------------------------------------------------

    def save(self, batch: list[_Prepared]) -> list[SaveResult]:
        self._look_up(batch)
        played = [self._play(item) for item in batch]
        self._index_bands()
        self._play_clusters()
        ids = self._write()
        return [
            SaveResult(ids.get(article_id, article_id), status, item.canonical_url)
            for item, (article_id, status) in zip(batch, played, strict=True)
        ]

    def _look_up(self, batch: list[_Prepared]) -> None:
        connection, sql = self.connection, self.sql
        urls = {url for item in batch for url in item.urls}
        for url, article_id in _select_in(connection, sql.by_url, urls):
            self.url_owner[url] = int(article_id)
        hashes = {item.content_hash for item in batch if normalise_text(item.article.body)}
        known = set(self.url_owner.values())
        for article_id, site_id, content_hash in _select_in(connection, sql.by_hash, hashes):
            self.by_hash.setdefault((int(site_id), content_hash), set()).add(int(article_id))
            known.add(int(article_id))
        canonicals = {item.canonical_url for item in batch} - self.url_owner.keys()
        for article_id, canonical_url in _select_in(connection, sql.by_canonical, canonicals):
            self.by_canonical[canonical_url] = int(article_id)
            known.add(int(article_id))
        for row in _select_in(connection, sql.states, known, "ids"):
            self.states[int(row.id)] = _State(
                id=int(row.id),
                site_id=int(row.site_id),
                title=row.title,
                body=row.body,
                content_hash=row.content_hash,
                last_seen_at=row.last_seen_at,
                cluster_id=None if row.cluster_id is None else int(row.cluster_id),
                signed=bool(row.signed),
                with_raw=bool(row.with_raw),
                new=False,
                values={},
            )
            self.cluster_of[int(row.id)] = self.states[int(row.id)].cluster_id

    # -- one item, in memory ---------------------------------------------------------------

    def _find_existing(self, item: _Prepared, site_id: int) -> int | None:
        """The article these URLs already lead to, else the same content on the same site."""
        for url in item.urls:
            if url in self.url_owner:
                return self.url_owner[url]
        if normalise_text(item.article.body):
            same_content = self.by_hash.get((site_id, item.content_hash))
            if same_content:
                return min(same_content)
        # A row whose canonical URL is not among its aliases: its insert would conflict.
        return self.by_canonical.get(item.canonical_url)

    def _play(self, item: _Prepared) -> tuple[int, SaveStatus]:
        site_id = self.site_ids[item.article.site]
        article_id = self._find_existing(item, site_id)
        if article_id is None:
            article_id = self._insert_article(item, site_id)
            self._add_urls(article_id, item)
            self._replace_children(article_id, item.article)
            self._add_read_count(article_id, item)
            self._add_raw_page(article_id, item, only_if_none=False)
            self._cluster(article_id, item)
            return article_id, "new"
        status = self._update_article(article_id, item)
        if not self.reextract:
            # A page is kept per stored version, plus one for articles stored before raw pages.
            self._add_raw_page(article_id, item, only_if_none=status == "unchanged")
        if status == "updated" or not self.states[article_id].signed:
            self._cluster(article_id, item)
        return article_id, status

    def _insert_article(self, item: _Prepared, site_id: int) -> int:
        article = item.article
        article_id = _PLACEHOLDER + len(self.new_ids)
        self.new_ids.append(article_id)
        values = {
            "canonical_url": item.canonical_url,
            "site_id": site_id,
            "url": article.url,
            "final_url": article.final_url or article.url,
            "first_seen_at": item.fetched_at,
            "last_seen_at": item.fetched_at,
            "read_count": article.read_count,
            "first_crawl_run_id": self.run_id,
            "last_crawl_run_id": self.run_id,
            "cluster_id": None,
            **self.repository._content_values(item),
        }
        self.states[article_id] = _State(
            id=article_id,
            site_id=site_id,
            title=article.title,
            body=article.body,
            content_hash=item.content_hash,
            last_seen_at=item.fetched_at,
            cluster_id=None,
            signed=False,
            with_raw=False,
            new=True,
            values=values,
        )
        self.cluster_of[article_id] = None
        self.by_hash.setdefault((site_id, item.content_hash), set()).add(article_id)
        return article_id

    def _update_article(self, article_id: int, item: _Prepared) -> SaveStatus:
        article, stored = item.article, self.states[article_id]
        self._add_urls(article_id, item)
        self._add_read_count(article_id, item)
        is_latest = item.fetched_at >= stored.last_seen_at
        values: dict[str, Any] = (
            {"last_crawl_run_id": self.run_id} if self.run_id is not None else {}
        )
        if is_latest:
            values["last_seen_at"] = item.fetched_at
            if article.read_count is not None:
                values["read_count"] = article.read_count
        # A new version needs both: another hash (the pipeline's notion of "same text") and a
        # text that differs beyond spacing, which also names the fields that changed.
        changed = [
            name
            for name, old, new in (
                ("title", stored.title, article.title),
                ("body", stored.body, article.body),
            )
            if normalise_text(old) != normalise_text(new)
        ]
        status: SaveStatus = "unchanged"
        text_changed = bool(changed) and item.content_hash != stored.content_hash
        if text_changed and not is_latest and not self.reextract:
            # An older fetch arriving late (a WARC backfill of a page crawled since): its text
            # is an earlier version, kept as such; it does not replace the newer one.
            self.revisions.append(
                {
                    "article_id": article_id,
                    "observed_at": item.fetched_at,
                    "content_hash": item.content_hash,
                    "changed_fields": ",".join(changed),
                    "title": article.title,
                    "body": article.body,
                    "reason": "crawl",
                }
            )
            self._apply(stored, values)
            return status
        if text_changed:
            status = "updated"
            self.revisions.append(
                {
                    "article_id": article_id,
                    "observed_at": datetime.now(UTC) if self.reextract else item.fetched_at,
                    "content_hash": stored.content_hash,
                    "changed_fields": ",".join(changed),
                    "title": stored.title,
                    "body": stored.body,
                    "reason": "reextract" if self.reextract else "crawl",
                }
            )
        if text_changed or self.reextract:
            new_values = self.repository._content_values(item)
            # A page that no longer shows its dates does not erase the ones already known.
            for prefix, parsed in (
                ("published_", article.published),
                ("modified_", article.modified),
            ):
                if parsed is None:
                    new_values = {k: v for k, v in new_values.items() if not k.startswith(prefix)}
            values.update(new_values)
            self._replace_children(article_id, article)
        if item.content_hash != stored.content_hash and not changed:
            # Same text under another hashing rule (a pipeline upgrade): keep dedup working.
            values["content_hash"] = item.content_hash
        self._apply(stored, values)
        return status

    def _apply(self, stored: _State, values: dict[str, Any]) -> None:
        """Record an update of the article's row, and what later items of the batch see."""
        stored.values.update(values)
        if "title" in values:
            stored.title = values["title"]
        if "body" in values:
            stored.body = values["body"]
        if "last_seen_at" in values:
            stored.last_seen_at = values["last_seen_at"]
        new_hash = values.get("content_hash", stored.content_hash)
        if new_hash != stored.content_hash:
            old = self.by_hash.get((stored.site_id, stored.content_hash))
            if old is not None:
                old.discard(stored.id)
            self.by_hash.setdefault((stored.site_id, new_hash), set()).add(stored.id)
            stored.content_hash = new_hash

    def _add_urls(self, article_id: int, item: _Prepared) -> None:
        """Record every URL as an alias; a URL already owned by another article stays there."""
        for url in item.urls:
            if url not in self.url_owner:
                self.url_owner[url] = article_id
                self.url_rows.append(
                    {"url": url, "article_id": article_id, "first_seen_at": item.fetched_at}
                )

    def _add_read_count(self, article_id: int, item: _Prepared) -> None:
        value = item.article.read_count
        if value is not None:
            self.read_counts.setdefault(
                (article_id, item.fetched_at),
                {"article_id": article_id, "observed_at": item.fetched_at, "value": value},
            )

    def _add_raw_page(self, article_id: int, item: _Prepared, *, only_if_none: bool) -> None:
        """Keep the fetched HTML of this version (nothing when the item carries none)."""
        article, stored = item.article, self.states[article_id]
        if not article.raw_html_gz or (only_if_none and stored.with_raw):
            return
        stored.with_raw = True
        self.raw_pages.setdefault(
            (article_id, item.fetched_at),
            {
                "article_id": article_id,
                "fetched_at": item.fetched_at,
                "url": article.url,
                "final_url": article.final_url or article.url,
                "http_status": article.status,
                "html_gz": article.raw_html_gz,
                "html_bytes": article.raw_html_bytes or len(gzip.decompress(article.raw_html_gz)),
                "hints": _json_safe(article.hints) if article.hints else None,
                "content_hash": item.content_hash,
                "extractor": article.extractor,
                "pipeline_version": self.repository.pipeline_version,
                "warc_file": article.warc_file,
                "warc_offset": article.warc_offset,
            },
        )

    def _replace_children(self, article_id: int, article: Article) -> None:
        if not self.states[article_id].new:
            self.replaced.add(article_id)
        bylines = [(name, "person") for name in _unique(article.authors)]
        bylines += [(name, "desk") for name in _unique(article.desks)]
        authors = [
            {"article_id": article_id, "position": position, "name": name, "kind": kind}
            for position, (name, kind) in enumerate(bylines)
        ]
        tags: list[dict[str, Any]] = []
        for tag in article.tags:
            if tag.slug and all(row["tag_id"] != self.tag_ids[tag.slug] for row in tags):
                tags.append(
                    {
                        "article_id": article_id,
                        "tag_id": self.tag_ids[tag.slug],
                        "position": len(tags),
                        "label": tag.label,
                    }
                )
        agencies = {
            (mention.code, mention.where): {
                "article_id": article_id,
                "code": mention.code,
                "where_found": mention.where,
                "raw": mention.raw,
            }
            for mention in reversed(article.agencies)  # the first mention wins
        }
        self.children[article_id] = (authors, tags, list(agencies.values()))

    # -- wire-story clusters ----------------------------------------------------------------

    def _cluster(self, article_id: int, item: _Prepared) -> None:
        """Sign the article's body; `_index_bands` then finds its candidates, in batch order.

        Candidates come from the indexed band keys, so copies stored by other runs and other
        processes are found; on PostgreSQL, writers sharing a band key are serialised by
        `_lock`, so two copies of one dispatch never found two clusters. Which cluster it
        joins is decided by `_play_clusters` once the candidates' stored signatures are read.
        """
        stored = self.states[article_id]
        stored.signed = item.signature is not None
        self.signatures[article_id] = (
            None
            if item.signature is None
            else {
                "article_id": article_id,
                "signature": clustering.pack_signature(item.signature),
                "content_hash": item.content_hash,
            }
        )
        self.signings.append((article_id, item))

    def _index_bands(self) -> None:
        """Replay the batch's signings on the band index: each one's candidates at its turn.

        Only the band keys of articles signed by this batch are read (an unchanged article
        that is already signed costs no band lookup).
        """
        if not self.signings:
            return
        keys = {key for _, item in self.signings for key in item.band_keys}
        for key, article_id in _select_in(self.connection, self.sql.bands, keys):
            self.band_members.setdefault(key, set()).add(int(article_id))
            self.bands_of.setdefault(int(article_id), set()).add(key)
        signed_now: dict[int, list[int]] = {}  # signatures the batch gave so far
        for article_id, item in self.signings:
            for key in self.bands_of.pop(article_id, set()):
                self.band_members[key].discard(article_id)
            signed_now.pop(article_id, None)
            if item.signature is None:
                continue
            signed_now[article_id] = item.signature
            self.bands_of[article_id] = set(item.band_keys)
            shared: dict[int, int] = {}
            for key in item.band_keys:
                members = self.band_members.setdefault(key, set())
                for other in members:
                    shared[other] = shared.get(other, 0) + 1
                members.add(article_id)
            ranked = sorted(shared.items(), key=lambda pair: (-pair[1], pair[0]))
            self.events.append(
                _ClusterEvent(
                    article_id,
                    item.signature,
                    [(other, signed_now.get(other)) for other, _ in ranked[:MAX_CANDIDATES]],
                )
            )

    def _play_clusters(self) -> None:
        """Join each signed article to the cluster of its most similar candidate, in order.

        An article that is already in a cluster stays there (an edited copy is still the same
        dispatch); one with no similar article stays out of clusters (no singletons).
        """
        if not self.events:
            return
        from_db = {
            other
            for event in self.events
            for other, signature in event.candidates
            if signature is None
        }
        stored: dict[int, list[int]] = {}
        for article_id, blob, cluster_id in _select_in(
            self.connection, self.sql.signatures, from_db, "ids"
        ):
            stored[int(article_id)] = clustering.unpack_signature(blob)
            self.cluster_of.setdefault(
                int(article_id), None if cluster_id is None else int(cluster_id)
            )
        for event in self.events:
            if self.cluster_of[event.article_id] is not None:
                continue
            scored = sorted(
                (-clustering.similarity(event.signature, signature), other)
                for other, signature in (
                    (other, signature if signature is not None else stored.get(other))
                    for other, signature in event.candidates
                )
                if signature is not None
            )
            if not scored or -scored[0][0] < clustering.CLUSTER_THRESHOLD:
                continue
            match_id, similarity = scored[0][1], -scored[0][0]
            now = datetime.now(UTC)
            cluster_id = self.cluster_of[match_id]
            if cluster_id is None:
                cluster_id = _PLACEHOLDER + len(self.new_clusters)
                self.new_clusters.append(now)
                self._join(cluster_id, match_id, 1.0, None, now)
            self._join(cluster_id, event.article_id, similarity, match_id, now)

    def _join(
        self,
        cluster_id: int,
        article_id: int,
        similarity: float,
        matched_id: int | None,
        now: datetime,
    ) -> None:
        self.cluster_of[article_id] = cluster_id
        self.members.append(
            {
                "article_id": article_id,
                "cluster_id": cluster_id,
                "similarity": similarity,
                "matched_article_id": matched_id,
                "joined_at": now,
            }
        )
        stored = self.states.get(article_id)
        if stored is not None and stored.new:
            stored.values["cluster_id"] = cluster_id
        else:
            self.cluster_updates[article_id] = cluster_id

    # -- the writes ------------------------------------------------------------------------

    def _write(self) -> dict[int, int]:
        """Write what the batch played, one statement per table; the placeholders' real ids."""
        connection, sql = self.connection, self.sql
        clusters: dict[int, int] = {}
        if self.new_clusters:
            created = connection.execute(
                sql.cluster_insert, [{"created_at": when} for when in self.new_clusters]
            ).all()
            clusters = {_PLACEHOLDER + index: int(row.id) for index, row in enumerate(created)}
        ids: dict[int, int] = {}
        if self.new_ids:
            inserted = [self.states[placeholder].values for placeholder in self.new_ids]
            for values in inserted:
                if values["cluster_id"] is not None:
                    values["cluster_id"] = clusters.get(values["cluster_id"], values["cluster_id"])
            returned = connection.execute(sql.article_insert, inserted).all()
            by_url = {url: int(article_id) for article_id, url in returned}
            if len(by_url) != len(inserted):
                raise _BatchConflict()
            ids = {
                placeholder: by_url[self.states[placeholder].values["canonical_url"]]
                for placeholder in self.new_ids
            }

        def real(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
            for row in rows:
                for key in keys:
                    if row[key] is not None:
                        row[key] = ids.get(row[key], row[key])
            return rows

        # Stored articles: one executemany per set of changed columns.
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        pending = {a: dict(stored.values) for a, stored in self.states.items() if not stored.new}
        for article_id, cluster_id in self.cluster_updates.items():
            pending.setdefault(article_id, {})["cluster_id"] = clusters.get(cluster_id, cluster_id)
        for article_id, values in pending.items():
            if values:
                columns = tuple(sorted(values))
                updates.setdefault(columns, []).append({**values, "article_id": article_id})
        for columns, rows in updates.items():
            connection.execute(sql.article_update(columns), rows)
        # Children of stored articles are replaced: delete theirs first.
        for statement in sql.child_deletes:
            _run_in(connection, statement, sorted(self.replaced))
        resigned = sorted(a for a in self.signatures if not self.states[a].new)
        _run_in(connection, sql.band_delete, resigned)
        _run_in(connection, sql.signature_delete, resigned)
        _many(connection, sql.url_insert, real(self.url_rows, "article_id"))
        for index, statement in enumerate(sql.child_inserts):
            rows = [row for children in self.children.values() for row in children[index]]
            _many(connection, statement, real(rows, "article_id"))
        _many(
            connection, sql.read_count_insert, real(list(self.read_counts.values()), "article_id")
        )
        _many(connection, sql.raw_page_insert, real(list(self.raw_pages.values()), "article_id"))
        _many(connection, sql.revision_insert, real(self.revisions, "article_id"))
        signatures = [row for row in self.signatures.values() if row is not None]
        _many(connection, sql.signature_insert, real(signatures, "article_id"))
        bands = sorted(
            (
                {"band_key": key, "article_id": article_id}
                for article_id, keys in self.bands_of.items()
                if article_id in self.signatures
                for key in keys
            ),
            key=lambda row: (row["band_key"], row["article_id"]),
        )
        _many(connection, sql.band_insert, real(bands, "article_id"))
        for member in self.members:
            member["cluster_id"] = clusters.get(member["cluster_id"], member["cluster_id"])
        _many(connection, sql.member_insert, real(self.members, "article_id", "matched_article_id"))
        return ids
