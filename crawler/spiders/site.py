"""`scrapy crawl site -a site=<key>`: discover articles through feeds, sitemaps and listings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.discovery import DiscoveryError, is_next_page_link, parse_feed, parse_sitemap
from crawler.fields.urls import canonicalize_url
from crawler.sites import SiteConfig, SiteConfigError, load_sites
from crawler.spiders.base import ArticleSpider

MAX_SITEMAP_DEPTH = 3


class SiteSpider(ArticleSpider):
    """Crawls one configured site (or every site with `-a site=all`).

    `-a base_url=http://host:port` serves the same site from another origin (a mirror or a
    test server): every relative or base-relative URL of the site file moves there.
    """

    name = "site"
    allowed_domains: list[str]
    max_listing_pages: int

    def __init__(self, site: str | None = None, base_url: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not site:
            raise SiteConfigError(
                "settings/sites", "site", "missing: use -a site=<key> or site=all"
            )
        self.site_key = site
        self.base_url_override = base_url
        self.sites = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        sites = load_sites(crawler.settings.get("SITES_DIR"), spider.site_key)
        if spider.base_url_override:
            sites = [s.rebased(spider.base_url_override) for s in sites]
        spider.sites = sites
        spider.allowed_domains = sorted({d for s in sites for d in s.domains})
        spider.max_listing_pages = crawler.settings.getint("MAX_LISTING_PAGES", 20)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for site in self.sites:
            for url in site.feeds:
                yield self._source_request(url, site, self.parse_feed)
            for url in site.sitemaps:
                yield self._source_request(url, site, self.parse_sitemap, depth=0)
            for url in site.listings:
                yield self._source_request(url, site, self.parse_listing, page=1)

    def _source_request(
        self, url: str, site: SiteConfig, callback: Any, **meta: Any
    ) -> scrapy.Request:
        return scrapy.Request(
            url, callback=callback, errback=self.source_failed, meta={"site_key": site.key, **meta}
        )

    def _site(self, response: Response) -> SiteConfig:
        key = response.meta["site_key"]
        return next(s for s in self.sites if s.key == key)

    def _article(self, url: str, site: SiteConfig, hints: dict[str, Any]) -> scrapy.Request | None:
        url = canonicalize_url(url)
        if not site.owns(url) or not site.is_article_url(url):
            return None
        return self.article_request(url, site, hints)

    def _source_ok(self, response: Response) -> bool:
        if response.status != 200:
            self.logger.warning("discovery source %s answered %s", response.url, response.status)
            self.crawler.stats.inc_value("depeches/discovery/source_failed")
            return False
        return True

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if not self._source_ok(response):
            return
        site = self._site(response)
        try:
            links = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            self.logger.warning("feed %s unreadable: %s", response.url, exc)
            return
        self.crawler.stats.inc_value("depeches/discovery/feed_links", len(links))
        for link in links:
            request = self._article(link.url, site, dict(link.hints))
            if request is not None:
                yield request

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if not self._source_ok(response):
            return
        site = self._site(response)
        try:
            document = parse_sitemap(response.body, response.url)
        except DiscoveryError as exc:
            self.logger.warning("sitemap %s unreadable: %s", response.url, exc)
            return
        depth = response.meta.get("depth", 0)
        if document.kind == "index":
            if depth >= MAX_SITEMAP_DEPTH:
                self.logger.warning("sitemap index %s nested too deep", response.url)
                return
            for link in document.links:
                if site.owns(link.url):
                    yield self._source_request(link.url, site, self.parse_sitemap, depth=depth + 1)
            return
        self.crawler.stats.inc_value("depeches/discovery/sitemap_links", len(document.links))
        for link in document.links:
            request = self._article(link.url, site, dict(link.hints))
            if request is not None:
                yield request

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not self._source_ok(response):
            return
        site = self._site(response)
        page = response.meta.get("page", 1)
        limit = site.max_listing_pages or self.max_listing_pages
        next_url = None
        for anchor in response.css("a[href]"):
            href = anchor.attrib.get("href", "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            url = response.urljoin(href)
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            text = " ".join(anchor.css("::text").getall())
            if next_url is None and is_next_page_link(text, anchor.attrib.get("rel")):
                next_url = url
                continue
            request = self._article(url, site, {"listing": response.url})
            if request is not None:
                yield request
        link_next = response.css('link[rel="next"]::attr(href)').get()
        next_url = next_url or (response.urljoin(link_next) if link_next else None)
        if next_url and page < limit and site.owns(next_url):
            yield self._source_request(next_url, site, self.parse_listing, page=page + 1)

    def source_failed(self, failure: Any) -> None:
        """A feed, sitemap or listing that could not be fetched: logged and counted, not fatal."""
        self.crawler.stats.inc_value("depeches/discovery/source_failed")
        self.logger.warning("discovery source %s failed: %s", failure.request.url, failure.value)
