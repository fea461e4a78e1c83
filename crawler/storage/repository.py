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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from crawler import clustering
from crawler.fields.text import content_hash as compute_content_hash
from crawler.storage import models

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


@dataclass(frozen=True)
class SaveResult:
    article_id: int
    status: SaveStatus
    canonical_url: str


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
        statement = self._insert(models.Site).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"name": name, "country": country, "timezone": timezone},
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
            except DBAPIError as error:
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in RETRYABLE_SQLSTATES or attempt == MAX_ATTEMPTS:
                    raise
                logger.warning("batch write conflict (%s), retry %d", sqlstate, attempt)
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def _prepare(self, article: Article) -> _Prepared:
        canonical = article.canonical_url or article.final_url or article.url
        signature = (
            None if clustering.too_short(article.body) else clustering.signature(article.body)
        )
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
        # Crawl order, so ids follow it: the advisory locks above already serialise any two
        # writers that share a URL or a text, whatever order each processes its batch in.
        return [
            self._save_one(
                connection, run_id, item, site_ids[item.article.site], tag_ids, reextract
            )
            for item in batch
        ]

    def _save_one(
        self,
        connection: Connection,
        run_id: int | None,
        item: _Prepared,
        site_id: int,
        tag_ids: dict[str, int],
        reextract: bool = False,
    ) -> SaveResult:
        article = item.article
        existing_id = self._find_existing(connection, item, site_id)
        if existing_id is None:
            existing_id = self._insert_article(connection, run_id, item, site_id)
            if existing_id is not None:
                self._add_urls(connection, existing_id, item)
                self._replace_children(connection, existing_id, article, tag_ids)
                self._add_read_count(connection, existing_id, item)
                self._add_raw_page(connection, existing_id, item, only_if_none=False)
                self._cluster(connection, existing_id, item)
                return SaveResult(existing_id, "new", item.canonical_url)
            # Another writer committed this canonical URL after our lookup.
            existing_id = connection.execute(
                select(models.Article.id).where(models.Article.canonical_url == item.canonical_url)
            ).scalar_one()
        status = self._update_article(connection, run_id, existing_id, item, tag_ids, reextract)
        if not reextract:
            # A page is kept per stored version, plus one for articles stored before raw pages.
            self._add_raw_page(connection, existing_id, item, only_if_none=status == "unchanged")
        if status == "updated" or not self._is_signed(connection, existing_id):
            self._cluster(connection, existing_id, item)
        return SaveResult(existing_id, status, item.canonical_url)

    def _find_existing(self, connection: Connection, item: _Prepared, site_id: int) -> int | None:
        """The article these URLs already lead to, else the same content on the same site."""
        rows = connection.execute(
            select(models.ArticleUrl.url, models.ArticleUrl.article_id).where(
                models.ArticleUrl.url.in_(item.urls)
            )
        ).all()
        by_url = {url: article_id for url, article_id in rows}
        for url in item.urls:
            if url in by_url:
                return int(by_url[url])
        if not normalise_text(item.article.body):
            return None  # empty bodies all hash alike: no evidence of the same article
        same_content = connection.execute(
            select(models.Article.id)
            .where(
                models.Article.site_id == site_id,
                models.Article.content_hash == item.content_hash,
            )
            .order_by(models.Article.id)
            .limit(1)
        ).scalar_one_or_none()
        return None if same_content is None else int(same_content)

    def _insert_article(
        self, connection: Connection, run_id: int | None, item: _Prepared, site_id: int
    ) -> int | None:
        article = item.article
        statement = (
            self._insert(models.Article)
            .values(
                canonical_url=item.canonical_url,
                site_id=site_id,
                url=article.url,
                final_url=article.final_url or article.url,
                first_seen_at=item.fetched_at,
                last_seen_at=item.fetched_at,
                read_count=article.read_count,
                first_crawl_run_id=run_id,
                last_crawl_run_id=run_id,
                **self._content_values(item),
            )
            .on_conflict_do_nothing(index_elements=["canonical_url"])
            .returning(models.Article.id)
        )
        new_id = connection.execute(statement).scalar_one_or_none()
        return None if new_id is None else int(new_id)

    def _update_article(
        self,
        connection: Connection,
        run_id: int | None,
        article_id: int,
        item: _Prepared,
        tag_ids: dict[str, int],
        reextract: bool = False,
    ) -> SaveStatus:
        article = item.article
        stored = connection.execute(
            select(
                models.Article.title,
                models.Article.body,
                models.Article.content_hash,
                models.Article.last_seen_at,
            ).where(models.Article.id == article_id)
        ).one()
        self._add_urls(connection, article_id, item)
        self._add_read_count(connection, article_id, item)
        is_latest = item.fetched_at >= stored.last_seen_at
        values: dict[str, Any] = {"last_crawl_run_id": run_id} if run_id is not None else {}
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
        if text_changed:
            status = "updated"
            connection.execute(
                self._insert(models.Revision).values(
                    article_id=article_id,
                    observed_at=datetime.now(UTC) if reextract else item.fetched_at,
                    content_hash=stored.content_hash,
                    changed_fields=",".join(changed),
                    title=stored.title,
                    body=stored.body,
                    reason="reextract" if reextract else "crawl",
                )
            )
        if text_changed or reextract:
            new_values = self._content_values(item)
            # A page that no longer shows its dates does not erase the ones already known.
            for prefix, parsed in (
                ("published_", article.published),
                ("modified_", article.modified),
            ):
                if parsed is None:
                    new_values = {k: v for k, v in new_values.items() if not k.startswith(prefix)}
            values.update(new_values)
            self._replace_children(connection, article_id, article, tag_ids)
        if item.content_hash != stored.content_hash and not changed:
            # Same text under another hashing rule (a pipeline upgrade): keep dedup working.
            values["content_hash"] = item.content_hash
        if values:
            connection.execute(
                update(models.Article).where(models.Article.id == article_id).values(**values)
            )
        return status

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

    # -- children --------------------------------------------------------------------------

    def _add_urls(self, connection: Connection, article_id: int, item: _Prepared) -> None:
        """Record every URL as an alias; a URL already owned by another article stays there."""
        rows = [
            {"url": url, "article_id": article_id, "first_seen_at": item.fetched_at}
            for url in item.urls
        ]
        connection.execute(self._insert(models.ArticleUrl).on_conflict_do_nothing(), rows)

    def _add_raw_page(
        self, connection: Connection, article_id: int, item: _Prepared, *, only_if_none: bool
    ) -> None:
        """Keep the fetched HTML of this version (nothing when the item carries none)."""
        article = item.article
        if not article.raw_html_gz:
            return
        if only_if_none:
            known = connection.execute(
                select(models.RawPage.id).where(models.RawPage.article_id == article_id).limit(1)
            ).first()
            if known is not None:
                return
        connection.execute(
            self._insert(models.RawPage)
            .values(
                article_id=article_id,
                fetched_at=item.fetched_at,
                url=article.url,
                final_url=article.final_url or article.url,
                http_status=article.status,
                html_gz=article.raw_html_gz,
                html_bytes=len(gzip.decompress(article.raw_html_gz)),
                hints=_json_safe(article.hints) if article.hints else None,
                content_hash=item.content_hash,
                extractor=article.extractor,
                pipeline_version=self.pipeline_version,
            )
            .on_conflict_do_nothing()
        )

    def _add_read_count(self, connection: Connection, article_id: int, item: _Prepared) -> None:
        if item.article.read_count is None:
            return
        connection.execute(
            self._insert(models.ReadCount)
            .values(
                article_id=article_id, observed_at=item.fetched_at, value=item.article.read_count
            )
            .on_conflict_do_nothing()
        )

    def _replace_children(
        self, connection: Connection, article_id: int, article: Article, tag_ids: dict[str, int]
    ) -> None:
        for table in (models.ArticleAuthor, models.ArticleTag, models.ArticleAgency):
            connection.execute(delete(table).where(table.article_id == article_id))
        bylines = [(name, "person") for name in _unique(article.authors)]
        bylines += [(name, "desk") for name in _unique(article.desks)]
        if bylines:
            connection.execute(
                self._insert(models.ArticleAuthor),
                [
                    {"article_id": article_id, "position": position, "name": name, "kind": kind}
                    for position, (name, kind) in enumerate(bylines)
                ],
            )
        tag_rows: list[dict[str, Any]] = []
        for tag in article.tags:
            if tag.slug and all(row["tag_id"] != tag_ids[tag.slug] for row in tag_rows):
                tag_rows.append(
                    {
                        "article_id": article_id,
                        "tag_id": tag_ids[tag.slug],
                        "position": len(tag_rows),
                        "label": tag.label,
                    }
                )
        if tag_rows:
            connection.execute(self._insert(models.ArticleTag), tag_rows)
        agency_rows = {
            (mention.code, mention.where): {
                "article_id": article_id,
                "code": mention.code,
                "where_found": mention.where,
                "raw": mention.raw,
            }
            for mention in reversed(article.agencies)  # the first mention wins
        }
        if agency_rows:
            connection.execute(self._insert(models.ArticleAgency), list(agency_rows.values()))

    # -- wire-story clusters ----------------------------------------------------------------

    def _is_signed(self, connection: Connection, article_id: int) -> bool:
        found = connection.execute(
            select(models.ArticleSignature.article_id).where(
                models.ArticleSignature.article_id == article_id
            )
        ).first()
        return found is not None

    def _cluster(self, connection: Connection, article_id: int, item: _Prepared) -> None:
        """Sign the article's body and join the cluster of its most similar stored article.

        Candidates come from the indexed band keys, so copies stored by other runs and other
        processes are found; on PostgreSQL, writers sharing a band key are serialised by
        `_lock`, so two copies of one dispatch never found two clusters. An article that is
        already in a cluster stays there (an edited copy is still the same dispatch); one
        with no similar article stays out of clusters (no singletons).
        """
        signature, band = models.ArticleSignature, models.ArticleBand
        connection.execute(delete(band).where(band.article_id == article_id))
        connection.execute(delete(signature).where(signature.article_id == article_id))
        if item.signature is None:
            return
        connection.execute(
            self._insert(signature).values(
                article_id=article_id,
                signature=clustering.pack_signature(item.signature),
                content_hash=item.content_hash,
            )
        )
        if item.band_keys:
            connection.execute(
                self._insert(band),
                [{"band_key": key, "article_id": article_id} for key in item.band_keys],
            )
        current = connection.execute(
            select(models.Article.cluster_id).where(models.Article.id == article_id)
        ).scalar_one()
        if current is not None:
            return
        best = self._best_match(connection, article_id, item)
        if best is None:
            return
        match_id, similarity = best
        now = datetime.now(UTC)
        cluster_id = connection.execute(
            select(models.Article.cluster_id).where(models.Article.id == match_id)
        ).scalar_one()
        if cluster_id is None:
            cluster_id = connection.execute(
                self._insert(models.Cluster).values(created_at=now).returning(models.Cluster.id)
            ).scalar_one()
            self._join(connection, cluster_id, match_id, 1.0, None, now)
        self._join(connection, cluster_id, article_id, similarity, match_id, now)

    def _best_match(
        self, connection: Connection, article_id: int, item: _Prepared
    ) -> tuple[int, float] | None:
        """The most similar signed article at or above the threshold (ties: the oldest)."""
        band = models.ArticleBand
        shared = func.count().label("shared")
        candidates = connection.execute(
            select(band.article_id, shared)
            .where(band.band_key.in_(item.band_keys), band.article_id != article_id)
            .group_by(band.article_id)
            .order_by(shared.desc(), band.article_id)
            .limit(MAX_CANDIDATES)
        ).all()
        if not candidates or item.signature is None:
            return None
        rows = connection.execute(
            select(models.ArticleSignature.article_id, models.ArticleSignature.signature).where(
                models.ArticleSignature.article_id.in_([row.article_id for row in candidates])
            )
        ).all()
        scored = sorted(
            (-clustering.similarity(item.signature, clustering.unpack_signature(blob)), int(aid))
            for aid, blob in rows
        )
        if not scored or -scored[0][0] < clustering.CLUSTER_THRESHOLD:
            return None
        return scored[0][1], -scored[0][0]

    def _join(
        self,
        connection: Connection,
        cluster_id: int,
        article_id: int,
        similarity: float,
        matched_id: int | None,
        now: datetime,
    ) -> None:
        connection.execute(
            self._insert(models.ClusterMember).values(
                article_id=article_id,
                cluster_id=cluster_id,
                similarity=similarity,
                matched_article_id=matched_id,
                joined_at=now,
            )
        )
        connection.execute(
            update(models.Article)
            .where(models.Article.id == article_id)
            .values(cluster_id=cluster_id)
        )

    # -- batch-wide lookups ----------------------------------------------------------------

    def _site_ids(self, connection: Connection, keys: set[str]) -> dict[str, int]:
        """Ids of the batch's sites, creating a minimal row for a key never seen."""
        rows = [{"key": key, "name": key} for key in sorted(keys)]
        connection.execute(
            self._insert(models.Site).on_conflict_do_nothing(index_elements=["key"]), rows
        )
        found = connection.execute(
            select(models.Site.key, models.Site.id).where(models.Site.key.in_(keys))
        ).all()
        return {key: int(site_id) for key, site_id in found}

    def _tag_ids(self, connection: Connection, batch: list[_Prepared]) -> dict[str, int]:
        labels: dict[str, str] = {}
        for item in batch:
            for tag in item.article.tags:
                if tag.slug:
                    labels.setdefault(tag.slug, tag.label)
        if not labels:
            return {}
        rows = [{"slug": slug, "label": labels[slug]} for slug in sorted(labels)]
        connection.execute(
            self._insert(models.Tag).on_conflict_do_nothing(index_elements=["slug"]), rows
        )
        found = connection.execute(
            select(models.Tag.slug, models.Tag.id).where(models.Tag.slug.in_(list(labels)))
        ).all()
        return {slug: int(tag_id) for slug, tag_id in found}

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
        keys = sorted({_lock_key(name) for name in names})
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
