"""The crawl frontier (one row per discovered article URL) and the polled sources.

Revision ID: b3c1f0e2d9a4
Revises: a7593a67b6e7
Create Date: 2026-11-26 11:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b3c1f0e2d9a4"
down_revision: str | Sequence[str] | None = "a7593a67b6e7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JsonDocument = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("url", sa.Text(), nullable=False, comment="URL of the source."),
        sa.Column("site_key", sa.String(64), nullable=False, comment="Site key of the source."),
        sa.Column("kind", sa.String(10), nullable=False, comment="feed, sitemap or listing."),
        sa.Column(
            "parent_url",
            sa.Text(),
            nullable=True,
            comment="Sitemap index that listed this sitemap; null for a site file's URL.",
        ),
        sa.Column("etag", sa.Text(), nullable=True, comment="ETag of the latest 200 answer."),
        sa.Column(
            "last_modified",
            sa.Text(),
            nullable=True,
            comment="Last-Modified of the latest 200 answer, as sent.",
        ),
        sa.Column("last_polled_at", Time, nullable=True, comment="Latest poll, UTC."),
        sa.Column(
            "next_poll_at",
            Time,
            nullable=True,
            comment="When the source is due again, UTC; null: at the next run.",
        ),
        sa.Column(
            "poll_interval",
            sa.Integer(),
            nullable=False,
            comment="Seconds between polls: shorter when it yields new articles.",
        ),
        sa.Column(
            "last_status",
            sa.Integer(),
            nullable=True,
            comment="HTTP status of the latest poll (304: not modified).",
        ),
        sa.Column(
            "last_new_count",
            sa.Integer(),
            nullable=True,
            comment="New article URLs the latest poll found.",
        ),
        sa.CheckConstraint("kind IN ('feed', 'sitemap', 'listing')", name=op.f("ck_sources_kind")),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_sources")),
        comment="Feeds, sitemaps and listing pages polled for new articles, with their HTTP "
        "validators and adaptive poll interval.",
    )
    op.create_index("ix_sources_site_key", "sources", ["site_key"])
    op.create_table(
        "frontier",
        sa.Column(
            "url",
            sa.Text(),
            nullable=False,
            comment="Article URL as requested (canonical form).",
        ),
        sa.Column("site_key", sa.String(64), nullable=False, comment="Site key of the URL."),
        sa.Column(
            "state",
            sa.String(10),
            nullable=False,
            comment="pending, stored, rejected (reason says why) or failed (retried).",
        ),
        sa.Column(
            "reason",
            sa.String(64),
            nullable=True,
            comment="Rejection reason (pipelines/errors.py) when rejected or failed.",
        ),
        sa.Column(
            "attempts",
            sa.Integer(),
            server_default="0",
            nullable=False,
            comment="Fetches that ended failed (transient errors).",
        ),
        sa.Column(
            "next_retry_at", Time, nullable=True, comment="When a failed URL is due again, UTC."
        ),
        sa.Column("discovered_at", Time, nullable=False, comment="First discovery, UTC."),
        sa.Column(
            "last_fetched_at",
            Time,
            nullable=True,
            comment="Latest fetch that settled the URL, UTC.",
        ),
        sa.Column(
            "visits",
            sa.Integer(),
            server_default="0",
            nullable=False,
            comment="Revisits of the stored article so far.",
        ),
        sa.Column(
            "next_visit_at",
            Time,
            nullable=True,
            comment="When the stored article is due for a revisit, UTC; null: never again.",
        ),
        sa.Column(
            "hints",
            JsonDocument,
            nullable=True,
            comment="What discovery knew of the URL (feed date, news-sitemap title...).",
        ),
        sa.Column(
            "crawl_run_id",
            Id,
            nullable=True,
            comment="Latest crawl run that discovered or settled the URL.",
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'stored', 'rejected', 'failed')", name=op.f("ck_frontier_state")
        ),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_frontier_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_frontier")),
        comment="Every article URL discovery found, and where it stands: the crawl's to-do "
        "list, kept in the database so a killed run loses nothing.",
    )
    op.create_index("ix_frontier_site_key_state", "frontier", ["site_key", "state"])


def downgrade() -> None:
    op.drop_index("ix_frontier_site_key_state", table_name="frontier")
    op.drop_table("frontier")
    op.drop_index("ix_sources_site_key", table_name="sources")
    op.drop_table("sources")
