"""`scrapy crawl site -a site=<key>`: discover articles through feeds, sitemaps and listings."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from sqlalchemy.exc import SQLAlchemyError

from crawler.discovery import (
    DiscoveryError,
    Link,
    SitemapDocument,
    is_next_page_link,
    parse_feed_in_steps,
    parse_sitemap_in_steps,
)
from crawler.extensions.crawl_run import archive_writer
from crawler.fields.urls import canonicalize_url
from crawler.frontier_policy import FrontierPolicy
from crawler.sites import SiteConfig, SiteConfigError, select_sites
from crawler.spiders.base import ArticleSpider
from crawler.storage.frontier import Discovery, Poll, SourceState
from crawler.storage.writer import ArchiveWriter, DatabaseUnavailableError

MAX_SITEMAP_DEPTH = 3
LINKS_PER_SLICE = 1000


class SiteSpider(ArticleSpider):
    """Crawls one configured site, a group (`-a site=country:SN`, `region:maghreb`) or every
    site of the catalogue (`-a site=all`).

    `-a base_url=http://host:port` serves the same site from another origin (a mirror or a
    test server): every relative or base-relative URL of the site file moves there.
    """

    name = "site"
    allowed_domains: list[str]
    max_listing_pages: int
    url_length_limit: int
    writer: ArchiveWriter
    policy: FrontierPolicy

    def __init__(self, site: str | None = None, base_url: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not site:
            raise SiteConfigError(
                "settings/sites", "site", "missing: use -a site=<key> or site=all"
            )
        self.site_key = site
        self.base_url_override = base_url
        self.sites = []
        self._sitemap_lock: asyncio.Lock | None = None
        self.source_states: dict[str, SourceState] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        sites = select_sites(crawler.settings.get("SITES_DIR"), spider.site_key)
        if spider.base_url_override:
            sites = [s.rebased(spider.base_url_override) for s in sites]
        spider.sites = sites
        spider.allowed_domains = sorted({d for s in sites for d in s.domains})
        spider.max_listing_pages = crawler.settings.getint("MAX_LISTING_PAGES", 20)
        spider.url_length_limit = crawler.settings.getint("URLLENGTH_LIMIT", 2083) or 10**9
        return spider

    async def start(self) -> AsyncIterator[Any]:
        """The site's unfinished URLs first (a killed run resumes), then the sources due."""
        self.writer = archive_writer(self.crawler)
        self.policy = self.writer.policy
        if not await self.writer.wait_open():
            return  # the archive could not be opened: the crawl-run extension closes the run
        now = datetime.now(UTC)
        for site in self.sites:
            for url, hints in await self.writer.due_urls(site.key):
                if site.owns(url):
                    self._inc("depeches/frontier/scheduled")
                    yield self.article_request(url, site, hints)
            states = await self.writer.sources(site.key)
            self.source_states.update(states)
            starts = [
                *((url, "feed") for url in site.feeds),
                *((url, "sitemap") for url in site.sitemaps),
                *((url, "listing") for url in site.listings),
            ]
            for url, kind in starts:
                if self._source_due(url, now):
                    yield self._source_request(url, site, kind)
            named = {url for url, _ in starts}
            for state in states.values():  # sitemaps an index named earlier, due on their own
                if state.url not in named and state.parent_url and self._source_due(state.url, now):
                    yield self._source_request(
                        state.url, site, "sitemap", parent_url=state.parent_url, depth=1
                    )

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

    def _source_due(self, url: str, now: datetime) -> bool:
        state = self.source_states.get(url)
        if not self.policy.incremental or state is None or state.due(now):
            return True
        self._inc("depeches/discovery/source_not_due")
        return False

    def _source_request(
        self,
        url: str,
        site: SiteConfig,
        kind: str,
        *,
        parent_url: str | None = None,
        polled: bool = True,
        **meta: Any,
    ) -> scrapy.Request:
        """A feed, sitemap or listing request, conditional when its validators are known."""
        callback = {
            "feed": self.parse_feed,
            "sitemap": self.parse_sitemap,
            "listing": self.parse_listing,
        }[kind]
        headers: dict[str, str] = {}
        state = self.source_states.get(url)
        if polled and state is not None and self.policy.incremental:
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
        meta = {"site_key": site.key, "source_kind": kind, "parent_url": parent_url, **meta}
        if polled:
            meta["source_url"] = url
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.source_failed,
            headers=headers or None,
            meta=meta,
        )

    def _site(self, response: Response) -> SiteConfig:
        key = response.meta["site_key"]
        return next(s for s in self.sites if s.key == key)

    def _article(
        self, url: str, site: SiteConfig, hints: dict[str, Any], found: dict[str, scrapy.Request]
    ) -> None:
        """Collect the article request for a discovered link, keyed by its request URL."""
        url = canonicalize_url(url)
        if not site.owns(url) or not site.is_article_url(url):
            return
        request = self.article_request(url, site, hints)
        if len(request.url) > self.url_length_limit:
            return  # Scrapy would drop it silently, and the URL would stay pending forever
        found.setdefault(request.url, request)

    def _one_sitemap_at_a_time(self) -> asyncio.Lock:
        """Sitemaps are read one at a time: two giant ones (or one and a .xml.gz bomb being
        inflated) side by side would hold both in memory while the reactor runs between steps.
        """
        if self._sitemap_lock is None:
            self._sitemap_lock = asyncio.Lock()
        return self._sitemap_lock

    @staticmethod
    async def _read_sitemap(response: Response) -> SitemapDocument:
        """`parse_sitemap`, with the reactor running between its steps (a giant one is ~1 s)."""
        for step in parse_sitemap_in_steps(response.body, response.url):
            if step is not None:
                return step
            await asyncio.sleep(0)
        raise AssertionError("parse_sitemap_in_steps ends with the document")

    @staticmethod
    async def _read_feed(response: Response) -> list[Link]:
        """`parse_feed`, with the reactor running between its steps (a 16 MB feed is seconds)."""
        for step in parse_feed_in_steps(response.body, response.url):
            if step is not None:
                return step
            await asyncio.sleep(0)
        raise AssertionError("parse_feed_in_steps ends with the links")

    async def _articles(self, links: list[Link], site: SiteConfig) -> dict[str, scrapy.Request]:
        """`_article` for each link, letting the reactor run between slices.

        50,000 sitemap URLs are about a second of canonicalising and request building: done
        in one go, downloads, timeouts and the progress log would all wait for it. (A thread
        would do it too, but glibc would give that thread an arena of its own, which keeps
        the memory it touched.) The sitemap itself is parsed the same way, in steps.
        """
        found: dict[str, scrapy.Request] = {}
        for start in range(0, len(links), LINKS_PER_SLICE):
            if start:
                await asyncio.sleep(0)
            for link in links[start : start + LINKS_PER_SLICE]:
                self._article(link.url, site, dict(link.hints), found)
        return found

    def _poll(self, response: Response) -> Poll | None:
        """What to remember of a source's answer (None for pages past a listing's first)."""
        url = response.meta.get("source_url")
        if not url:
            return None
        headers = response.headers
        etag = headers.get(b"ETag")
        modified = headers.get(b"Last-Modified")
        return Poll(
            url=url,
            site_key=response.meta["site_key"],
            kind=response.meta["source_kind"],
            status=response.status,
            etag=etag.decode("latin-1") if etag else None,
            last_modified=modified.decode("latin-1") if modified else None,
            parent_url=response.meta.get("parent_url"),
        )

    async def _source_ok(self, response: Response) -> bool:
        if response.status == 304:
            self._inc("depeches/discovery/not_modified")
            poll = self._poll(response)
            if poll is not None:
                with contextlib.suppress(DatabaseUnavailableError):  # the crawl is stopping
                    await self.writer.record_poll(poll, 0)
            return False
        if response.status != 200:
            self.logger.warning("discovery source %s answered %s", response.url, response.status)
            self._inc("depeches/discovery/source_failed")
            return False
        return True

    async def _discover(
        self,
        response: Response,
        site: SiteConfig,
        found: dict[str, scrapy.Request],
        children: list[str] | None = None,
    ) -> tuple[list[scrapy.Request], Discovery]:
        """Record what a source lists (and its poll) in the frontier; the requests due now."""
        links = {url: dict(request.meta.get("hints") or {}) for url, request in found.items()}
        try:
            discovery = await self.writer.discover(site.key, links, self._poll(response), children)
        except DatabaseUnavailableError as exc:
            # the crawl is stopping (exit code 3); the source is polled again next run
            self.logger.warning("discovery from %s not recorded: %s", response.url, exc)
            return [], Discovery()
        except SQLAlchemyError as exc:
            # the database refused this source's data (not unreachable): the crawl goes on
            self.logger.error("discovery from %s refused by the database: %s", response.url, exc)
            self._inc("depeches/discovery/source_failed")
            return [], Discovery()
        self._inc("depeches/frontier/new", len(discovery.new))
        self._inc("depeches/frontier/known_skipped", len(found) - len(discovery.to_fetch))
        return [found[url] for url in discovery.to_fetch], discovery

    async def parse_feed(self, response: Response) -> AsyncIterator[scrapy.Request]:
        if not await self._source_ok(response):
            return
        site = self._site(response)
        try:
            links = await self._read_feed(response)
        except DiscoveryError as exc:
            self.logger.warning("feed %s unreadable: %s", response.url, exc)
            return
        self._inc("depeches/discovery/feed_links", len(links))
        found = await self._articles(links, site)
        requests, _ = await self._discover(response, site, found)
        for request in requests:
            yield request

    async def parse_sitemap(self, response: Response) -> AsyncIterator[scrapy.Request]:
        if not await self._source_ok(response):
            return
        site = self._site(response)
        try:
            async with self._one_sitemap_at_a_time():
                document = await self._read_sitemap(response)
                found = (
                    await self._articles(document.links, site) if document.kind != "index" else {}
                )
        except DiscoveryError as exc:
            self.logger.warning("sitemap %s unreadable: %s", response.url, exc)
            return
        depth = response.meta.get("depth", 0)
        if document.kind == "index":
            if depth >= MAX_SITEMAP_DEPTH:
                self.logger.warning("sitemap index %s nested too deep", response.url)
                return
            children = [link.url for link in document.links if site.owns(link.url)]
            await self._discover(response, site, found, children)
            now = datetime.now(UTC)
            parent = response.meta.get("source_url") or response.url
            for child in children:
                if self._source_due(child, now):
                    yield self._source_request(
                        child, site, "sitemap", parent_url=parent, depth=depth + 1
                    )
            return
        self._inc("depeches/discovery/sitemap_links", len(document.links))
        requests, _ = await self._discover(response, site, found)
        for request in requests:
            yield request

    async def parse_listing(self, response: Response) -> AsyncIterator[scrapy.Request]:
        if not await self._source_ok(response):
            return
        site = self._site(response)
        page = response.meta.get("page", 1)
        limit = site.max_listing_pages or self.max_listing_pages
        next_url = None
        found: dict[str, scrapy.Request] = {}
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
            self._article(url, site, {"listing": response.url}, found)
        requests, discovery = await self._discover(response, site, found)
        for request in requests:
            yield request
        link_next = response.css('link[rel="next"]::attr(href)').get()
        next_url = next_url or (response.urljoin(link_next) if link_next else None)
        if not next_url or page >= limit or not site.owns(next_url):
            return
        if self.policy.incremental and not discovery.unsettled:
            self._inc("depeches/discovery/listing_stopped")  # nothing new on this page
            return
        yield self._source_request(next_url, site, "listing", polled=False, page=page + 1)

    def source_failed(self, failure: Any) -> None:
        """A feed, sitemap or listing that could not be fetched: logged and counted, not fatal."""
        self.crawler.stats.inc_value("depeches/discovery/source_failed")
        self.logger.warning("discovery source %s failed: %s", failure.request.url, failure.value)
