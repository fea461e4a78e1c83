"""The crawl frontier's rules: what is due, what is retried, how often each source is polled.

The frontier itself lives in the database (`frontier` and `sources` tables, written by
`crawler.storage.frontier.FrontierRepository` on the archive writer thread). This module holds
the pure decisions, read from settings once per crawl:

- a stored article is revisited on a decaying schedule (`REVISIT_SCHEDULE`, seconds after each
  fetch: 1 h, 6 h, 24 h, 3 days, then never), and only when it is recent
  (`REVISIT_RECENT_DAYS`; 0 revisits every article);
- a fetch that failed for a transient reason (network, timeout, robots.txt outage, 5xx/429,
  an extraction over EXTRACTION_TIMEOUT)
  leaves the URL `failed`, retried after `FRONTIER_RETRY_DELAY` seconds doubled at each
  attempt, and `rejected` after `FRONTIER_MAX_ATTEMPTS`; any other reason rejects it at once;
- a source's poll interval halves when a poll finds new articles and grows by half when it
  does not, within `SOURCE_POLL_MIN` and `SOURCE_POLL_MAX` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Rejection reasons worth fetching again later: the page may well be fine next time.
# An extraction timeout may be a loaded machine as well as a hostile page: retried, boundedly.
TRANSIENT_REASONS = frozenset(
    {"fetch_failed", "timeout", "robots_unavailable", "truncated", "extraction_timeout"}
)
TRANSIENT_STATUSES = frozenset({"429", "500", "502", "503", "504"})

DEFAULT_REVISIT_SCHEDULE = (3600, 6 * 3600, 24 * 3600, 3 * 86400)


def is_transient(reason: str, detail: str = "") -> bool:
    """Whether a rejection may go away by itself (then the URL is `failed`, retried later)."""
    if reason in TRANSIENT_REASONS:
        return True
    return reason == "http_status" and detail.strip()[:3] in TRANSIENT_STATUSES


@dataclass(frozen=True)
class FrontierPolicy:
    revisit_schedule: tuple[float, ...] = DEFAULT_REVISIT_SCHEDULE
    revisit_recent_days: float = 7.0
    max_attempts: int = 3
    retry_delay: float = 3600.0
    poll_interval: float = 900.0
    poll_min: float = 300.0
    poll_max: float = 86400.0
    incremental: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> FrontierPolicy:
        schedule = tuple(float(v) for v in settings.getlist("REVISIT_SCHEDULE") if str(v).strip())
        return cls(
            revisit_schedule=schedule,
            revisit_recent_days=settings.getfloat("REVISIT_RECENT_DAYS", 7.0),
            max_attempts=max(1, settings.getint("FRONTIER_MAX_ATTEMPTS", 3)),
            retry_delay=settings.getfloat("FRONTIER_RETRY_DELAY", 3600.0),
            poll_interval=settings.getfloat("SOURCE_POLL_INTERVAL", 900.0),
            poll_min=settings.getfloat("SOURCE_POLL_MIN", 300.0),
            poll_max=settings.getfloat("SOURCE_POLL_MAX", 86400.0),
            incremental=settings.getbool("INCREMENTAL", True),
        )

    def next_visit(
        self, visits: int, fetched_at: datetime, published_at: datetime | None
    ) -> datetime | None:
        """When an article stored `visits` revisits ago is due again; None: never."""
        if visits >= len(self.revisit_schedule):
            return None
        recent = fetched_at - timedelta(days=self.revisit_recent_days)
        if self.revisit_recent_days > 0 and published_at is not None and published_at < recent:
            return None  # an old article found late: its counters no longer move
        return fetched_at + timedelta(seconds=self.revisit_schedule[visits])

    def retry_at(self, attempts: int, now: datetime) -> datetime | None:
        """When a URL that failed `attempts` times is tried again; None: give up (rejected)."""
        if attempts >= self.max_attempts:
            return None
        return now + timedelta(seconds=self.retry_delay * 2 ** max(0, attempts - 1))

    def next_interval(self, interval: float | None, new_count: int) -> float:
        """A source's next poll interval after a poll that found `new_count` new articles."""
        current = self.poll_interval if interval is None else interval
        adapted = current / 2 if new_count > 0 else current * 1.5
        return min(self.poll_max, max(self.poll_min, adapted))
