"""Pipeline 1: a fetched page becomes an Article with raw candidates, extracted off the reactor."""

from __future__ import annotations

import gzip
import logging
from concurrent.futures.process import BrokenProcessPool
from typing import Self

from scrapy.crawler import Crawler

from crawler.extraction import ExtractOptions, extract_page_timed
from crawler.items import Article, FetchedPage
from crawler.workers import WorkerPool
from pipelines.errors import Rejected
from pipelines.sitectx import site_config

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Turns failed fetches into rejections and runs trafilatura + field finders in the pool."""

    def __init__(self, crawler: Crawler, timeout: float) -> None:
        self.crawler = crawler
        self.timeout = timeout
        self.pool = WorkerPool.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.getfloat("EXTRACTION_TIMEOUT", 60))

    def close_spider(self) -> None:
        self.pool.close()

    async def process_item(self, item: FetchedPage | Article) -> Article:
        if isinstance(item, Article):
            return item
        if item.error:
            raise Rejected(item.error, item.error_detail, url=item.url)
        if not item.html.strip():
            raise Rejected("empty_page", f"{len(item.html)} characters", url=item.url)
        site = site_config(self.crawler, item.site, item.final_url)
        options = ExtractOptions.from_site(site)
        try:
            raw, seconds = await self.pool.run(
                self.timeout, extract_page_timed, item.html, item.final_url, options
            )
        except TimeoutError:
            raise Rejected("extraction_timeout", f"over {self.timeout:g} s", url=item.url) from None
        except BrokenProcessPool as exc:
            raise Rejected("extraction_failed", f"worker died: {exc}", url=item.url) from None
        except Exception as exc:
            logger.exception("extraction failed on %s", item.final_url)
            raise Rejected(
                "extraction_failed", f"{type(exc).__name__}: {exc}", url=item.url
            ) from None
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("depeches/time/extract_ms", round(seconds * 1000))
        return Article(
            url=item.url,
            final_url=item.final_url,
            site=site.key,
            fetched_at=item.fetched_at,
            raw=raw,
            hints=item.hints,
            extractor=raw.extractor,
            raw_html_gz=gzip.compress(item.html.encode("utf-8"), compresslevel=6),
            status=item.status,
        )
