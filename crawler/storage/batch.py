"""One batch of `Repository.save_articles`: played in order in memory, then written.

A batch of articles costs a fixed handful of statements whatever its size: one `IN (...)`
lookup per kind of identity (URL, content hash, canonical URL), then one executemany per
table (SQL in crawler/storage/statements.py). The wire-story clusters are replayed alongside
(crawler/storage/clusters.py). Repository (crawler/storage/repository.py) opens the
transaction, takes the locks and hands the batch over.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from crawler.storage.clusters import ClusterReplay
from crawler.storage.statements import (
    PLACEHOLDER,
    execute_many,
    run_in,
    select_in,
    statements_for,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from crawler.items import Article
    from crawler.storage.repository import Repository

SaveStatus = Literal["new", "updated", "unchanged"]


@dataclass(frozen=True)
class SaveResult:
    article_id: int
    status: SaveStatus
    canonical_url: str


def normalise_text(text: str | None) -> str:
    """NFC with whitespace runs collapsed: what counts as "the same text" for versions."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    """Scrapy stats and hints hold datetimes and other objects: store them as ISO strings / text."""

    def default(value: Any) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    result: dict[str, Any] = json.loads(json.dumps(stats, default=default))
    return result


def unique(values: list[str]) -> list[str]:
    """Non-empty values, first occurrence kept, in order."""
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen


@dataclass(frozen=True)
class PreparedArticle:
    """An Article with its identity computed once."""

    article: Article
    canonical_url: str
    urls: list[str]  # canonical, final, first: the order of preference when matching aliases
    content_hash: str
    fetched_at: datetime  # timezone-aware UTC
    signature: list[int] | None  # MinHash of the body; None when too short to cluster
    band_keys: list[str]


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
        self.sql = statements_for(repository._postgres)
        self.states: dict[int, _State] = {}
        self.clusters = ClusterReplay(connection, self.sql, self.states)
        self.url_owner: dict[str, int] = {}
        self.by_hash: dict[tuple[int, str], set[int]] = {}
        self.by_canonical: dict[str, int] = {}
        self.new_ids: list[int] = []  # placeholders, in batch order
        # rows to write
        self.url_rows: list[dict[str, Any]] = []
        self.read_counts: dict[tuple[int, datetime], dict[str, Any]] = {}
        self.raw_pages: dict[tuple[int, datetime], dict[str, Any]] = {}
        self.revisions: list[dict[str, Any]] = []
        self.children: dict[int, tuple[list[dict[str, Any]], ...]] = {}
        self.replaced: set[int] = set()  # stored articles whose children are replaced

    def _content_values(self, item: PreparedArticle) -> dict[str, Any]:
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
            "pipeline_version": self.repository.pipeline_version,
            "date_rejection": rejections or None,
        }

    # -- driver ----------------------------------------------------------------------------

    def save(self, batch: list[PreparedArticle]) -> list[SaveResult]:
        self._look_up(batch)
        played = [self._play(item) for item in batch]
        self.clusters.index_bands()
        self.clusters.play()
        ids = self._write()
        return [
            SaveResult(ids.get(article_id, article_id), status, item.canonical_url)
            for item, (article_id, status) in zip(batch, played, strict=True)
        ]

    def _look_up(self, batch: list[PreparedArticle]) -> None:
        connection, sql = self.connection, self.sql
        urls = {url for item in batch for url in item.urls}
        for url, article_id in select_in(connection, sql.by_url, urls):
            self.url_owner[url] = int(article_id)
        hashes = {item.content_hash for item in batch if normalise_text(item.article.body)}
        known = set(self.url_owner.values())
        for article_id, site_id, content_hash in select_in(connection, sql.by_hash, hashes):
            self.by_hash.setdefault((int(site_id), content_hash), set()).add(int(article_id))
            known.add(int(article_id))
        canonicals = {item.canonical_url for item in batch} - self.url_owner.keys()
        for article_id, canonical_url in select_in(connection, sql.by_canonical, canonicals):
            self.by_canonical[canonical_url] = int(article_id)
            known.add(int(article_id))
        for row in select_in(connection, sql.states, known, "ids"):
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
            self.clusters.cluster_of[int(row.id)] = self.states[int(row.id)].cluster_id

    # -- one item, in memory ---------------------------------------------------------------

    def _find_existing(self, item: PreparedArticle, site_id: int) -> int | None:
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

    def _play(self, item: PreparedArticle) -> tuple[int, SaveStatus]:
        site_id = self.site_ids[item.article.site]
        article_id = self._find_existing(item, site_id)
        if article_id is None:
            article_id = self._insert_article(item, site_id)
            self._add_urls(article_id, item)
            self._replace_children(article_id, item.article)
            self._add_read_count(article_id, item)
            self._add_raw_page(article_id, item, only_if_none=False)
            self.clusters.sign(article_id, item)
            return article_id, "new"
        status = self._update_article(article_id, item)
        if not self.reextract:
            # A page is kept per stored version, plus one for articles stored before raw pages.
            self._add_raw_page(article_id, item, only_if_none=status == "unchanged")
        if status == "updated" or not self.states[article_id].signed:
            self.clusters.sign(article_id, item)
        return article_id, status

    def _insert_article(self, item: PreparedArticle, site_id: int) -> int:
        article = item.article
        article_id = PLACEHOLDER + len(self.new_ids)
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
            **self._content_values(item),
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
        self.clusters.cluster_of[article_id] = None
        self.by_hash.setdefault((site_id, item.content_hash), set()).add(article_id)
        return article_id

    def _update_article(self, article_id: int, item: PreparedArticle) -> SaveStatus:
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
            new_values = self._content_values(item)
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

    def _add_urls(self, article_id: int, item: PreparedArticle) -> None:
        """Record every URL as an alias; a URL already owned by another article stays there."""
        for url in item.urls:
            if url not in self.url_owner:
                self.url_owner[url] = article_id
                self.url_rows.append(
                    {"url": url, "article_id": article_id, "first_seen_at": item.fetched_at}
                )

    def _add_read_count(self, article_id: int, item: PreparedArticle) -> None:
        value = item.article.read_count
        if value is not None:
            self.read_counts.setdefault(
                (article_id, item.fetched_at),
                {"article_id": article_id, "observed_at": item.fetched_at, "value": value},
            )

    def _add_raw_page(self, article_id: int, item: PreparedArticle, *, only_if_none: bool) -> None:
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
                "hints": json_safe(article.hints) if article.hints else None,
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
        bylines = [(name, "person") for name in unique(article.authors)]
        bylines += [(name, "desk") for name in unique(article.desks)]
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

    # -- the writes ------------------------------------------------------------------------

    def _write(self) -> dict[int, int]:
        """Write what the batch played, one statement per table; the placeholders' real ids."""
        connection, sql = self.connection, self.sql
        clusters: dict[int, int] = {}
        if self.clusters.new_clusters:
            created = connection.execute(
                sql.cluster_insert, [{"created_at": when} for when in self.clusters.new_clusters]
            ).all()
            clusters = {PLACEHOLDER + index: int(row.id) for index, row in enumerate(created)}
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
        for article_id, cluster_id in self.clusters.cluster_updates.items():
            pending.setdefault(article_id, {})["cluster_id"] = clusters.get(cluster_id, cluster_id)
        for article_id, values in pending.items():
            if values:
                columns = tuple(sorted(values))
                updates.setdefault(columns, []).append({**values, "article_id": article_id})
        for columns, rows in updates.items():
            connection.execute(sql.article_update(columns), rows)
        # Children of stored articles are replaced: delete theirs first.
        for statement in sql.child_deletes:
            run_in(connection, statement, sorted(self.replaced))
        resigned = sorted(a for a in self.clusters.signatures if not self.states[a].new)
        run_in(connection, sql.band_delete, resigned)
        run_in(connection, sql.signature_delete, resigned)
        execute_many(connection, sql.url_insert, real(self.url_rows, "article_id"))
        for index, statement in enumerate(sql.child_inserts):
            rows = [row for children in self.children.values() for row in children[index]]
            execute_many(connection, statement, real(rows, "article_id"))
        execute_many(
            connection, sql.read_count_insert, real(list(self.read_counts.values()), "article_id")
        )
        execute_many(
            connection, sql.raw_page_insert, real(list(self.raw_pages.values()), "article_id")
        )
        execute_many(connection, sql.revision_insert, real(self.revisions, "article_id"))
        signatures = [row for row in self.clusters.signatures.values() if row is not None]
        execute_many(connection, sql.signature_insert, real(signatures, "article_id"))
        bands = sorted(
            (
                {"band_key": key, "article_id": article_id}
                for article_id, keys in self.clusters.bands_of.items()
                if article_id in self.clusters.signatures
                for key in keys
            ),
            key=lambda row: (row["band_key"], row["article_id"]),
        )
        execute_many(connection, sql.band_insert, real(bands, "article_id"))
        for member in self.clusters.members:
            member["cluster_id"] = clusters.get(member["cluster_id"], member["cluster_id"])
        execute_many(
            connection,
            sql.member_insert,
            real(self.clusters.members, "article_id", "matched_article_id"),
        )
        return ids
