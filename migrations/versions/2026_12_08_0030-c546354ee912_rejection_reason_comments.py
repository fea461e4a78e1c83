"""The comments of `frontier.reason` and `rejections.reason` name the module that lists the
reasons, crawler/process/rejections.py: the first named pipelines/errors.py, which is gone; the
second gave two reasons that do not exist (http_404, empty_body).

Only a database that stores comments changes (PostgreSQL): SQLite keeps none, so nothing is
done there, and no table is rebuilt for it.

Revision ID: c546354ee912
Revises: e12a0f5e7d01
Create Date: 2026-12-08 00:30:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c546354ee912"
down_revision: str | Sequence[str] | None = "e12a0f5e7d01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, nullable, comment before, comment after)
COMMENTS = (
    (
        "frontier",
        True,
        "Rejection reason (pipelines/errors.py) when rejected or failed.",
        "Rejection reason (crawler/process/rejections.py) when rejected or failed.",
    ),
    (
        "rejections",
        False,
        "Short machine-readable reason (http_404, empty_body...).",
        "Machine-readable reason (http_status, no_article_text...): the list is in "
        "crawler/process/rejections.py.",
    ),
)


def _set_comments(*, upgrade: bool) -> None:
    if not op.get_context().dialect.supports_comments:
        return  # SQLite: no comments to update
    for table, nullable, before, after in COMMENTS:
        op.alter_column(
            table,
            "reason",
            existing_type=sa.String(64),
            existing_nullable=nullable,
            existing_comment=before if upgrade else after,
            comment=after if upgrade else before,
        )


def upgrade() -> None:
    _set_comments(upgrade=True)


def downgrade() -> None:
    _set_comments(upgrade=False)
