"""`scrapy crawl urls -a url=<u>` / `-a file=<path>`: fetch exactly those article URLs."""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from crawler.sites import SiteConfigError, load_sites, site_for_url
from crawler.spiders.base import ArticleSpider

MAX_LISTED_PROBLEMS = 5
MAX_LIST_BYTES = 256 * 1024 * 1024


def _is_http_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def read_url_list(url: str | None, file: str | None) -> list[str]:
    """The URLs of `-a url=` and `-a file=` (one a line; blank and `#` lines skipped), unique.

    Raises SiteConfigError naming every line that is not an http(s) URL (the first few), so a
    bad list stops the crawl before any request, like a bad site file. A file's lines are named
    by number, never quoted: `-a file=/etc/passwd` must not print that file.
    """
    entries: list[tuple[str, str]] = []  # (where, text)
    quoted: set[str] = set()  # where the text came from the command line itself
    if url:
        entries.append(("-a url", url.strip()))
        quoted.add("-a url")
    if file:
        path = Path(file)
        lines = _read_list(path)
        entries.extend((f"{path} line {n}", line.strip()) for n, line in enumerate(lines, 1))
    entries = [(where, text) for where, text in entries if text and not text.startswith("#")]
    if not entries:
        raise SiteConfigError("-a", "url", "give -a url=<URL> or -a file=<path>")
    bad = [
        f"{where}: {text[:200]!r}" if where in quoted else where
        for where, text in entries
        if not _is_http_url(text)
    ]
    if bad:
        extra = len(bad) - MAX_LISTED_PROBLEMS
        more = f" (and {extra} more)" if extra > 0 else ""
        raise SiteConfigError(
            "-a", "url", "not an http(s) URL: " + "; ".join(bad[:MAX_LISTED_PROBLEMS]) + more
        )
    return list(dict.fromkeys(text for _, text in entries))


def _read_list(path: Path) -> list[str]:
    """A URL list's lines: a regular UTF-8 file of at most MAX_LIST_BYTES."""
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # /dev/zero, a FIFO
                raise SiteConfigError(path, "file", "cannot read URL list: not a regular file")
            data = handle.read(MAX_LIST_BYTES + 1)
    except OSError as exc:
        raise SiteConfigError(path, "file", f"cannot read URL list: {exc.strerror}") from None
    if len(data) > MAX_LIST_BYTES:
        raise SiteConfigError(path, "file", f"larger than {MAX_LIST_BYTES} bytes")
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise SiteConfigError(
            path, "file", f"cannot read URL list: not UTF-8 text (byte {exc.start})"
        ) from None


class UrlsSpider(ArticleSpider):
    """No discovery: each given URL is fetched once as an article.

    A URL on a configured site's domain uses that site's rules; any other uses generic rules.
    """

    name = "urls"

    def __init__(self, url: str | None = None, file: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.start_list = read_url_list(url, file)
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
