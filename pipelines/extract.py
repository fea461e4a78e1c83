"""Pipeline 1: a fetched page becomes an Article, extracted (and normalised) off the reactor."""

from __future__ import annotations

import logging
from concurrent.futures.process import BrokenProcessPool
from typing import Self

from scrapy.crawler import Crawler

from crawler.items import Article, FetchedPage
from crawler.workers import WorkerPool
from pipelines.errors import Rejected
from pipelines.sitectx import site_config
from pipelines.worker import PageJob, process_page

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Turns failed fetches into rejections; runs pipelines 1 to 4 on a page in the pool.

    The page goes to a worker once (pipelines.worker.process_page): extraction, then the
    normalise, language and dedup stages, whose pipelines then pass the article on.
    """

    def __init__(self, crawler: Crawler, timeout: float, min_words: int) -> None:
        self.crawler = crawler
        self.timeout = timeout
        self.min_words = min_words
        self.pool = WorkerPool.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler,
            crawler.settings.getfloat("EXTRACTION_TIMEOUT", 60),
            crawler.settings.getint("MIN_ARTICLE_WORDS", 40),
        )

    def close_spider(self) -> None:
        self.pool.close()

    async def process_item(self, item: FetchedPage | Article) -> Article:
        if isinstance(item, Article):
            return item
        if item.error:
            raise Rejected(item.error, item.error_detail, url=item.url)
        if not item.html.strip():
            raise Rejected("empty_page", f"{len(item.html)} characters", url=item.url)
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
            outcome = await self.pool.run(self.timeout, process_page, job)
        except TimeoutError:
            # the worker was killed and replaced (crawler/workers.py); the frontier retries the
            # page in a later run, FRONTIER_MAX_ATTEMPTS times in all (crawler/frontier.py)
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
        self._time(outcome.cpu_seconds)
        if outcome.article is None:
            raise Rejected(outcome.reason or "pipeline_error", outcome.detail, url=item.url)
        outcome.article.warc_file, outcome.article.warc_offset = item.warc_file, item.warc_offset
        return outcome.article

    def _time(self, cpu_seconds: dict[str, float]) -> None:
        """CPU microseconds per stage, summed over the run (the bench's time split)."""
        stats = self.crawler.stats
        if stats is None:
            return
        for stage, seconds in cpu_seconds.items():
            stats.inc_value(f"depeches/time/{stage}_cpu_us", round(seconds * 1_000_000))
