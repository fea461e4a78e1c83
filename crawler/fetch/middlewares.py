"""Politeness beyond Scrapy's defaults: RFC 9309 robots.txt failures, Crawl-delay, Retry-After."""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.fetch.netguard import PrivateAddressLookupError

logger = logging.getLogger(__name__)

ROBOTS_UNAVAILABLE = "robots.txt unavailable"


class _HostDisallowed:
    """Stands for a robots.txt that answered 5xx/429 or could not be fetched: nothing allowed."""

    def __init__(self, why: str) -> None:
        self.why = why

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


def robots_answers(crawler: Crawler) -> dict[str, dict[str, Any]]:
    """What each host's robots.txt answered this run, by netloc: `status` (or `error`), the
    `sitemaps` it names, its `crawl_delay` (`scrapy sites --check` and `gensite` report them).
    Empty when robots.txt is not obeyed (ROBOTSTXT_OBEY off: the middleware is not enabled).
    """
    middleware = crawler.get_downloader_middleware(StrictRobotsTxtMiddleware)
    return middleware.answers if middleware is not None else {}


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RFC 9309 §2.3.1.4: a robots.txt answering 5xx (or 429), or unreachable, disallows the host.

    Scrapy reads such an answer as "allow everything"; for a crawler that runs every hour for
    years, an outage page must not become permission. A 4xx still means "no rules" (§2.3.1.3).
    The Crawl-delay of the rules is recorded for the politeness middleware, and every answer
    for the commands that report them (`robots_answers`).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.answers: dict[str, dict[str, Any]] = {}  # by netloc
        self.crawl_delays: dict[str, float] = {}  # seconds, by download slot (host)

    async def robot_parser(self, request: Request) -> Any:
        """The parser for the request's host, also for requests that waited on its download.

        Every request waiting on the robots.txt download shares one Deferred, whose result
        only the first waiter receives (the next ones get None, i.e. "allowed"): read the
        settled parser from the table instead.
        """
        parser = await super().robot_parser(request)
        settled = self._parsers.get(urlparse_cached(request).netloc)
        return parser if isinstance(settled, Deferred) else settled

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self.answers[netloc] = {"status": response.status, "sitemaps": []}
        if response.status >= 500 or response.status == 429:
            self._disallow(netloc, f"{ROBOTS_UNAVAILABLE} ({response.status})")
            return
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers.get(netloc)
        protego = getattr(parser, "rp", None)
        if protego is not None:
            user_agent = self._robotstxt_useragent or self._default_useragent
            delay = protego.crawl_delay(user_agent)
            answer = self.answers[netloc]
            answer["sitemaps"] = list(protego.sitemaps)
            answer["crawl_delay"] = float(delay) if delay else None
            if delay:
                host = urlparse_cached(request).hostname or netloc
                self.crawl_delays[host] = float(delay)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self.answers[netloc] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        # a private address is refused again on the request itself, as `private_address`
        if isinstance(exc, IgnoreRequest | PrivateAddressLookupError):
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._disallow(netloc, f"{ROBOTS_UNAVAILABLE} ({type(exc).__name__})")

    def _disallow(self, netloc: str, why: str) -> None:
        logger.warning("%s: every URL of %s is disallowed for this run", why, netloc)
        self._stats.inc_value("robotstxt/host_disallowed")
        pending = self._parsers.get(netloc)
        disallowed = _HostDisallowed(why)
        self._parsers[netloc] = disallowed  # type: ignore[assignment]
        if isinstance(pending, Deferred):
            pending.callback(disallowed)  # type: ignore[arg-type]

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, _HostDisallowed):
            self._stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(rp.why)
        super().process_request_2(rp, request)


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


class PolitenessMiddleware:
    """The host's explicit wishes as floors on Scrapy's per-host download slot.

    robots.txt Crawl-delay becomes a minimum slot delay (re-applied after AutoThrottle, which
    may lower it, and widened for the slot's random jitter); Retry-After on 429/503 pushes the
    slot's next download out. Both are applied on `response_downloaded`, before the slot hands
    out its next request, and capped at POLITENESS_MAX_WAIT seconds.
    """

    def __init__(self, crawler: Crawler, max_wait: float) -> None:
        self.crawler = crawler
        self.max_wait = max_wait
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.getfloat("POLITENESS_MAX_WAIT", 600))

    def _slot(self, request: Request) -> tuple[str, Any]:
        assert self.crawler.engine is not None
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def _crawl_delays(self) -> dict[str, float]:
        """The robots.txt middleware's Crawl-delays (none when robots.txt is not obeyed)."""
        robots = self.crawler.get_downloader_middleware(StrictRobotsTxtMiddleware)
        return robots.crawl_delays if robots is not None else {}

    def _apply_crawl_delay(self, request: Request) -> None:
        key, slot = self._slot(request)
        delay = self._crawl_delays().get(key)
        if not delay:
            return
        jitter = min(slot.jitter if slot is not None else 0.5, 0.9)
        floor = min(delay, self.max_wait) / (1 - jitter)
        assert self.crawler.engine is not None
        self.crawler.engine.downloader.per_slot_settings.setdefault(key, {})["delay"] = floor
        if slot is not None and slot.delay < floor:
            slot.delay = floor

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        self._apply_crawl_delay(request)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        self._apply_crawl_delay(request)
        if response.status not in (429, 503):
            return
        seconds = parse_retry_after(response.headers.get(b"Retry-After"))
        _, slot = self._slot(request)
        if seconds is None or slot is None:
            return
        # The slot waits `delay - now + lastseen` before its next download (only when its
        # delay is not zero): a lastseen in the future is a pause of that length.
        slot.delay = max(slot.delay, 0.001)
        slot.lastseen = max(slot.lastseen, time.monotonic() + min(seconds, self.max_wait))
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("depeches/politeness/retry_after")
        logger.info("%s asked to wait %.0f s (Retry-After)", request.url, seconds)
