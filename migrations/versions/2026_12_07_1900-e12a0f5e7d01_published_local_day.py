"""The publication's own UTC offset and local day, so that articles group by the day they
were published where they were published (a page dated 20:23 at UTC-04:00 is not of the next
day).

Existing rows get the day of `published_at` as their local day (exact for day precision, the
UTC day otherwise) and no offset: their offset was never recorded; a reextraction fills both.

Revision ID: e12a0f5e7d01
Revises: b3c1f0e2d9a4
Create Date: 2026-12-07 19:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e12a0f5e7d01"
down_revision: str | Sequence[str] | None = "b3c1f0e2d9a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "articles",
        sa.Column(
            "published_offset",
            sa.SmallInteger(),
            nullable=True,
            comment="The publication's UTC offset in minutes (from the page, else the"
            " site's zone); null for day precision.",
        ),
    )
    op.add_column(
        "articles",
        sa.Column(
            "published_local_day",
            sa.Date(),
            nullable=True,
            comment="Calendar day of publication where it was published: group by this.",
        ),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "UPDATE articles SET published_local_day = (published_at AT TIME ZONE 'UTC')::date"
            " WHERE published_at IS NOT NULL"
        )
    else:
        op.execute(
            "UPDATE articles SET published_local_day = date(published_at)"
            " WHERE published_at IS NOT NULL"
        )
    op.create_index(
        "ix_articles_site_id_published_local_day",
        "articles",
        ["site_id", "published_local_day"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_articles_site_id_published_local_day", table_name="articles")
    op.drop_column("articles", "published_local_day")
    op.drop_column("articles", "published_offset")
