"""Pipeline 1 of 2: a fetched page becomes an Article, processed off the reactor.

A failed fetch is already a rejection (the spider said why); any other page goes to the
process pool once, where `crawler.process.chain.process_page` runs the whole chain.
"""

from __future__ import annotations

import logging
from concurrent.futures.process import BrokenProcessPool
from typing import Self

from scrapy.crawler import Crawler

from crawler.items import Article, FetchedPage
from crawler.process import DEFAULT_MIN_ARTICLE_WORDS
from crawler.process.job import PageJob, run_in_worker
from crawler.process.pool import WorkerPool
from crawler.process.rejections import Rejected
from crawler.sites import SiteConfig

logger = logging.getLogger(__name__)


def site_config(crawler: Crawler, key: str, url: str) -> SiteConfig:
    """The spider's configured site with this key, else generic rules for the URL's domain."""
    for site in getattr(crawler.spider, "sites", []) or []:
        if site.key == key:
            return site
    return SiteConfig.for_unknown_domain(url)


class ProcessPipeline:
    """Turns failed fetches into rejections; runs `process_page` on the others in the pool."""

    def __init__(self, crawler: Crawler, timeout: float, min_words: int) -> None:
        self.crawler = crawler
        self.timeout = timeout
        self.min_words = min_words
        self.pool = WorkerPool.from_settings(crawler.settings)  # one per crawl: this pipeline's

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler,
            crawler.settings.getfloat("EXTRACTION_TIMEOUT", 60),
            crawler.settings.getint("MIN_ARTICLE_WORDS", DEFAULT_MIN_ARTICLE_WORDS),
        )

    def close_spider(self) -> None:
        self.pool.close()

    async def process_item(self, item: FetchedPage) -> Article:
        if item.error:
            raise Rejected(item.error, item.error_detail, url=item.url)
        job = PageJob(
            url=item.url,
            final_url=item.final_url,
            html=item.html,
            site=site_config(self.crawler, item.site, item.final_url),
            fetched_at=item.fetched_at,
            status=item.status,
            hints=item.hints,
            min_words=self.min_words,
        )
        try:
            result, cpu_seconds = await self.pool.run(self.timeout, run_in_worker, job)
        except TimeoutError:
            # the worker was killed and replaced (crawler/process/pool.py); the frontier
            # retries the page in a later run, FRONTIER_MAX_ATTEMPTS times in all
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("depeches/extraction/timeouts")
            detail = f"over {self.timeout:g} s of its own run: worker killed and replaced"
            raise Rejected("extraction_timeout", detail, url=item.url) from None
        except BrokenProcessPool as exc:
            raise Rejected("extraction_failed", f"worker died: {exc}", url=item.url) from None
        except Exception as exc:
            logger.exception("extraction failed on %s", item.final_url)
            raise Rejected(
                "extraction_failed", f"{type(exc).__name__}: {exc}", url=item.url
            ) from None
        self._time(cpu_seconds)
        if isinstance(result, Rejected):
            raise result
        result.warc_file, result.warc_offset = item.warc_file, item.warc_offset
        return result

    def _time(self, cpu_seconds: dict[str, float]) -> None:
        """CPU microseconds per stage, summed over the run (the bench's time split)."""
        stats = self.crawler.stats
        if stats is None:
            return
        for stage, seconds in cpu_seconds.items():
            stats.inc_value(f"depeches/time/{stage}_cpu_us", round(seconds * 1_000_000))
