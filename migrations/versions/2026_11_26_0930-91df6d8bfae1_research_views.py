"""Views for researchers: article_flat, daily_site_counts, daily_agency_counts.

The two dialects get their own SQL with the same columns and the same meaning; calendar
columns are UTC and text on both (`YYYY-MM-DD`, `YYYY-MM`), so queries over them are portable.
Lists are joined with "; " in page / byline order (agencies: distinct codes, alphabetical).

Revision ID: 91df6d8bfae1
Revises: 57655613016b
Create Date: 2026-11-26 09:30:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "91df6d8bfae1"
down_revision: str | Sequence[str] | None = "57655613016b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Calendar expressions of a timestamp column, per dialect: UTC day, Monday of the week, month,
# Unix time in seconds.
SQLITE_CALENDAR = {
    "day": "date({c})",
    "week": "date({c}, 'weekday 0', '-6 days')",
    "month": "strftime('%Y-%m', {c})",
    "epoch": "CAST(strftime('%s', {c}) AS INTEGER)",
}
POSTGRES_CALENDAR = {
    "day": "to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    "week": "to_char(date_trunc('week', {c} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
    "month": "to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM')",
    "epoch": "CAST(extract(epoch FROM {c}) AS BIGINT)",
}


def _sqlite_list(column: str, source: str, order: str, *, distinct: bool = False) -> str:
    # group_concat keeps the order of an ordered subquery (SQLite < 3.44 has no ORDER BY in
    # aggregates).
    keyword = "DISTINCT " if distinct else ""
    return (
        f"(SELECT group_concat(item, '; ') FROM "
        f"(SELECT {keyword}{column} AS item FROM {source} ORDER BY {order}))"
    )


def _postgres_list(column: str, source: str, order: str, *, distinct: bool = False) -> str:
    keyword = "DISTINCT " if distinct else ""
    return f"(SELECT string_agg({keyword}{column}, '; ' ORDER BY {order}) FROM {source})"


def _views(dialect: str) -> dict[str, str]:
    calendar = SQLITE_CALENDAR if dialect == "sqlite" else POSTGRES_CALENDAR
    listed = _sqlite_list if dialect == "sqlite" else _postgres_list

    def cal(kind: str, column: str = "a.published_at") -> str:
        return calendar[kind].format(c=column)

    people = "article_authors WHERE article_id = a.id AND kind = 'person'"
    desks = "article_authors WHERE article_id = a.id AND kind = 'desk'"
    tags = "article_tags JOIN tags ON tags.id = article_tags.tag_id WHERE article_id = a.id"
    agencies = "article_agencies WHERE article_id = a.id"
    article_flat = f"""
        SELECT
            a.id AS id,
            a.canonical_url AS canonical_url,
            s.key AS site_key,
            s.name AS site_name,
            s.country AS site_country,
            a.title AS title,
            a.description AS description,
            a.body AS body,
            a.section AS section,
            a.published_at AS published_at,
            a.published_precision AS published_precision,
            {cal("day")} AS published_day,
            {cal("week")} AS published_week,
            {cal("month")} AS published_month,
            {cal("epoch")} AS published_epoch,
            a.modified_at AS modified_at,
            a.modified_precision AS modified_precision,
            {listed("name", people, "position")} AS authors,
            {listed("name", desks, "position")} AS desks,
            {listed("article_tags.label", tags, "article_tags.position")} AS tags,
            {listed("tags.slug", tags, "article_tags.position")} AS tag_slugs,
            {listed("code", agencies, "code", distinct=True)} AS agencies,
            a.language AS language,
            a.language_confidence AS language_confidence,
            a.word_count AS word_count,
            a.read_count AS read_count,
            (SELECT count(*) FROM read_counts WHERE article_id = a.id) AS read_count_observations,
            (SELECT count(*) FROM revisions WHERE article_id = a.id) AS revision_count,
            a.cluster_id AS cluster_id,
            a.first_seen_at AS first_seen_at,
            a.last_seen_at AS last_seen_at,
            a.extractor AS extractor,
            a.pipeline_version AS pipeline_version
        FROM articles AS a
        JOIN sites AS s ON s.id = a.site_id
    """
    daily_site_counts = f"""
        SELECT
            {cal("day")} AS day,
            s.key AS site_key,
            count(*) AS articles,
            sum(a.word_count) AS words
        FROM articles AS a
        JOIN sites AS s ON s.id = a.site_id
        WHERE a.published_at IS NOT NULL
        GROUP BY {cal("day")}, s.key
    """
    daily_agency_counts = f"""
        SELECT
            {cal("day")} AS day,
            g.code AS agency,
            count(DISTINCT a.id) AS articles
        FROM articles AS a
        JOIN article_agencies AS g ON g.article_id = a.id
        WHERE a.published_at IS NOT NULL
        GROUP BY {cal("day")}, g.code
    """
    return {
        "article_flat": article_flat,
        "daily_site_counts": daily_site_counts,
        "daily_agency_counts": daily_agency_counts,
    }


def upgrade() -> None:
    for name, query in _views(op.get_context().dialect.name).items():
        op.execute(f"CREATE VIEW {name} AS {query}")


def downgrade() -> None:
    for name in reversed(list(_views(op.get_context().dialect.name))):
        op.execute(f"DROP VIEW IF EXISTS {name}")
