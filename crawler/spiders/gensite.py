"""The spider behind `scrapy gensite URL`: discovery from a homepage, then a sample of articles.

Run by the command (crawler/commands/gensite.py). Every fetch goes through Scrapy's downloader,
so robots.txt (whose Sitemap lines it reads), Crawl-delay, the politeness settings and the
private-address guard apply as in a crawl. Two phases: discovery (robots.txt, homepage, the
feeds it names or the common feed paths, the sitemaps robots.txt names or the common sitemap
paths, sitemap indexes, listing pages), then, once the engine is idle, up to `samples` article
pages, each run through the one processing chain (`crawler.process.chain.process_page`).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse

from crawler.discovery import (
    DiscoveryError,
    is_feed,
    is_next_page_link,
    parse_feed,
    parse_sitemap,
)
from crawler.fetch.middlewares import robots_answers
from crawler.fetch.safety import check_settings
from crawler.fields.urls import canonicalize_url
from crawler.gensite import (
    COMMON_FEED_PATHS,
    COMMON_SITEMAP_PATHS,
    FEED_TYPES,
    Draft,
    infer_article_patterns,
    looks_like_article,
)
from crawler.process import DEFAULT_MIN_ARTICLE_WORDS
from crawler.process.job import PageJob
from crawler.process.rejections import Rejected
from crawler.sites import SiteConfig
from crawler.spiders.sitecheck import NO_CRAWL_RUN

MAX_CHILD_SITEMAPS = 3
MAX_SECTION_PAGES = 5


class GenSiteSpider(scrapy.Spider):
    name = "gensite"
    custom_settings = NO_CRAWL_RUN

    def __init__(self, draft: Draft | None = None, samples: int = 20, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        assert draft is not None
        self.draft = draft
        self.samples = samples
        self.host = (urlsplit(draft.base_url).hostname or "").lower()
        self.article_urls: dict[str, str] = {}  # URL -> where it was found
        self.listing_links: list[str] = []
        self.phase = "discovery"
        self.min_words = DEFAULT_MIN_ARTICLE_WORDS

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        check_settings(crawler.settings)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.min_words = crawler.settings.getint("MIN_ARTICLE_WORDS", DEFAULT_MIN_ARTICLE_WORDS)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    def _own(self, url: str) -> bool:
        """The site's host, with or without www., and its subdomains (feeds.exemple.sn)."""
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        base = self.host.removeprefix("www.")
        return host == base or host.endswith("." + base)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(
            self.draft.start_url,
            callback=self.parse_home,
            errback=self.home_failed,
            dont_filter=True,
        )

    def _probe(self, url: str, kind: str, found_in: str, **meta: Any) -> scrapy.Request:
        callback = self.parse_feed if kind == "feed" else self.parse_sitemap
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.probe_failed,
            meta={"found_in": found_in, **meta},
        )

    def _robots_sitemaps(self, response: Response | None) -> list[str]:
        """The Sitemap: lines of robots.txt, of the start host and of where it redirected."""
        answers = robots_answers(self.crawler)
        hosts = [urlsplit(self.draft.base_url).netloc]
        if response is not None:
            hosts.append(urlsplit(response.url).netloc)
        named = [u for host in hosts for u in answers.get(host, {}).get("sitemaps", [])]
        return [u for u in dict.fromkeys(named) if self._own(u)]

    def home_failed(self, failure: Any) -> Any:
        self.logger.warning("homepage %s: %s", self.draft.start_url, failure.value)
        yield from self._discovery_requests(feeds=[], response=None)

    def parse_home(self, response: Response) -> Any:
        feeds: list[str] = []
        if isinstance(response, TextResponse) and response.status == 200:
            final = urlsplit(response.url)
            if (
                self._own(response.url)
                and f"{final.scheme}://{final.netloc}" != self.draft.base_url
            ):
                # exemple.sn -> https://www.exemple.sn: the site file names the final origin
                self.draft.base_url = f"{final.scheme}://{final.netloc}"
            for link in response.css("link[rel~=alternate][href]"):
                kind = (link.attrib.get("type") or "").lower()
                if kind in FEED_TYPES and "comment" not in link.attrib["href"].lower():
                    feeds.append(response.urljoin(link.attrib["href"]))
            title = response.css('meta[property="og:site_name"]::attr(content)').get()
            if title and self.draft.name == self.draft.key:
                self.draft.name = " ".join(title.split())[:200]
        yield from self._discovery_requests(feeds=feeds, response=response)

    def _discovery_requests(self, feeds: list[str], response: Response | None) -> Any:
        for url in dict.fromkeys(u for u in feeds if self._own(u)):
            yield self._probe(url, "feed", "<link rel=alternate> of the homepage")
        if not feeds:
            for path in COMMON_FEED_PATHS:
                yield self._probe(urljoin(self.draft.base_url, path), "feed", "common feed path")
        named = self._robots_sitemaps(response)
        for url in named:
            yield self._probe(url, "sitemap", "Sitemap: line of robots.txt")
        if not named:
            for path in COMMON_SITEMAP_PATHS:
                yield self._probe(
                    urljoin(self.draft.base_url, path), "sitemap", "common sitemap path"
                )
        if isinstance(response, TextResponse) and response.status == 200:
            yield from self._section_pages(response)

    def _section_pages(self, response: TextResponse) -> Any:
        """Links of the homepage to one-segment sections (`/actualite/`): listing candidates."""
        seen = 0
        for href in response.css("a[href]::attr(href)").getall():
            url = response.urljoin(href)
            parts = urlsplit(url)
            depth = len([s for s in parts.path.split("/") if s])
            if self._own(url) and depth == 1 and not parts.query and seen < MAX_SECTION_PAGES:
                seen += 1
                yield scrapy.Request(url, callback=self.parse_listing, errback=self.probe_failed)

    def parse_feed(self, response: Response) -> None:
        if response.status != 200 or not is_feed(response.body):
            return
        try:
            links = parse_feed(response.body, response.url)
        except DiscoveryError:
            return
        owned = [link.url for link in links if self._own(link.url)]
        if owned and response.url not in self.draft.feeds:
            self.draft.feeds.append(response.url)
            self.draft.sources_seen.append(f"{response.url}: {response.meta['found_in']}")
            for url in owned:
                self.article_urls.setdefault(canonicalize_url(url), "feed")

    def parse_sitemap(self, response: Response) -> Any:
        if response.status != 200:
            return
        try:
            document = parse_sitemap(response.body, response.url)
        except DiscoveryError:
            return
        if document.kind == "index":
            children = [link for link in document.links if self._own(link.url)]
            news = [c for c in children if "news" in c.url.lower()]
            newest = sorted(children, key=lambda c: str(c.hints.get("lastmod") or ""))[::-1]
            for child in list(dict.fromkeys([*news, *newest]))[:MAX_CHILD_SITEMAPS]:
                yield self._probe(child.url, "sitemap", "child", index=response.url)
            if children and response.url not in self.draft.sitemaps:
                self.draft.sitemaps.append(response.url)
                self.draft.sources_seen.append(f"{response.url}: {response.meta['found_in']}")
            return
        if document.kind != "urlset":
            return
        owned = [link.url for link in document.links if self._own(link.url)]
        if not owned:
            return
        if "index" not in response.meta and response.url not in self.draft.sitemaps:
            self.draft.sitemaps.append(response.url)
            self.draft.sources_seen.append(f"{response.url}: {response.meta['found_in']}")
        for url in owned:
            self.article_urls.setdefault(canonicalize_url(url), "sitemap")

    def parse_listing(self, response: Response) -> None:
        if not isinstance(response, TextResponse) or response.status != 200:
            return
        links, has_next = [], False
        for anchor in response.css("a[href]"):
            url = response.urljoin(anchor.attrib.get("href", ""))
            text = " ".join(anchor.css("::text").getall())
            if is_next_page_link(text, anchor.attrib.get("rel")):
                has_next = True
            elif self._own(url) and looks_like_article(url):
                links.append(canonicalize_url(url))
        if has_next or response.css('link[rel="next"]'):
            self.draft.listings.append(response.url)
            self.draft.sources_seen.append(f"{response.url}: section page with a next link")
            self.listing_links.extend(links)

    def probe_failed(self, failure: Any) -> None:
        self.logger.info("%s: %s", failure.request.url, failure.value)

    def idle(self) -> None:
        """End of discovery: infer the patterns, then fetch the sample (once)."""
        if self.phase != "discovery":
            return
        self.phase = "sampling"
        candidates = list(self.article_urls) or list(dict.fromkeys(self.listing_links))
        self.draft.candidates = len(candidates)
        self.draft.article_url = infer_article_patterns(candidates)
        if not candidates:
            return
        site = self._draft_site()
        matching = [u for u in candidates if site.is_article_url(u)]
        chosen = random.Random(0).sample(matching, min(self.samples, len(matching)))
        for url in chosen:
            request = scrapy.Request(url, callback=self.parse_sample, errback=self.sample_failed)
            self.crawler.engine.crawl(request)
        if chosen:
            raise DontCloseSpider

    def _draft_site(self) -> SiteConfig:
        return SiteConfig(
            key=self.draft.key,
            name=self.draft.name,
            country=self.draft.country,
            timezone=self.draft.timezone or "Europe/Paris",
            base_url=self.draft.base_url,
            domains=(self.host,),
            article_url=tuple(self.draft.article_url),
        )

    def parse_sample(self, response: Response) -> None:
        html = response.text if isinstance(response, TextResponse) else ""
        job = PageJob(
            url=response.request.url if response.request else response.url,
            final_url=response.url,
            html=html,
            site=self._draft_site(),
            fetched_at=datetime.now(UTC),
            status=response.status,
            min_words=self.min_words,
        )
        from crawler.process.chain import process_page  # the extraction libraries, lazily

        result = process_page(job)
        if isinstance(result, Rejected):
            self.draft.shares.add(None, result.reason)
        else:
            self.draft.shares.add(result, None)

    def sample_failed(self, failure: Any) -> None:
        self.draft.shares.add(None, f"fetch failed ({type(failure.value).__name__})")
