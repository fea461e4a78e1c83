"""What both spiders share: article requests, the article callback and the failure path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.items import FetchedPage
from crawler.middlewares import ROBOTS_UNAVAILABLE
from crawler.safety import check_settings
from crawler.sites import SiteConfig

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class ArticleSpider(scrapy.Spider):
    """Base class: turns article responses (and failed fetches) into `FetchedPage` items."""

    sites: list[SiteConfig]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        check_settings(crawler.settings)  # before any request, whatever started the crawl
        return super().from_crawler(crawler, *args, **kwargs)

    def article_request(
        self, url: str, site: SiteConfig, hints: dict[str, Any] | None = None
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"site_key": site.key, "hints": hints or {}, "article": True},
        )

    def parse_article(self, response: Response) -> Iterator[FetchedPage]:
        meta = response.meta
        redirects = meta.get("redirect_urls") or []
        content_type = response.headers.get(b"Content-Type") or b""
        page = FetchedPage(
            url=redirects[0] if redirects else response.url,
            final_url=response.url,
            status=response.status,
            html="",
            fetched_at=datetime.now(UTC),
            site=meta["site_key"],
            headers={"content-type": content_type.decode("latin-1")},
            hints=dict(meta.get("hints") or {}),
        )
        if response.status != 200:
            page.error, page.error_detail = "http_status", str(response.status)
        elif not isinstance(response, TextResponse) or (
            content_type and not content_type.lower().startswith(HTML_TYPES)
        ):
            page.error = "not_html"
            page.error_detail = content_type.decode("latin-1") or type(response).__name__
        else:
            page.html = response.text
        yield page

    def article_failed(self, failure: Failure) -> Iterator[FetchedPage]:
        """A fetch that never produced a response still ends as a recorded rejection."""
        request = failure.request  # type: ignore[attr-defined]
        detail = f"{type(failure.value).__name__}: {failure.value}"[:500]
        if isinstance(failure.value, IgnoreRequest) and str(failure.value).startswith(
            ROBOTS_UNAVAILABLE
        ):
            reason = "robots_unavailable"
        elif isinstance(failure.value, IgnoreRequest) and "robots.txt" in str(failure.value):
            reason = "robots_disallowed"
        elif "maxsize" in detail.lower() or "larger than download max size" in detail.lower():
            reason = "too_large"
        else:
            reason = "fetch_failed"
        yield FetchedPage(
            url=request.url,
            final_url=request.url,
            status=0,
            html="",
            fetched_at=datetime.now(UTC),
            site=request.meta["site_key"],
            hints=dict(request.meta.get("hints") or {}),
            error=reason,
            error_detail=detail,
        )
