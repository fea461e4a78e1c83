"""The SQL behind `scrapy report`: one query per chart, the same text Datasette offers.

Each query takes three text parameters, empty for "no filter": `:since` and `:until`
(`YYYY-MM-DD`, UTC days, inclusive) and `:sites` (site keys separated by commas). Articles are
dated by their publication day, or the day they were first stored when the page gave no date;
runs by their start, rejections by their time. The two dialects get their own SQL with the
same columns (calendar days as `YYYY-MM-DD` text on both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, text

# Calendar and JSON expressions per dialect ({c}: a column, {k}: a stats key).
_SQLITE = {
    "day": "date({c})",
    "epoch": "CAST(strftime('%s', {c}) AS INTEGER)",
    "stat": "json_extract({c}, '$.\"{k}\"')",
    "in_list": "instr(',' || CAST(:sites AS TEXT) || ',', ',' || {c} || ',') > 0",
}
_POSTGRES = {
    "day": "to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    "epoch": "CAST(extract(epoch FROM {c}) AS BIGINT)",
    "stat": "({c} ->> '{k}')",
    "in_list": "strpos(',' || CAST(:sites AS TEXT) || ',', ',' || {c} || ',') > 0",
}

READ_CURVES_TOP = 10  # articles whose read-count history is drawn
CLUSTERS_TOP = 12  # largest wire-story clusters shown
RUNS_LIMIT = 40  # most recent runs listed


@dataclass(frozen=True)
class ReportQuery:
    name: str
    title: str
    description: str
    template: str

    def sql(self, dialect: str) -> str:
        forms = _SQLITE if dialect == "sqlite" else _POSTGRES

        def day(column: str) -> str:
            return forms["day"].format(c=column)

        def epoch(column: str) -> str:
            return forms["epoch"].format(c=column)

        def stat(column: str, key: str) -> str:
            return forms["stat"].format(c=column, k=key)

        def in_range(column: str) -> str:
            return (
                f"(CAST(:since AS TEXT) = '' OR {column} >= CAST(:since AS TEXT)) AND "
                f"(CAST(:until AS TEXT) = '' OR {column} <= CAST(:until AS TEXT))"
            )

        def in_sites(column: str) -> str:
            return f"(CAST(:sites AS TEXT) = '' OR {forms['in_list'].format(c=column)})"

        article_day = day("coalesce(a.published_at, a.first_seen_at)")
        return self.template.format(
            article_day=article_day,
            articles_in_range=in_range(article_day),
            article_sites=in_sites("s.key"),
            run_day=day("r.started_at"),
            run_day_in_range=in_range(day("r.started_at")),
            run_sites=in_sites("r.site_key"),
            duration=f"({epoch('r.finished_at')} - {epoch('r.started_at')})",
            pages=stat("r.stats", "downloader/response_count"),
            new_articles=stat("r.stats", "depeches/articles/new"),
            exit_code=stat("r.stats", "depeches/exit_code"),
            close_reason=stat("r.stats", "close_reason"),
            closed_by_run=stat("r.stats", "closed_by_run"),
            degraded_reasons=stat("r.stats", "depeches/degraded_reasons"),
            rejection_day_in_range=in_range(day("j.rejected_at")),
            rejection_sites=in_sites("j.site_key"),
            first_epoch=epoch("b.first_at"),
            member_epoch=epoch("coalesce(a.published_at, a.first_seen_at)"),
            first_at_day_in_range=in_range(day("min(coalesce(a.published_at, a.first_seen_at))")),
            observed=epoch("rc.observed_at"),
            top_read=READ_CURVES_TOP,
            top_clusters=CLUSTERS_TOP,
            runs_limit=RUNS_LIMIT,
        )


QUERIES: tuple[ReportQuery, ...] = (
    ReportQuery(
        "report_daily_articles",
        "Report: articles per day per site",
        "Stored articles per site and UTC day (publication day, or first-stored day when the "
        "page gave no date).",
        """
SELECT {article_day} AS day, s.key AS site_key, count(*) AS articles
FROM articles AS a
JOIN sites AS s ON s.id = a.site_id
WHERE {articles_in_range} AND {article_sites}
GROUP BY {article_day}, s.key
ORDER BY day, site_key
""",
    ),
    ReportQuery(
        "report_agency_share",
        "Report: agency share per day",
        "Articles per UTC day crediting each agency; NONE counts articles crediting none (an "
        "article crediting two agencies counts once for each).",
        """
SELECT {article_day} AS day, coalesce(g.code, 'NONE') AS agency,
    count(DISTINCT a.id) AS articles
FROM articles AS a
JOIN sites AS s ON s.id = a.site_id
LEFT JOIN article_agencies AS g ON g.article_id = a.id
WHERE {articles_in_range} AND {article_sites}
GROUP BY {article_day}, coalesce(g.code, 'NONE')
ORDER BY day, agency
""",
    ),
    ReportQuery(
        "report_field_coverage",
        "Report: field coverage per site",
        "How many of each site's articles carry each field.",
        """
SELECT
    s.key AS site_key,
    count(*) AS articles,
    sum(CASE WHEN a.published_at IS NOT NULL THEN 1 ELSE 0 END) AS with_date,
    sum(CASE WHEN EXISTS (SELECT 1 FROM article_authors AS x WHERE x.article_id = a.id)
        THEN 1 ELSE 0 END) AS with_authors,
    sum(CASE WHEN EXISTS (SELECT 1 FROM article_tags AS x WHERE x.article_id = a.id)
        THEN 1 ELSE 0 END) AS with_tags,
    sum(CASE WHEN a.section IS NOT NULL AND a.section <> '' THEN 1 ELSE 0 END) AS with_section,
    sum(CASE WHEN EXISTS (SELECT 1 FROM article_agencies AS x WHERE x.article_id = a.id)
        THEN 1 ELSE 0 END) AS with_agencies,
    sum(CASE WHEN a.read_count IS NOT NULL THEN 1 ELSE 0 END) AS with_read_count,
    sum(CASE WHEN a.language IS NOT NULL THEN 1 ELSE 0 END) AS with_language
FROM articles AS a
JOIN sites AS s ON s.id = a.site_id
WHERE {articles_in_range} AND {article_sites}
GROUP BY s.key
ORDER BY site_key
""",
    ),
    ReportQuery(
        "report_rejections",
        "Report: rejections by reason per site",
        "Fetched article URLs that were not stored, per site and reason (site unknown: empty).",
        """
SELECT coalesce(j.site_key, '') AS site_key, j.reason AS reason, count(*) AS rejections
FROM rejections AS j
WHERE {rejection_day_in_range} AND {rejection_sites}
GROUP BY coalesce(j.site_key, ''), j.reason
ORDER BY site_key, rejections DESC, reason
""",
    ),
    ReportQuery(
        "report_recent_runs",
        "Report: recent crawl runs",
        "The latest crawl runs: status, duration, pages fetched, exit code and what went wrong.",
        """
SELECT
    r.id AS run_id,
    r.started_at AS started_at,
    r.spider AS spider,
    r.site_key AS site_key,
    r.status AS status,
    {duration} AS duration_seconds,
    {pages} AS pages,
    {new_articles} AS new_articles,
    {exit_code} AS exit_code,
    {close_reason} AS close_reason,
    {closed_by_run} AS closed_by_run,
    {degraded_reasons} AS degraded_reasons
FROM crawl_runs AS r
WHERE {run_day_in_range} AND {run_sites}
ORDER BY r.id DESC
LIMIT {runs_limit}
""",
    ),
    ReportQuery(
        "report_troubled_runs",
        "Report: degraded and failed runs per site and day",
        "Runs that ended degraded or failed, by site and UTC start day: the marks on the "
        "articles-per-day chart.",
        """
SELECT {run_day} AS day, r.site_key AS site_key, r.status AS status, count(*) AS runs
FROM crawl_runs AS r
WHERE r.status IN ('degraded', 'failed') AND {run_day_in_range} AND {run_sites}
GROUP BY {run_day}, r.site_key, r.status
ORDER BY day, site_key, status
""",
    ),
    ReportQuery(
        "report_read_curves",
        "Report: read-count history of the most-read articles",
        "Every observation of the read counter of the ten articles with the highest latest count.",
        """
SELECT t.id AS article_id, t.site_key AS site_key, t.title AS title,
    rc.observed_at AS observed_at, {observed} AS observed_epoch, rc.value AS value
FROM (
    SELECT a.id AS id, s.key AS site_key, a.title AS title, a.read_count AS read_count
    FROM articles AS a
    JOIN sites AS s ON s.id = a.site_id
    WHERE a.read_count IS NOT NULL AND {articles_in_range} AND {article_sites}
    ORDER BY a.read_count DESC, a.id
    LIMIT {top_read}
) AS t
JOIN read_counts AS rc ON rc.article_id = t.id
ORDER BY t.read_count DESC, t.id, rc.observed_at
""",
    ),
    ReportQuery(
        "report_wire_clusters",
        "Report: largest wire-story clusters across outlets",
        "The clusters run by the most outlets (two at least): each member with its outlet and "
        "the hours since the cluster's first publication.",
        """
SELECT b.cluster_id AS cluster_id, b.outlets AS outlets, b.members AS members,
    a.id AS article_id, s.key AS site_key, a.title AS title,
    coalesce(a.published_at, a.first_seen_at) AS published_at,
    ({member_epoch} - {first_epoch}) / 3600.0 AS hours_after_first
FROM (
    SELECT a.cluster_id AS cluster_id, count(DISTINCT a.site_id) AS outlets,
        count(*) AS members, min(coalesce(a.published_at, a.first_seen_at)) AS first_at
    FROM articles AS a
    JOIN sites AS s ON s.id = a.site_id
    WHERE a.cluster_id IS NOT NULL
    GROUP BY a.cluster_id
    HAVING count(DISTINCT a.site_id) > 1
        AND sum(CASE WHEN {article_sites} THEN 1 ELSE 0 END) > 0
        AND {first_at_day_in_range}
    ORDER BY count(DISTINCT a.site_id) DESC, count(*) DESC, a.cluster_id
    LIMIT {top_clusters}
) AS b
JOIN articles AS a ON a.cluster_id = b.cluster_id
JOIN sites AS s ON s.id = a.site_id
ORDER BY b.outlets DESC, b.members DESC, b.cluster_id, hours_after_first, a.id
""",
    ),
)

BY_NAME = {query.name: query for query in QUERIES}


def report_parameters(
    since: date | None, until: date | None, sites: list[str] | None
) -> dict[str, str]:
    return {
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
        "sites": ",".join(sites or []),
    }


def empty_results() -> dict[str, list[dict[str, Any]]]:
    """What the queries return on an archive with no rows."""
    return {query.name: [] for query in QUERIES}


def run_report_queries(
    engine: Engine, since: date | None, until: date | None, sites: list[str] | None
) -> dict[str, list[dict[str, Any]]]:
    """Every report query's rows (as dicts), in one read transaction."""
    params = report_parameters(since, until, sites)
    results: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for query in QUERIES:
            rows = connection.execute(text(query.sql(engine.dialect.name)), params)
            results[query.name] = [dict(row._mapping) for row in rows]
    return results


def datasette_queries() -> dict[str, dict[str, str]]:
    """The report queries as Datasette canned queries (SQLite text)."""
    return {
        query.name: {
            "title": query.title,
            "description": query.description
            + " Parameters: since, until (YYYY-MM-DD), sites (keys, comma-separated); "
            "empty means no filter.",
            "sql": query.sql("sqlite").strip(),
        }
        for query in QUERIES
    }
