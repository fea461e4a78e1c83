"""WARC imports: provenance of raw pages, sites created on the fly, CC-NEWS files done.

Revision ID: e16a4c0e0706
Revises: e15ca7a10605
Create Date: 2026-12-07 18:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e16a4c0e0706"
down_revision: str | Sequence[str] | None = "e15ca7a10605"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch): recreating a table on SQLite would break the views.
    op.add_column(
        "raw_pages",
        sa.Column(
            "warc_file",
            sa.Text(),
            nullable=True,
            comment="WARC file the page was imported from (path or URL as given); null for a "
            "page fetched by a crawl.",
        ),
    )
    op.add_column(
        "raw_pages",
        sa.Column(
            "warc_offset",
            sa.BigInteger(),
            nullable=True,
            comment="Byte offset of the page's record in warc_file (of its gzip member when "
            "the file is gzipped per record).",
        ),
    )
    op.add_column(
        "sites",
        sa.Column(
            "generic",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
            comment="True for a row created on the fly for a host without a site file (URL "
            "lists, WARC and CC-NEWS imports): its pages were read with the generic rules.",
        ),
    )
    # Rows that earlier URL-list crawls created on the fly: name = key is their mark.
    op.execute("UPDATE sites SET generic = true WHERE name = key AND country IS NULL")
    op.create_table(
        "warc_files",
        sa.Column(
            "path",
            sa.Text(),
            nullable=False,
            comment="WARC file as listed in its collection's paths file "
            "(crawl-data/CC-NEWS/2024/01/CC-NEWS-....warc.gz).",
        ),
        sa.Column("collection", sa.String(32), nullable=False, comment="Collection: CC-NEWS."),
        sa.Column(
            "month", sa.String(7), nullable=False, comment="Month of the paths file, YYYY-MM."
        ),
        sa.Column(
            "state",
            sa.String(10),
            nullable=False,
            comment="pending, importing (claimed by crawl_run_id) or done.",
        ),
        sa.Column(
            "crawl_run_id",
            Id,
            nullable=True,
            comment="Crawl run that claimed (importing) or finished (done) the file.",
        ),
        sa.Column("claimed_at", Time, nullable=True, comment="Latest claim, UTC."),
        sa.Column("finished_at", Time, nullable=True, comment="When the import ended, UTC."),
        sa.Column(
            "records", sa.BigInteger(), nullable=True, comment="WARC records read in the file."
        ),
        sa.Column(
            "pages",
            sa.BigInteger(),
            nullable=True,
            comment="Records that passed the pre-filter and went through the pipelines.",
        ),
        sa.Column(
            "skipped",
            sa.BigInteger(),
            nullable=True,
            comment="Records skipped (other types, not HTML, other languages, corrupt...).",
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'importing', 'done')", name=op.f("ck_warc_files_state")
        ),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_warc_files_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_warc_files")),
        comment="WARC files of a backfill (scrapy crawl ccnews) and where each stands, so a "
        "killed run resumes at the next file and several workers share the list.",
    )
    op.create_index("ix_warc_files_month_state", "warc_files", ["month", "state"])


def downgrade() -> None:
    op.drop_index("ix_warc_files_month_state", table_name="warc_files")
    op.drop_table("warc_files")
    op.drop_column("sites", "generic")
    op.drop_column("raw_pages", "warc_offset")
    op.drop_column("raw_pages", "warc_file")
