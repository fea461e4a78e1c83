"""`scrapy gensite URL`: the pure half. URL patterns from sample article URLs, field shares from
pipeline outcomes, and the commented site file; the spider (crawler/spiders/gensite.py) fetches.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler.items import Article
from crawler.sites import KEY_RE, parse_site

# Tried when the homepage names no feed / robots.txt names no sitemap (few, to stay polite).
COMMON_FEED_PATHS = ("/feed/", "/rss.xml", "/rss", "/feed.xml", "/atom.xml")
COMMON_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap-news.xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
EXTENSION = re.compile(r"\.(html?|php|aspx?|shtml|cms)$")
MAX_PATTERNS = 5
# A candidate in a listing page (no feed, no sitemap) looks like an article: a long slug.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){3,}", re.IGNORECASE)
FIELDS = (
    "title",
    "body",
    "published",
    "authors",
    "tags",
    "section",
    "description",
    "read_count",
    "agencies",
)


def _token(segment: str) -> str:
    if segment.isdigit():
        return rf"\d{{{len(segment)}}}" if len(segment) in (2, 4) else r"\d+"
    found = EXTENSION.search(segment)
    return r"[^/]+" + (re.escape(found.group(0)) if found else "")


def _segments(url: str) -> tuple[list[str], bool, bool]:
    parts = urlsplit(url)
    path = parts.path or "/"
    return [s for s in path.split("/") if s], path.endswith("/"), bool(parts.query)


def infer_article_patterns(urls: Iterable[str], limit: int = MAX_PATTERNS) -> list[str]:
    """Anchored, linear-time regexes over the path that cover the given article URLs.

    URLs are grouped by depth and shape; in a group, a segment that has the same non-numeric
    value in every URL of the group stays literal (`/actualite/`), digits become `\\d{4}` /
    `\\d{2}` / `\\d+`, anything else `[^/]+` (keeping an extension such as `.html`). Groups of a
    single URL are dropped unless nothing else is left; at most `limit` patterns, widest first.
    """
    groups: dict[tuple[int, bool, str], list[tuple[list[str], bool]]] = {}
    for url in urls:
        segments, slash, query = _segments(url)
        if not segments:
            continue
        found = EXTENSION.search(segments[-1])
        key = (len(segments), slash, found.group(0) if found else "")
        groups.setdefault(key, []).append((segments, query))
    counted: Counter[str] = Counter()
    for (depth, slash, _), members in groups.items():
        tokens = []
        for position in range(depth):
            values = Counter(segments[position] for segments, _ in members)
            value, seen = values.most_common(1)[0]
            literal = not value.isdigit() and seen == len(members) and position < depth - 1
            tokens.append(re.escape(value) if literal else _token(value))
        tail = "/" if slash else ""
        end = r"(?:\?|$)" if any(query for _, query in members) else "$"
        pattern = "^/" + "/".join(tokens) + tail + end
        compiled = re.compile(pattern)
        counted[pattern] += sum(
            1 for segments, _ in members if compiled.search("/" + "/".join(segments) + tail)
        )
    ranked = [p for p, n in counted.most_common() if n > 1] or [p for p, _ in counted.most_common()]
    return ranked[:limit]


def looks_like_article(url: str) -> bool:
    """For listing pages only (feeds and sitemaps list articles): a long slug or a date path."""
    path = urlsplit(url).path
    return bool(SLUG.search(path) or re.search(r"/\d{4}/\d{2}/", path))


@dataclass
class Shares:
    """What share of the sampled pages gave each field."""

    sampled: int = 0
    articles: int = 0
    found: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)

    def add(self, article: Article | None, reason: str | None) -> None:
        self.sampled += 1
        if article is None:
            self.rejections[reason or "unknown"] += 1
            return
        self.articles += 1
        for name in FIELDS:
            value = getattr(article, name)
            if value not in (None, "", []):
                self.found[name] += 1

    def lines(self) -> list[str]:
        if not self.sampled:
            return ["no article sampled"]
        lines = [f"{self.articles} of {self.sampled} sampled pages stored as articles"]
        lines += [
            f"{name:<12} {100 * self.found[name] / self.sampled:5.0f} %  "
            f"({self.found[name]} of {self.sampled})"
            for name in FIELDS
        ]
        lines += [f"rejected as {reason}: {n}" for reason, n in self.rejections.most_common()]
        return lines


@dataclass
class Draft:
    """What discovery found, ready to be written as a site file."""

    start_url: str
    name: str
    key: str
    base_url: str
    country: str | None = None
    timezone: str | None = None
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    article_url: list[str] = field(default_factory=list)
    sources_seen: list[str] = field(default_factory=list)  # where each URL was found
    candidates: int = 0
    shares: Shares = field(default_factory=Shares)


def site_key_for(url: str) -> str:
    host = (urlsplit(url).hostname or "site").lower().removeprefix("www.")
    key = re.sub(r"[^a-z0-9]+", "-", host.rsplit(".", 1)[0]).strip("-")
    return key if KEY_RE.match(key) else "site"


def _relative(url: str, base_url: str) -> str:
    return url[len(base_url) :] or "/" if url.startswith(base_url + "/") else url


def _toml_str(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: list[str], literal: bool = False) -> str:
    """Patterns as literal strings (no escaping of backslashes) unless they hold a quote."""
    quote = (lambda v: "'" + v + "'" if "'" not in v else _toml_str(v)) if literal else _toml_str
    if not values:
        return "[]"
    return "[\n" + "".join(f"    {quote(v)},\n" for v in values) + "]"


def render_site_file(draft: Draft) -> str:
    """The commented TOML; `parse_site` must accept it as it is (checked before writing)."""
    rel = [_relative(u, draft.base_url) for u in draft.feeds]
    maps = [_relative(u, draft.base_url) for u in draft.sitemaps]
    lists = [_relative(u, draft.base_url) for u in draft.listings]
    lines = [
        f"# Written by `scrapy gensite {draft.start_url}`: check it, then run",
        f"# `scrapy sites --check {draft.key}` and a first crawl, `scrapy crawl site -a "
        f"site={draft.key}`.",
        "# Where the start URLs were found:",
        *(f"#   {seen}" for seen in draft.sources_seen),
        f"name = {_toml_str(draft.name)}",
    ]
    if draft.country:
        lines.append(f"country = {_toml_str(draft.country)}")
    else:
        lines.append(
            '# country = "SN"   # ISO 3166 code of the outlet (gives the country:xx group)'
        )
    if draft.timezone:
        lines.append(f"timezone = {_toml_str(draft.timezone)}")
    else:
        lines.append('# timezone = "Africa/Dakar"   # for dates written without an offset')
    lines += [
        'language = "fr"',
        f"base_url = {_toml_str(draft.base_url)}",
        '# groups = ["region:west-africa"]',
        "",
        "[discovery]",
        f"feeds = {_toml_list(rel)}",
        f"sitemaps = {_toml_list(maps)}",
    ]
    if lists:
        lines.append(f"listings = {_toml_list(lists)}")
    lines.append(
        f"# inferred from {draft.candidates} article URLs of the feeds, sitemaps and listings"
    )
    lines.append(f"article_url = {_toml_list(draft.article_url, literal=True)}")
    lines += ["", "# Fields the pipeline found on the sampled articles:"]
    lines += [f"#   {line}" for line in draft.shares.lines()]
    lines += [
        "# A field far below 100 % may need a selector; set one only after reading the markup:",
        "# [selectors]",
        '# date = ".article-date"',
        "",
    ]
    return "\n".join(lines)


def validate(text: str, key: str, path: Path) -> None:
    """Raise SiteConfigError (naming the field) if the written file would not load."""
    parse_site(key, tomllib.loads(text), path)
