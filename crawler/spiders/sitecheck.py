"""The spider behind `scrapy sites --check`: every source of the selected sites, fetched once.

Run by the command (crawler/commands/sites.py), not by `scrapy crawl`: it stores nothing itself
and runs no item pipeline; the command judges and records what it collected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.discovery import DiscoveryError, Link, is_feed, parse_feed, parse_sitemap
from crawler.fetch.middlewares import robots_answers
from crawler.fetch.safety import check_settings
from crawler.sitecheck import SiteReport, SourceResult, count_links, host_of
from crawler.sites import SiteConfig

# Neither the archive nor the run lock: a check is not a crawl run.
NO_CRAWL_RUN: dict[str, Any] = {
    "ITEM_PIPELINES": {},
    "EXTENSIONS": {
        "crawler.extensions.crawl_run.CrawlRunExtension": None,
        "crawler.extensions.run_lock_watch.RunLockWatch": None,
    },
    "HTTPERROR_ALLOW_ALL": True,
    "RETRY_TIMES": 1,
}


class SiteCheckSpider(scrapy.Spider):
    name = "sitecheck"
    custom_settings = NO_CRAWL_RUN

    def __init__(self, sites: list[SiteConfig] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = list(sites or [])
        self.reports = {site.key: SiteReport(site.key) for site in self.sites}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        check_settings(crawler.settings)  # before any request, as every crawl
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites:
            starts = [
                *((url, "feed") for url in site.feeds),
                *((url, "sitemap") for url in site.sitemaps),
                *((url, "listing") for url in site.listings),
            ]
            for url, kind in starts:
                result = SourceResult(url=url, kind=kind)
                self.reports[site.key].sources.append(result)
                yield self._request(url, site, result)

    def _request(self, url: str, site: SiteConfig, result: SourceResult) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_source,
            errback=self.source_failed,
            dont_filter=True,  # two sites may share a feed; each is judged on its own
            meta={"site_key": site.key, "result": result},
        )

    def _site(self, response_or_request: Any) -> SiteConfig:
        key = response_or_request.meta["site_key"]
        return next(s for s in self.sites if s.key == key)

    def parse_source(self, response: Response) -> Any:
        result: SourceResult = response.meta["result"]
        site = self._site(response)
        result.status = response.status
        if response.status != 200:
            return None
        if result.kind == "listing":
            result.parses = bool(getattr(response, "text", None))
            if result.parses:
                links = [
                    Link(response.urljoin(href))
                    for href in response.css("a[href]::attr(href)").getall()
                    if urlsplit(response.urljoin(href)).scheme in ("http", "https")
                ]
                count_links(result, links, site)
            return None
        try:
            if result.kind == "feed":
                if not is_feed(response.body):
                    return None  # a web page where the feed was (parses stays False)
                links = parse_feed(response.body, response.url)
            else:
                document = parse_sitemap(response.body, response.url)
                if document.kind == "unknown":
                    return None  # not a sitemap (parses stays False)
                if document.kind == "index" and result.via is None:
                    return self._child_sitemap(document.links, site, result)
                links = document.links
        except DiscoveryError as exc:
            result.error = None if result.via is None else f"child sitemap {response.url}: {exc}"
            result.parses = False
            return None
        result.parses = True
        count_links(result, links, site)
        return None

    def _child_sitemap(
        self, children: list[Link], site: SiteConfig, result: SourceResult
    ) -> scrapy.Request | None:
        """An index lists sitemaps, not articles: read its newest child once for the counts."""
        owned = [link for link in children if site.owns(link.url)]
        if not owned:
            result.parses = True  # an index, but of nothing of this site's
            return None
        newest = max(owned, key=lambda link: str(link.hints.get("lastmod") or ""))
        result.via = newest.url
        return self._request(newest.url, site, result)

    def source_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        result: SourceResult = request.meta["result"]
        what = str(failure.value) or type(failure.value).__name__
        result.error = what if result.via is None else f"child sitemap {request.url}: {what}"

    def site_reports(self) -> list[SiteReport]:
        """The reports, with the robots.txt answers of the hosts each site's sources are on."""
        answers = robots_answers(self.crawler)
        for site in self.sites:
            report = self.reports[site.key]
            hosts = {host_of(s.url) for s in report.sources} | {
                host_of(s.via) for s in report.sources if s.via
            }
            report.robots = {host: answers[host] for host in sorted(hosts) if host in answers}
        return [self.reports[site.key] for site in self.sites]
