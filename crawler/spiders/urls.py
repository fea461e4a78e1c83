"""`scrapy crawl urls -a url=<u>` / `-a file=<path>`: fetch exactly those article URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from crawler.sites import SiteConfigError, load_sites, site_for_url
from crawler.spiders.base import ArticleSpider


class UrlsSpider(ArticleSpider):
    """No discovery: each given URL is fetched once as an article.

    A URL on a configured site's domain uses that site's rules; any other uses generic rules.
    """

    name = "urls"

    def __init__(self, url: str | None = None, file: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        urls: list[str] = []
        if url:
            urls.append(url.strip())
        if file:
            path = Path(file)
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise SiteConfigError(path, "file", f"cannot read URL list: {exc}") from None
            urls.extend(line.strip() for line in lines)
        urls = [u for u in urls if u and not u.startswith("#")]
        if not urls:
            raise SiteConfigError("-a", "url", "give -a url=<URL> or -a file=<path>")
        for candidate in urls:
            if urlsplit(candidate).scheme not in ("http", "https"):
                raise SiteConfigError("-a", "url", f"not an http(s) URL: {candidate!r}")
        self.start_list = list(dict.fromkeys(urls))
        self.sites = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        sites_dir = Path(crawler.settings.get("SITES_DIR"))
        configured = load_sites(sites_dir, "all") if any(sites_dir.glob("*.toml")) else []
        spider.sites = [site_for_url(u, configured) for u in spider.start_list]
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for url, site in zip(self.start_list, self.sites, strict=True):
            yield self.article_request(url, site)
