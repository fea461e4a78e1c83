"""Database tables of the archive (SQLAlchemy 2 typed models); Alembic migrations follow them.

Researchers query these tables directly with SQL, so every table and column carries a comment,
and times mean the same on SQLite and PostgreSQL: UTC instants (SQLite stores them as naive UTC
text, PostgreSQL as timestamptz; both read back timezone-aware UTC through `UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit identifiers on PostgreSQL; SQLite needs plain INTEGER to alias its rowid.
Id = BigInteger().with_variant(Integer(), "sqlite")
JsonDocument = JSON().with_variant(JSONB(), "postgresql")

PRECISIONS = ("day", "minute", "second")
RUN_STATUSES = ("running", "ok", "failed", "degraded")
AUTHOR_KINDS = ("person", "desk")
REVISION_REASONS = ("crawl", "reextract")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant on both databases.

    SQLite drops tzinfo, so values are converted to UTC before they are written and marked UTC
    when read; naive datetimes given by callers are taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        as_utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return as_utc.replace(tzinfo=None) if dialect.name == "sqlite" else as_utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}


class Site(Base):
    __tablename__ = "sites"
    __table_args__ = {"comment": "News sites, one per settings/sites/<key>.toml file."}

    id: Mapped[int] = mapped_column(Id, primary_key=True, comment="Surrogate key.")
    key: Mapped[str] = mapped_column(
        String(64), unique=True, comment="Site key: the name of its settings/sites/*.toml file."
    )
    name: Mapped[str] = mapped_column(Text, comment="Display name of the outlet.")
    country: Mapped[str | None] = mapped_column(
        String(64), comment="Country of the outlet as written in the site file (ISO code)."
    )
    timezone: Mapped[str | None] = mapped_column(
        String(64), comment="IANA timezone used to read dates written without an offset."
    )
    generic: Mapped[bool] = mapped_column(
        Boolean,
        server_default=false(),
        comment="True for a row created on the fly for a host without a site file (URL "
        "lists, WARC and CC-NEWS imports): its pages were read with the generic rules.",
    )


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_site_id_published_at", "site_id", "published_at"),
        Index("ix_articles_site_id_published_local_day", "site_id", "published_local_day"),
        Index("ix_articles_content_hash", "content_hash"),
        CheckConstraint(_one_of("published_precision", PRECISIONS), name="published_precision"),
        CheckConstraint(_one_of("modified_precision", PRECISIONS), name="modified_precision"),
        {"comment": "One row per article, identified by its canonical URL; the latest version."},
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, comment="Surrogate key.")
    canonical_url: Mapped[str] = mapped_column(
        Text, unique=True, comment="Canonical URL: the identity of the article."
    )
    site_id: Mapped[int] = mapped_column(
        Id, ForeignKey("sites.id"), comment="Outlet that published the article."
    )
    url: Mapped[str] = mapped_column(Text, comment="URL through which the article was first seen.")
    final_url: Mapped[str] = mapped_column(
        Text, comment="URL after redirects when the article was first seen."
    )
    title: Mapped[str | None] = mapped_column(Text, comment="Headline.")
    description: Mapped[str | None] = mapped_column(Text, comment="Lead / standfirst.")
    body: Mapped[str] = mapped_column(
        Text, comment="Clean body text, paragraphs separated by blank lines."
    )
    published_at: Mapped[datetime | None] = mapped_column(
        comment="Publication time in UTC; for day precision, midnight UTC of that day."
    )
    published_precision: Mapped[str | None] = mapped_column(
        String(6), comment="Precision of published_at: day, minute or second."
    )
    published_raw: Mapped[str | None] = mapped_column(
        Text, comment="Date string published_at was parsed from, as found."
    )
    published_source: Mapped[str | None] = mapped_column(
        String(20), comment="Where published_raw was found: jsonld, meta, time, feed, url..."
    )
    published_offset: Mapped[int | None] = mapped_column(
        SmallInteger,
        comment="The publication's UTC offset in minutes (from the page, else the site's zone);"
        " null for day precision.",
    )
    published_local_day: Mapped[date | None] = mapped_column(
        Date, comment="Calendar day of publication where it was published: group by this."
    )
    modified_at: Mapped[datetime | None] = mapped_column(comment="Last modification, UTC.")
    modified_precision: Mapped[str | None] = mapped_column(
        String(6), comment="Precision of modified_at: day, minute or second."
    )
    modified_raw: Mapped[str | None] = mapped_column(
        Text, comment="Date string modified_at was parsed from, as found."
    )
    section: Mapped[str | None] = mapped_column(Text, comment="Section / rubric of the outlet.")
    language: Mapped[str | None] = mapped_column(
        String(16), comment="Detected language code (fr, en, ar...)."
    )
    language_confidence: Mapped[float | None] = mapped_column(
        Float, comment="Confidence of the language detection, 0 to 1."
    )
    read_count: Mapped[int | None] = mapped_column(
        BigInteger, comment="Latest read counter shown by the outlet; history in read_counts."
    )
    word_count: Mapped[int] = mapped_column(Integer, comment="Number of words of the body.")
    content_hash: Mapped[str] = mapped_column(
        String(64), comment="SHA-256 (hex) of the normalised title and body."
    )
    extractor: Mapped[str] = mapped_column(
        String(100), comment="Extractor name and version that produced the body."
    )
    pipeline_version: Mapped[str] = mapped_column(
        String(50), comment="Version of the crawler pipeline that stored this version."
    )
    cluster_id: Mapped[int | None] = mapped_column(
        Id,
        index=True,
        comment="Story cluster: the same wire dispatch across outlets (null until clustered).",
    )
    first_seen_at: Mapped[datetime] = mapped_column(comment="First fetch of the article, UTC.")
    last_seen_at: Mapped[datetime] = mapped_column(comment="Latest fetch of the article, UTC.")
    first_crawl_run_id: Mapped[int | None] = mapped_column(
        Id,
        ForeignKey("crawl_runs.id", ondelete="SET NULL"),
        comment="Crawl run that first stored the article.",
    )
    last_crawl_run_id: Mapped[int | None] = mapped_column(
        Id,
        ForeignKey("crawl_runs.id", ondelete="SET NULL"),
        comment="Latest crawl run that saw the article.",
    )
    date_rejection: Mapped[str | None] = mapped_column(
        Text, comment="Date strings found but rejected, 'raw: reason' one per line."
    )


class ArticleUrl(Base):
    __tablename__ = "article_urls"
    __table_args__ = {"comment": "Every URL that led to an article (canonical, tracking variants)."}

    url: Mapped[str] = mapped_column(Text, primary_key=True, comment="A URL of the article.")
    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), index=True, comment="The article."
    )
    first_seen_at: Mapped[datetime] = mapped_column(comment="When this URL was first seen, UTC.")


class ArticleAuthor(Base):
    __tablename__ = "article_authors"
    __table_args__ = (
        UniqueConstraint("article_id", "name", "kind"),
        CheckConstraint(_one_of("kind", AUTHOR_KINDS), name="kind"),
        {"comment": 'Bylines of an article: people and desks ("La rédaction", "Service web").'},
    )

    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, comment="The article."
    )
    position: Mapped[int] = mapped_column(
        Integer, primary_key=True, comment="Order in the byline, from 0 (people first)."
    )
    name: Mapped[str] = mapped_column(Text, comment="Name as shown.")
    kind: Mapped[str] = mapped_column(String(6), comment="person or desk.")


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = {"comment": "Tags / keywords, one per accent-folded slug."}

    id: Mapped[int] = mapped_column(Id, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(
        Text, unique=True, comment="Accent-folded lowercase slug, for joins across outlets."
    )
    label: Mapped[str] = mapped_column(Text, comment="Label of the first article that used it.")


class ArticleTag(Base):
    __tablename__ = "article_tags"
    __table_args__ = {"comment": "Tags of an article, in page order."}

    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, comment="The article."
    )
    tag_id: Mapped[int] = mapped_column(
        Id, ForeignKey("tags.id"), primary_key=True, index=True, comment="The tag."
    )
    position: Mapped[int] = mapped_column(Integer, comment="Order on the page, from 0.")
    label: Mapped[str] = mapped_column(Text, comment="Label as shown on this article's page.")


class ArticleAgency(Base):
    __tablename__ = "article_agencies"
    __table_args__ = {"comment": "News agencies credited by an article (AFP, REUTERS, APS...)."}

    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, comment="The article."
    )
    code: Mapped[str] = mapped_column(
        String(20), primary_key=True, index=True, comment="Agency code (AFP, MAP...)."
    )
    where_found: Mapped[str] = mapped_column(
        String(20),
        primary_key=True,
        comment="Where the credit was found: trailer, dateline, byline or meta.",
    )
    raw: Mapped[str] = mapped_column(Text, comment="Text the credit was read from.")


class ReadCount(Base):
    __tablename__ = "read_counts"
    __table_args__ = {"comment": "Every observation of an article's read counter."}

    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, comment="The article."
    )
    observed_at: Mapped[datetime] = mapped_column(
        primary_key=True, comment="Fetch time of the observation, UTC."
    )
    value: Mapped[int] = mapped_column(BigInteger, comment="Counter value shown on the page.")


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = {
        "comment": "Earlier versions of an article: one row each time a re-crawl found its "
        "title or body changed, holding the version that was replaced."
    }

    id: Mapped[int] = mapped_column(Id, primary_key=True, comment="Surrogate key.")
    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), index=True, comment="The article."
    )
    observed_at: Mapped[datetime] = mapped_column(
        comment="Fetch time at which the change was noticed, UTC."
    )
    content_hash: Mapped[str] = mapped_column(String(64), comment="content_hash of this version.")
    changed_fields: Mapped[str] = mapped_column(
        String(50), comment="Fields that changed, comma-separated: title, body."
    )
    title: Mapped[str | None] = mapped_column(Text, comment="Title of the replaced version.")
    body: Mapped[str] = mapped_column(Text, comment="Body of the replaced version.")
    reason: Mapped[str] = mapped_column(
        String(10),
        server_default="crawl",
        comment="What replaced it: crawl (the outlet changed the page) or reextract (the "
        "pipeline read the same stored page differently).",
    )


class RawPage(Base):
    __tablename__ = "raw_pages"
    __table_args__ = (
        UniqueConstraint("article_id", "fetched_at"),
        {
            "comment": "Fetched HTML, gzip-compressed, of every fetch that stored a new version "
            "of an article (first fetch, changed text); `scrapy reextract` reruns the "
            "pipelines on the latest one."
        },
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, comment="Surrogate key.")
    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), comment="The article."
    )
    fetched_at: Mapped[datetime] = mapped_column(comment="Fetch time, UTC.")
    url: Mapped[str] = mapped_column(Text, comment="URL requested.")
    final_url: Mapped[str] = mapped_column(Text, comment="URL after redirects.")
    http_status: Mapped[int] = mapped_column(Integer, comment="HTTP status of the response.")
    html_gz: Mapped[bytes] = mapped_column(
        LargeBinary, comment="The page as decoded by the crawler, UTF-8 then gzip."
    )
    html_bytes: Mapped[int] = mapped_column(
        Integer, comment="Size of the uncompressed UTF-8 HTML, bytes."
    )
    hints: Mapped[dict[str, Any] | None] = mapped_column(
        JsonDocument, comment="What discovery knew of the URL (feed date, sitemap title...)."
    )
    content_hash: Mapped[str] = mapped_column(
        String(64), comment="content_hash of the article version extracted from this page."
    )
    extractor: Mapped[str] = mapped_column(
        String(100), comment="Extractor name and version used at fetch time."
    )
    pipeline_version: Mapped[str] = mapped_column(
        String(50), comment="Pipeline version used at fetch time."
    )
    warc_file: Mapped[str | None] = mapped_column(
        Text,
        comment="WARC file the page was imported from (path or URL as given); null for a "
        "page fetched by a crawl.",
    )
    warc_offset: Mapped[int | None] = mapped_column(
        BigInteger,
        comment="Byte offset of the page's record in warc_file (of its gzip member when "
        "the file is gzipped per record).",
    )


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (
        CheckConstraint(_one_of("status", RUN_STATUSES), name="status"),
        {"comment": "One row per crawler process run."},
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, comment="Surrogate key.")
    spider: Mapped[str] = mapped_column(String(64), comment="Spider name (site, urls...).")
    site_key: Mapped[str | None] = mapped_column(
        String(64), comment="Site key crawled, 'all', or null for URL lists."
    )
    started_at: Mapped[datetime] = mapped_column(comment="Start of the run, UTC.")
    finished_at: Mapped[datetime | None] = mapped_column(comment="End of the run, UTC.")
    status: Mapped[str] = mapped_column(
        String(10), comment="running, ok, failed or degraded (finished with errors)."
    )
    stats: Mapped[dict[str, Any] | None] = mapped_column(
        JsonDocument, comment="Scrapy stats collected at the end of the run."
    )
    host: Mapped[str] = mapped_column(Text, comment="Host name of the crawler machine.")
    pid: Mapped[int] = mapped_column(Integer, comment="Process id of the crawler.")


class Rejection(Base):
    __tablename__ = "rejections"
    __table_args__ = (
        Index("ix_rejections_url", "url"),
        {"comment": "Fetched article URLs that were not stored, and why."},
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, comment="Surrogate key.")
    crawl_run_id: Mapped[int | None] = mapped_column(
        Id,
        ForeignKey("crawl_runs.id", ondelete="SET NULL"),
        index=True,
        comment="Crawl run that rejected the URL.",
    )
    url: Mapped[str] = mapped_column(Text, comment="Rejected URL.")
    site_key: Mapped[str | None] = mapped_column(String(64), comment="Site key, if known.")
    reason: Mapped[str] = mapped_column(
        String(64),
        comment="Machine-readable reason (http_status, no_article_text...): the list is in "
        "crawler/process/rejections.py.",
    )
    detail: Mapped[str] = mapped_column(Text, comment="Human-readable detail.")
    rejected_at: Mapped[datetime] = mapped_column(comment="Time of the rejection, UTC.")


class ArticleSignature(Base):
    __tablename__ = "article_signatures"
    __table_args__ = {
        "comment": "MinHash signature of each clustered article's body (crawler/clustering.py)."
    }

    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, comment="The article."
    )
    signature: Mapped[bytes] = mapped_column(
        LargeBinary, comment="128 MinHash values of the body's 5-word shingles, uint32 LE."
    )
    content_hash: Mapped[str] = mapped_column(
        String(64), comment="content_hash of the article version that was signed."
    )


class ArticleBand(Base):
    __tablename__ = "article_bands"
    __table_args__ = {
        "comment": "LSH band keys of the signatures: articles sharing a key are candidate "
        "copies of one dispatch (indexed by band_key, the primary key's first column)."
    }

    band_key: Mapped[str] = mapped_column(
        String(32), primary_key=True, comment='Band number and hash of its rows, "b7:0f3a...".'
    )
    article_id: Mapped[int] = mapped_column(
        Id,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
        comment="The article.",
    )


class Cluster(Base):
    __tablename__ = "clusters"
    __table_args__ = {
        "comment": "Wire-story clusters: one dispatch republished by several outlets or URLs."
    }

    id: Mapped[int] = mapped_column(Id, primary_key=True, comment="Surrogate key (cluster id).")
    created_at: Mapped[datetime] = mapped_column(
        comment="When the second member made it a cluster, UTC."
    )


class ClusterMember(Base):
    __tablename__ = "cluster_members"
    __table_args__ = {
        "comment": "Members of each cluster (articles.cluster_id is the same link, denormalised)."
    }

    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, comment="The article."
    )
    cluster_id: Mapped[int] = mapped_column(
        Id,
        ForeignKey("clusters.id", ondelete="CASCADE"),
        index=True,
        comment="The cluster.",
    )
    similarity: Mapped[float] = mapped_column(
        Float,
        comment="Estimated Jaccard similarity (0 to 1) of 5-word shingles with matched_article_id "
        "when it joined; 1 for the member the cluster was founded on.",
    )
    matched_article_id: Mapped[int | None] = mapped_column(
        Id,
        ForeignKey("articles.id", ondelete="SET NULL"),
        comment="Member it was found similar to (null for the founding member).",
    )
    joined_at: Mapped[datetime] = mapped_column(comment="When it joined the cluster, UTC.")


FRONTIER_STATES = ("pending", "stored", "rejected", "failed")
SOURCE_KINDS = ("feed", "sitemap", "listing")


class FrontierUrl(Base):
    __tablename__ = "frontier"
    __table_args__ = (
        Index("ix_frontier_site_key_state", "site_key", "state"),
        CheckConstraint(_one_of("state", FRONTIER_STATES), name="state"),
        {
            "comment": "Every article URL discovery found, and where it stands: the crawl's "
            "to-do list, kept in the database so a killed run loses nothing."
        },
    )

    url: Mapped[str] = mapped_column(
        Text, primary_key=True, comment="Article URL as requested (canonical form)."
    )
    site_key: Mapped[str] = mapped_column(String(64), comment="Site key of the URL.")
    state: Mapped[str] = mapped_column(
        String(10), comment="pending, stored, rejected (reason says why) or failed (retried)."
    )
    reason: Mapped[str | None] = mapped_column(
        String(64),
        comment="Rejection reason (crawler/process/rejections.py) when rejected or failed.",
    )
    attempts: Mapped[int] = mapped_column(
        Integer, server_default="0", comment="Fetches that ended failed (transient errors)."
    )
    next_retry_at: Mapped[datetime | None] = mapped_column(
        comment="When a failed URL is due again, UTC."
    )
    discovered_at: Mapped[datetime] = mapped_column(comment="First discovery, UTC.")
    last_fetched_at: Mapped[datetime | None] = mapped_column(
        comment="Latest fetch that settled the URL, UTC."
    )
    visits: Mapped[int] = mapped_column(
        Integer, server_default="0", comment="Revisits of the stored article so far."
    )
    next_visit_at: Mapped[datetime | None] = mapped_column(
        comment="When the stored article is due for a revisit, UTC; null: never again."
    )
    hints: Mapped[dict[str, Any] | None] = mapped_column(
        JsonDocument, comment="What discovery knew of the URL (feed date, news-sitemap title...)."
    )
    crawl_run_id: Mapped[int | None] = mapped_column(
        Id,
        ForeignKey("crawl_runs.id", ondelete="SET NULL"),
        comment="Latest crawl run that discovered or settled the URL.",
    )


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (
        Index("ix_sources_site_key", "site_key"),
        CheckConstraint(_one_of("kind", SOURCE_KINDS), name="kind"),
        {
            "comment": "Feeds, sitemaps and listing pages polled for new articles, with their "
            "HTTP validators and adaptive poll interval."
        },
    )

    url: Mapped[str] = mapped_column(Text, primary_key=True, comment="URL of the source.")
    site_key: Mapped[str] = mapped_column(String(64), comment="Site key of the source.")
    kind: Mapped[str] = mapped_column(String(10), comment="feed, sitemap or listing.")
    parent_url: Mapped[str | None] = mapped_column(
        Text, comment="Sitemap index that listed this sitemap; null for a site file's URL."
    )
    etag: Mapped[str | None] = mapped_column(Text, comment="ETag of the latest 200 answer.")
    last_modified: Mapped[str | None] = mapped_column(
        Text, comment="Last-Modified of the latest 200 answer, as sent."
    )
    last_polled_at: Mapped[datetime | None] = mapped_column(comment="Latest poll, UTC.")
    next_poll_at: Mapped[datetime | None] = mapped_column(
        comment="When the source is due again, UTC; null: at the next run."
    )
    poll_interval: Mapped[int] = mapped_column(
        Integer, comment="Seconds between polls: shorter when it yields new articles."
    )
    last_status: Mapped[int | None] = mapped_column(
        Integer, comment="HTTP status of the latest poll (304: not modified)."
    )
    last_new_count: Mapped[int | None] = mapped_column(
        Integer, comment="New article URLs the latest poll found."
    )


class SiteCheck(Base):
    __tablename__ = "site_checks"
    __table_args__ = (
        Index("ix_site_checks_site_key_id", "site_key", "id"),
        {
            "comment": "`scrapy sites --check`: each probe of a site's robots.txt, feeds and "
            "sitemaps, with what every source answered."
        },
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, comment="Surrogate key.")
    site_key: Mapped[str] = mapped_column(String(64), comment="Site key checked.")
    checked_at: Mapped[datetime] = mapped_column(comment="When the check ran, UTC.")
    ok: Mapped[bool] = mapped_column(
        Boolean, comment="False when robots.txt or a source is broken (the check exits 1)."
    )
    problems: Mapped[str] = mapped_column(
        Text, comment="What is broken, one phrase per problem; empty when ok."
    )
    report: Mapped[dict[str, Any] | None] = mapped_column(
        JsonDocument,
        comment="Per source: URL, kind, HTTP status, parses, article URLs, newest date.",
    )


WARC_FILE_STATES = ("pending", "importing", "done")


class WarcFile(Base):
    __tablename__ = "warc_files"
    __table_args__ = (
        Index("ix_warc_files_month_state", "month", "state"),
        CheckConstraint(_one_of("state", WARC_FILE_STATES), name="state"),
        {
            "comment": "WARC files of a backfill (scrapy crawl ccnews) and where each stands, so "
            "a killed run resumes at the next file and several workers share the list."
        },
    )

    path: Mapped[str] = mapped_column(
        Text,
        primary_key=True,
        comment="WARC file as listed in its collection's paths file "
        "(crawl-data/CC-NEWS/2024/01/CC-NEWS-....warc.gz).",
    )
    collection: Mapped[str] = mapped_column(String(32), comment="Collection: CC-NEWS.")
    month: Mapped[str] = mapped_column(String(7), comment="Month of the paths file, YYYY-MM.")
    state: Mapped[str] = mapped_column(
        String(10), comment="pending, importing (claimed by crawl_run_id) or done."
    )
    crawl_run_id: Mapped[int | None] = mapped_column(
        Id,
        ForeignKey("crawl_runs.id", ondelete="SET NULL"),
        comment="Crawl run that claimed (importing) or finished (done) the file.",
    )
    claimed_at: Mapped[datetime | None] = mapped_column(comment="Latest claim, UTC.")
    finished_at: Mapped[datetime | None] = mapped_column(comment="When the import ended, UTC.")
    records: Mapped[int | None] = mapped_column(
        BigInteger, comment="WARC records read in the file."
    )
    pages: Mapped[int | None] = mapped_column(
        BigInteger,
        comment="Records that passed the pre-filter and went through the pipelines.",
    )
    skipped: Mapped[int | None] = mapped_column(
        BigInteger,
        comment="Records skipped (other types, not HTML, other languages, corrupt...).",
    )


# -- objects the database maintains itself (created by migrations, not mapped above) -----------

# SQLite: the FTS5 index over articles and its shadow tables (articles_fts_data, _idx...).
FTS_TABLE = "articles_fts"
# PostgreSQL: the generated tsvector column of articles and its GIN index.
SEARCH_VECTOR_COLUMN = "search_vector"
SEARCH_VECTOR_INDEX = "ix_articles_search_vector"
# PostgreSQL: the text search configuration (french + unaccent) behind search_vector.
SEARCH_CONFIGURATION = "depeches_french"


def include_in_autogenerate(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic `include_object`: leave the full-text objects to their hand-written revision.

    They are not mapped (FTS5 tables and generated tsvector columns have no portable model),
    so without this filter autogenerate would propose to drop them.
    """
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == SEARCH_VECTOR_COLUMN:
        return False
    return not (type_ == "index" and name == SEARCH_VECTOR_INDEX)
