"""`site_checks`: what `scrapy sites --check` found, and the latest finding per site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from crawler.storage import models


@dataclass(frozen=True)
class CheckRow:
    site_key: str
    checked_at: datetime
    ok: bool
    problems: str
    report: dict[str, Any]


def record_checks(engine: Engine, rows: list[CheckRow]) -> None:
    """One transaction for the whole check, so a crash leaves no half-recorded run."""
    if not rows:
        return
    with engine.begin() as connection:
        connection.execute(
            insert(models.SiteCheck),
            [
                {
                    "site_key": row.site_key,
                    "checked_at": row.checked_at,
                    "ok": row.ok,
                    "problems": row.problems,
                    "report": row.report,
                }
                for row in rows
            ],
        )


def latest_checks(engine: Engine) -> dict[str, CheckRow]:
    """The last check of every site that was ever checked, by site key."""
    checks = models.SiteCheck
    latest = select(func.max(checks.id).label("id")).group_by(checks.site_key).subquery()
    query = select(checks).join(latest, latest.c.id == checks.id)
    with engine.connect() as connection:
        return {
            row.site_key: CheckRow(
                row.site_key, row.checked_at, bool(row.ok), row.problems, row.report or {}
            )
            for row in connection.execute(query)
        }
