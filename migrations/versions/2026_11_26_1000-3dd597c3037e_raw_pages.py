"""Provenance: raw_pages (the fetched HTML, gzip) and revisions.reason (crawl or reextract).

Revision ID: 3dd597c3037e
Revises: 91df6d8bfae1
Create Date: 2026-11-26 10:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3dd597c3037e"
down_revision: str | Sequence[str] | None = "91df6d8bfae1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "raw_pages",
        sa.Column("id", Id, nullable=False, comment="Surrogate key."),
        sa.Column("article_id", Id, nullable=False, comment="The article."),
        sa.Column(
            "fetched_at", sa.DateTime(timezone=True), nullable=False, comment="Fetch time, UTC."
        ),
        sa.Column("url", sa.Text(), nullable=False, comment="URL requested."),
        sa.Column("final_url", sa.Text(), nullable=False, comment="URL after redirects."),
        sa.Column(
            "http_status", sa.Integer(), nullable=False, comment="HTTP status of the response."
        ),
        sa.Column(
            "html_gz",
            sa.LargeBinary(),
            nullable=False,
            comment="The page as decoded by the crawler, UTF-8 then gzip.",
        ),
        sa.Column(
            "html_bytes",
            sa.Integer(),
            nullable=False,
            comment="Size of the uncompressed UTF-8 HTML, bytes.",
        ),
        sa.Column(
            "hints",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
            comment="What discovery knew of the URL (feed date, sitemap title...).",
        ),
        sa.Column(
            "content_hash",
            sa.String(length=64),
            nullable=False,
            comment="content_hash of the article version extracted from this page.",
        ),
        sa.Column(
            "extractor",
            sa.String(length=100),
            nullable=False,
            comment="Extractor name and version used at fetch time.",
        ),
        sa.Column(
            "pipeline_version",
            sa.String(length=50),
            nullable=False,
            comment="Pipeline version used at fetch time.",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_raw_pages_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_pages")),
        sa.UniqueConstraint(
            "article_id", "fetched_at", name=op.f("uq_raw_pages_article_id_fetched_at")
        ),
        comment="Fetched HTML, gzip-compressed, of every fetch that stored a new version of an "
        "article (first fetch, changed text); `scrapy reextract` reruns the pipelines on the "
        "latest one.",
    )
    # A plain ADD COLUMN (no batch): recreating `revisions` on SQLite would break the views.
    op.add_column(
        "revisions",
        sa.Column(
            "reason",
            sa.String(length=10),
            server_default="crawl",
            nullable=False,
            comment="What replaced it: crawl (the outlet changed the page) or reextract (the "
            "pipeline read the same stored page differently).",
        ),
    )


def downgrade() -> None:
    op.drop_column("revisions", "reason")
    op.drop_table("raw_pages")
