"""Initial schema: sites, articles and their URLs, bylines, tags, agencies, read counts,
revisions, crawl runs and rejections.

Revision ID: dcb735025216
Revises:
Create Date: 2026-11-25 22:21:59.750759+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "dcb735025216"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "spider", sa.String(length=64), nullable=False, comment="Spider name (site, urls...)."
        ),
        sa.Column(
            "site_key",
            sa.String(length=64),
            nullable=True,
            comment="Site key crawled, 'all', or null for URL lists.",
        ),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="Start of the run, UTC.",
        ),
        sa.Column(
            "finished_at", sa.DateTime(timezone=True), nullable=True, comment="End of the run, UTC."
        ),
        sa.Column(
            "status",
            sa.String(length=10),
            nullable=False,
            comment="running, ok, failed or degraded (finished with errors).",
        ),
        sa.Column(
            "stats",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
            comment="Scrapy stats collected at the end of the run.",
        ),
        sa.Column("host", sa.Text(), nullable=False, comment="Host name of the crawler machine."),
        sa.Column("pid", sa.Integer(), nullable=False, comment="Process id of the crawler."),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'failed', 'degraded')", name=op.f("ck_crawl_runs_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
        comment="One row per crawler process run.",
    )
    op.create_table(
        "sites",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "key",
            sa.String(length=64),
            nullable=False,
            comment="Site key: the name of its settings/sites/*.toml file.",
        ),
        sa.Column("name", sa.Text(), nullable=False, comment="Display name of the outlet."),
        sa.Column(
            "country",
            sa.String(length=64),
            nullable=True,
            comment="Country of the outlet as written in the site file (ISO code).",
        ),
        sa.Column(
            "timezone",
            sa.String(length=64),
            nullable=True,
            comment="IANA timezone used to read dates written without an offset.",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("key", name=op.f("uq_sites_key")),
        comment="News sites, one per settings/sites/<key>.toml file.",
    )
    op.create_table(
        "tags",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "slug",
            sa.Text(),
            nullable=False,
            comment="Accent-folded lowercase slug, for joins across outlets.",
        ),
        sa.Column(
            "label", sa.Text(), nullable=False, comment="Label of the first article that used it."
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("slug", name=op.f("uq_tags_slug")),
        comment="Tags / keywords, one per accent-folded slug.",
    )
    op.create_table(
        "articles",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "canonical_url",
            sa.Text(),
            nullable=False,
            comment="Canonical URL: the identity of the article.",
        ),
        sa.Column(
            "site_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="Outlet that published the article.",
        ),
        sa.Column(
            "url",
            sa.Text(),
            nullable=False,
            comment="URL through which the article was first seen.",
        ),
        sa.Column(
            "final_url",
            sa.Text(),
            nullable=False,
            comment="URL after redirects when the article was first seen.",
        ),
        sa.Column("title", sa.Text(), nullable=True, comment="Headline."),
        sa.Column("description", sa.Text(), nullable=True, comment="Lead / standfirst."),
        sa.Column(
            "body",
            sa.Text(),
            nullable=False,
            comment="Clean body text, paragraphs separated by blank lines.",
        ),
        sa.Column(
            "published_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Publication time in UTC; for day precision, midnight UTC of that day.",
        ),
        sa.Column(
            "published_precision",
            sa.String(length=6),
            nullable=True,
            comment="Precision of published_at: day, minute or second.",
        ),
        sa.Column(
            "published_raw",
            sa.Text(),
            nullable=True,
            comment="Date string published_at was parsed from, as found.",
        ),
        sa.Column(
            "published_source",
            sa.String(length=20),
            nullable=True,
            comment="Where published_raw was found: jsonld, meta, time, feed, url...",
        ),
        sa.Column(
            "modified_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Last modification, UTC.",
        ),
        sa.Column(
            "modified_precision",
            sa.String(length=6),
            nullable=True,
            comment="Precision of modified_at: day, minute or second.",
        ),
        sa.Column(
            "modified_raw",
            sa.Text(),
            nullable=True,
            comment="Date string modified_at was parsed from, as found.",
        ),
        sa.Column("section", sa.Text(), nullable=True, comment="Section / rubric of the outlet."),
        sa.Column(
            "language",
            sa.String(length=16),
            nullable=True,
            comment="Detected language code (fr, en, ar...).",
        ),
        sa.Column(
            "language_confidence",
            sa.Float(),
            nullable=True,
            comment="Confidence of the language detection, 0 to 1.",
        ),
        sa.Column(
            "read_count",
            sa.BigInteger(),
            nullable=True,
            comment="Latest read counter shown by the outlet; history in read_counts.",
        ),
        sa.Column(
            "word_count", sa.Integer(), nullable=False, comment="Number of words of the body."
        ),
        sa.Column(
            "content_hash",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 (hex) of the normalised title and body.",
        ),
        sa.Column(
            "extractor",
            sa.String(length=100),
            nullable=False,
            comment="Extractor name and version that produced the body.",
        ),
        sa.Column(
            "pipeline_version",
            sa.String(length=50),
            nullable=False,
            comment="Version of the crawler pipeline that stored this version.",
        ),
        sa.Column(
            "cluster_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="Story cluster: the same wire dispatch across outlets (null until clustered).",
        ),
        sa.Column(
            "first_seen_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="First fetch of the article, UTC.",
        ),
        sa.Column(
            "last_seen_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="Latest fetch of the article, UTC.",
        ),
        sa.Column(
            "first_crawl_run_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="Crawl run that first stored the article.",
        ),
        sa.Column(
            "last_crawl_run_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="Latest crawl run that saw the article.",
        ),
        sa.Column(
            "date_rejection",
            sa.Text(),
            nullable=True,
            comment="Date strings found but rejected, 'raw: reason' one per line.",
        ),
        sa.CheckConstraint(
            "modified_precision IN ('day', 'minute', 'second')",
            name=op.f("ck_articles_modified_precision"),
        ),
        sa.CheckConstraint(
            "published_precision IN ('day', 'minute', 'second')",
            name=op.f("ck_articles_published_precision"),
        ),
        sa.ForeignKeyConstraint(
            ["first_crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_articles_first_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_articles_last_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_articles_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_articles_canonical_url")),
        comment="One row per article, identified by its canonical URL; the latest version.",
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_content_hash", ["content_hash"], unique=False)
        batch_op.create_index(
            "ix_articles_site_id_published_at", ["site_id", "published_at"], unique=False
        )

    op.create_table(
        "rejections",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "crawl_run_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="Crawl run that rejected the URL.",
        ),
        sa.Column("url", sa.Text(), nullable=False, comment="Rejected URL."),
        sa.Column("site_key", sa.String(length=64), nullable=True, comment="Site key, if known."),
        sa.Column(
            "reason",
            sa.String(length=64),
            nullable=False,
            comment="Short machine-readable reason (http_404, empty_body...).",
        ),
        sa.Column("detail", sa.Text(), nullable=False, comment="Human-readable detail."),
        sa.Column(
            "rejected_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="Time of the rejection, UTC.",
        ),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_rejections_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejections")),
        comment="Fetched article URLs that were not stored, and why.",
    )
    with op.batch_alter_table("rejections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rejections_crawl_run_id"), ["crawl_run_id"], unique=False
        )
        batch_op.create_index("ix_rejections_url", ["url"], unique=False)

    op.create_table(
        "article_agencies",
        sa.Column(
            "article_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="The article.",
        ),
        sa.Column(
            "code", sa.String(length=20), nullable=False, comment="Agency code (AFP, MAP...)."
        ),
        sa.Column(
            "where_found",
            sa.String(length=20),
            nullable=False,
            comment="Where the credit was found: trailer, dateline, byline or meta.",
        ),
        sa.Column("raw", sa.Text(), nullable=False, comment="Text the credit was read from."),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_agencies_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "article_id", "code", "where_found", name=op.f("pk_article_agencies")
        ),
        comment="News agencies credited by an article (AFP, REUTERS, APS...).",
    )
    with op.batch_alter_table("article_agencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_agencies_code"), ["code"], unique=False)

    op.create_table(
        "article_authors",
        sa.Column(
            "article_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="The article.",
        ),
        sa.Column(
            "position",
            sa.Integer(),
            nullable=False,
            comment="Order in the byline, from 0 (people first).",
        ),
        sa.Column("name", sa.Text(), nullable=False, comment="Name as shown."),
        sa.Column("kind", sa.String(length=6), nullable=False, comment="person or desk."),
        sa.CheckConstraint("kind IN ('person', 'desk')", name=op.f("ck_article_authors_kind")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_authors_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "position", name=op.f("pk_article_authors")),
        sa.UniqueConstraint(
            "article_id", "name", "kind", name=op.f("uq_article_authors_article_id_name_kind")
        ),
        comment='Bylines of an article: people and desks ("La rédaction", "Service web").',
    )
    op.create_table(
        "article_tags",
        sa.Column(
            "article_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="The article.",
        ),
        sa.Column(
            "tag_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="The tag.",
        ),
        sa.Column("position", sa.Integer(), nullable=False, comment="Order on the page, from 0."),
        sa.Column(
            "label", sa.Text(), nullable=False, comment="Label as shown on this article's page."
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_tags_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_article_tags_tag_id_tags")),
        sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_article_tags")),
        comment="Tags of an article, in page order.",
    )
    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "article_urls",
        sa.Column("url", sa.Text(), nullable=False, comment="A URL of the article."),
        sa.Column(
            "article_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="The article.",
        ),
        sa.Column(
            "first_seen_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When this URL was first seen, UTC.",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_urls_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_article_urls")),
        comment="Every URL that led to an article (canonical, tracking variants).",
    )
    with op.batch_alter_table("article_urls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_urls_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "read_counts",
        sa.Column(
            "article_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="The article.",
        ),
        sa.Column(
            "observed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="Fetch time of the observation, UTC.",
        ),
        sa.Column(
            "value", sa.BigInteger(), nullable=False, comment="Counter value shown on the page."
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_read_counts_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "observed_at", name=op.f("pk_read_counts")),
        comment="Every observation of an article's read counter.",
    )
    op.create_table(
        "revisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "article_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="The article.",
        ),
        sa.Column(
            "observed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="Fetch time at which the change was noticed, UTC.",
        ),
        sa.Column(
            "content_hash",
            sa.String(length=64),
            nullable=False,
            comment="content_hash of this version.",
        ),
        sa.Column(
            "changed_fields",
            sa.String(length=50),
            nullable=False,
            comment="Fields that changed, comma-separated: title, body.",
        ),
        sa.Column("title", sa.Text(), nullable=True, comment="Title of the replaced version."),
        sa.Column("body", sa.Text(), nullable=False, comment="Body of the replaced version."),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_revisions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
        comment=(
            "Earlier versions of an article: one row each time a re-crawl found its "
            "title or body changed, holding the version that was replaced."
        ),
    )
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revisions_article_id"), ["article_id"], unique=False)


def downgrade() -> None:
    for table in (
        "revisions",
        "read_counts",
        "article_urls",
        "article_tags",
        "article_authors",
        "article_agencies",
        "rejections",
        "articles",
        "tags",
        "sites",
        "crawl_runs",
    ):
        op.drop_table(table)
