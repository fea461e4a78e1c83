"""Is this run healthy compared with the site's recent runs? (Spidermon's idea, no service.)

A run that simply finds nothing new is normal for cron: what counts is how many articles it
*saw* (new + updated + unchanged), how many errors it met, and how complete the fields were.
"""

from __future__ import annotations

from statistics import median
from typing import Any

# close reasons that mean the crawl did what it was asked
NORMAL_CLOSE = frozenset(
    {"finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout"}
)

MIN_HISTORY = 3  # fewer earlier runs than this: no baseline, never degraded
SEEN_DROP = 0.5  # seen < half the median → degraded
ERROR_RISE = 2.0  # errors > twice the median (+ ERROR_SLACK) → degraded
ERROR_SLACK = 5
COVERAGE_DROP = 0.3  # coverage 30 points under the median → degraded
COVERAGE_FIELDS = ("date", "agency", "body")
ERROR_REASONS = (
    "http_status",
    "fetch_failed",
    "extraction_failed",
    "extraction_timeout",
    "pipeline_error",
    "database_refused",
    "timeout",
)


def seen(stats: dict[str, Any]) -> int:
    return sum(int(stats.get(f"depeches/articles/{s}", 0)) for s in ("new", "updated", "unchanged"))


def errors(stats: dict[str, Any]) -> int:
    return sum(int(stats.get(f"depeches/rejected/{r}", 0)) for r in ERROR_REASONS)


def coverage(stats: dict[str, Any], field: str) -> float | None:
    total = int(stats.get("depeches/coverage/articles", 0))
    if not total:
        return None
    return int(stats.get(f"depeches/coverage/{field}", 0)) / total


def assess_run(current: dict[str, Any], history: list[dict[str, Any]]) -> list[str]:
    """Reasons this run looks degraded against `history` (stats of earlier runs); [] if fine."""
    if len(history) < MIN_HISTORY:
        return []
    reasons = []
    usual_seen = median(seen(h) for h in history)
    if usual_seen >= 5 and seen(current) < SEEN_DROP * usual_seen:
        reasons.append(f"saw {seen(current)} articles, the recent median is {usual_seen:g}")
    usual_errors = median(errors(h) for h in history)
    if errors(current) > ERROR_RISE * usual_errors + ERROR_SLACK:
        reasons.append(f"{errors(current)} errors, the recent median is {usual_errors:g}")
    for field in COVERAGE_FIELDS:
        now = coverage(current, field)
        past = [c for c in (coverage(h, field) for h in history) if c is not None]
        if now is None or len(past) < MIN_HISTORY:
            continue
        usual = median(past)
        if now < usual - COVERAGE_DROP:
            reasons.append(
                f"{field} found on {now:.0%} of articles, the recent median is {usual:.0%}"
            )
    return reasons
