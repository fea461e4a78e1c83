"""Read-only queries on crawl runs and sites, for monitoring and the `runs` / `sites` commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from crawler.storage import models


def recent_run_stats(
    engine: Engine, spider: str, site_key: str | None, limit: int = 10
) -> list[dict[str, Any]]:
    """Stats of the site's last finished runs (ok or degraded), newest first."""
    query = (
        select(models.CrawlRun.stats)
        .where(
            models.CrawlRun.spider == spider,
            models.CrawlRun.site_key == site_key,
            models.CrawlRun.status.in_(("ok", "degraded")),
        )
        .order_by(models.CrawlRun.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return [dict(stats or {}) for (stats,) in connection.execute(query)]


@dataclass(frozen=True)
class RunRow:
    id: int
    spider: str
    site_key: str | None
    started_at: datetime
    finished_at: datetime | None
    status: str
    stats: dict[str, Any]


def recent_runs(engine: Engine, limit: int = 20, site_key: str | None = None) -> list[RunRow]:
    query = select(models.CrawlRun).order_by(models.CrawlRun.id.desc()).limit(limit)
    if site_key:
        query = query.where(models.CrawlRun.site_key == site_key)
    with engine.connect() as connection:
        return [
            RunRow(r.id, r.spider, r.site_key, r.started_at, r.finished_at, r.status, r.stats or {})
            for r in connection.execute(query)
        ]


@dataclass(frozen=True)
class SiteRow:
    key: str
    name: str
    articles: int
    last_started_at: datetime | None
    last_status: str | None


def site_summaries(engine: Engine) -> list[SiteRow]:
    """Every known site with its article count and its last run."""
    counts = (
        select(models.Article.site_id, func.count().label("n"))
        .group_by(models.Article.site_id)
        .subquery()
    )
    last_run = (
        select(models.CrawlRun.site_key, func.max(models.CrawlRun.id).label("run_id"))
        .group_by(models.CrawlRun.site_key)
        .subquery()
    )
    query = (
        select(
            models.Site.key,
            models.Site.name,
            func.coalesce(counts.c.n, 0),
            models.CrawlRun.started_at,
            models.CrawlRun.status,
        )
        .outerjoin(counts, counts.c.site_id == models.Site.id)
        .outerjoin(last_run, last_run.c.site_key == models.Site.key)
        .outerjoin(models.CrawlRun, models.CrawlRun.id == last_run.c.run_id)
        .order_by(models.Site.key)
    )
    with engine.connect() as connection:
        return [SiteRow(*row) for row in connection.execute(query)]
