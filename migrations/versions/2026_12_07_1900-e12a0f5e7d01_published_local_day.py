"""The publication's own UTC offset and local day, so that articles group by the day they
were published where they were published (a page dated 20:23 at UTC-04:00 is not of the next
day).

Existing rows get the day of `published_at` as their local day (exact for day precision, the
UTC day otherwise) and no offset: their offset was never recorded; a reextraction fills both.

Revision ID: e12a0f5e7d01
Revises: e16a4c0e0706
Create Date: 2026-12-07 19:00:00.000000+00:00
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "e12a0f5e7d01"
down_revision: str | Sequence[str] | None = "e16a4c0e0706"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


VIEWS = ("article_flat", "daily_site_counts", "daily_agency_counts")


def _views_before(dialect: str) -> dict[str, str]:
    """The research views as revision 91df6d8bfae1 wrote them (its own module, not a copy)."""
    path = Path(__file__).with_name("2026_11_26_0930-91df6d8bfae1_research_views.py")
    spec = importlib.util.spec_from_file_location("_research_views_91df6d8bfae1", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    views: dict[str, str] = module._views(dialect)
    return views


def _views_after(dialect: str) -> dict[str, str]:
    """article_flat gains the offset and the local day; the daily counts group by local day."""
    views = _views_before(dialect)
    local_day = (
        "a.published_local_day"
        if dialect == "sqlite"
        else "to_char(a.published_local_day, 'YYYY-MM-DD')"
    )
    anchor = "a.published_precision AS published_precision,"
    assert anchor in views["article_flat"]
    views["article_flat"] = views["article_flat"].replace(
        anchor,
        f"{anchor}\n            a.published_offset AS published_offset,"
        f"\n            {local_day} AS published_local_day,",
    )
    for name in ("daily_site_counts", "daily_agency_counts"):
        utc_day = (
            "date(a.published_at)"
            if dialect == "sqlite"
            else ("to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
        )
        assert views[name].count(utc_day) == 2, name
        views[name] = views[name].replace(utc_day, local_day)
    return views


def _replace_views(views: dict[str, str]) -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for name in VIEWS:
        op.execute(f"CREATE VIEW {name} AS {views[name]}")


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
    _replace_views(_views_after(op.get_context().dialect.name))


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")  # SQLite drops no column a view reads
    op.drop_index("ix_articles_site_id_published_local_day", table_name="articles")
    op.drop_column("articles", "published_local_day")
    op.drop_column("articles", "published_offset")
    dialect = op.get_context().dialect.name
    for name, query in _views_before(dialect).items():
        op.execute(f"CREATE VIEW {name} AS {query}")
