"""Scale-out: N crawler processes share one frontier in Redis (scrapy-redis) and one database.

The queue and the dupefilter are keyed by spider, site and run, so workers started for the same
run split its requests and never fetch one URL twice, while another site's crawl, or the next
cron run, starts fresh. Keys expire after REDIS_KEY_TTL seconds, so nothing piles up in Redis.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any, Self, cast

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)
MAX_DROPPED_PER_CALL = 100


def default_run_id(now: datetime | None = None, period_minutes: int = 15) -> str:
    """Workers that cron starts in the same period share a run: 20261125T1015 for 10:15–10:29."""
    now = now or datetime.now(UTC)
    minute = now.minute - now.minute % period_minutes
    return now.strftime("%Y%m%dT%H") + f"{minute:02d}"


def run_key(spider: Spider, run_id: str) -> str:
    scope = getattr(spider, "site_key", None) or "urls"
    return f"depeches:{spider.name}:{scope}:{run_id}"


class SiteRunScheduler(Scheduler):
    """scrapy-redis scheduler with per-site, per-run keys that expire."""

    ttl: int = 86400
    run_id: str = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.ttl = settings.getint("REDIS_KEY_TTL", 86400)
        scheduler.run_id = settings.get("DEPECHES_RUN_ID") or default_run_id(
            period_minutes=settings.getint("DEPECHES_RUN_PERIOD_MINUTES", 15)
        )
        return scheduler

    def open(self, spider: Spider) -> None:
        key = run_key(spider, self.run_id)
        self.queue_key = f"{key}:requests"
        self.df = RFPDupeFilter(
            self.server, key=f"{key}:dupefilter", debug=spider.settings.getbool("DUPEFILTER_DEBUG")
        )
        logger.info("shared frontier in Redis under %s", key)
        super().open(spider)

    def next_request(self) -> Request | None:
        """The next queued request; an entry that is not a JSON request is logged and dropped.

        Requests are JSON (crawler/redis_json.py, never pickle): a pickle or any other bytes
        put under the queue's key by someone else is refused, not executed.
        """
        for _ in range(MAX_DROPPED_PER_CALL):
            try:
                return cast("Request | None", super().next_request())
            except ValueError as exc:
                logger.error("dropped a queue entry of %s: %s", self.queue_key, exc)
                if self.stats is not None:
                    self.stats.inc_value("depeches/redis/dropped_entries")
        return None

    def close(self, reason: str) -> None:
        super().close(reason)
        for key in (self.queue.key, self.df.key):
            self.server.expire(key, self.ttl)


class IdleExit:
    """Keeps a worker alive while its peers may still add requests, then lets it end.

    With a shared queue, an empty queue does not mean the crawl is over: another worker may be
    parsing a listing page. A worker closes after REDIS_IDLE_SECONDS with nothing to do.
    """

    def __init__(self, crawler: Crawler, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self.idle_since: float | None = None
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.request_scheduled, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.getfloat("REDIS_IDLE_SECONDS", 30))

    def request_scheduled(self, *args: Any, **kwargs: Any) -> None:
        self.idle_since = None

    def spider_idle(self, spider: Spider) -> None:
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_seconds:
            raise DontCloseSpider
