"""Finding the SiteConfig an item belongs to, from the running spider."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.sites import SiteConfig


def site_config(crawler: Crawler, key: str, url: str) -> SiteConfig:
    """The spider's configured site with this key, else generic rules for the URL's domain."""
    for site in getattr(crawler.spider, "sites", []) or []:
        if site.key == key:
            return site
    return SiteConfig.for_unknown_domain(url)
