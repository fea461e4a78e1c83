"""`scrapy sites --check`: one row per probe of a site's robots.txt, feeds and sitemaps.

Revision ID: e15ca7a10605
Revises: b3c1f0e2d9a4
Create Date: 2026-12-07 19:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e15ca7a10605"
down_revision: str | Sequence[str] | None = "b3c1f0e2d9a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JsonDocument = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "site_checks",
        sa.Column("id", Id, nullable=False, comment="Surrogate key."),
        sa.Column("site_key", sa.String(64), nullable=False, comment="Site key checked."),
        sa.Column("checked_at", Time, nullable=False, comment="When the check ran, UTC."),
        sa.Column(
            "ok",
            sa.Boolean(),
            nullable=False,
            comment="False when robots.txt or a source is broken (the check exits 1).",
        ),
        sa.Column(
            "problems",
            sa.Text(),
            nullable=False,
            comment="What is broken, one phrase per problem; empty when ok.",
        ),
        sa.Column(
            "report",
            JsonDocument,
            nullable=True,
            comment="Per source: URL, kind, HTTP status, parses, article URLs, newest date.",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_checks")),
        comment="`scrapy sites --check`: each probe of a site's robots.txt, feeds and sitemaps, "
        "with what every source answered.",
    )
    op.create_index("ix_site_checks_site_key_id", "site_checks", ["site_key", "id"])


def downgrade() -> None:
    op.drop_index("ix_site_checks_site_key_id", table_name="site_checks")
    op.drop_table("site_checks")
