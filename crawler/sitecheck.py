"""`scrapy sites --check`: what each source of a site answered, and whether the site is broken.

A site file goes stale quietly: a feed moves, a sitemap starts answering 403, robots.txt starts
answering 503 (which disallows the whole host, RFC 9309). The check fetches robots.txt and every
feed, sitemap and first listing page once, through the crawl's own downloader (robots.txt,
politeness and the private-address guard apply), and judges each source here, in pure code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from crawler.discovery import Link
from crawler.fields.dates import parse_date
from crawler.items import ParsedDate
from crawler.sites import SiteConfig

DATE_HINTS = ("feed_published", "sitemap_published", "lastmod")
# Dates parsed per source for its newest date: enough for any feed or news sitemap; a 50,000
# URL archive sitemap is read for its count, and its first dates.
MAX_DATES = 5000


@dataclass
class SourceResult:
    """One feed, sitemap or listing page as the check saw it."""

    url: str
    kind: str  # feed | sitemap | listing
    status: int | None = None
    error: str | None = None
    parses: bool = False
    links: int = 0  # URLs it lists, articles or not
    article_urls: int = 0  # of those, the site's own article URLs (site file patterns)
    newest: str | None = None  # ISO 8601, UTC
    via: str | None = None  # a sitemap index: the child sitemap read for the counts

    def problem(self) -> str | None:
        """Why this source is broken, or None."""
        if self.error:
            return f"{self.kind} {self.url}: {self.error}"
        if self.status != 200:
            return f"{self.kind} {self.url}: HTTP {self.status}"
        if not self.parses:
            return f"{self.kind} {self.url}: not a readable {self.kind}"
        if not self.article_urls:
            return f"{self.kind} {self.url}: lists no article URL"
        return None


@dataclass
class SiteReport:
    key: str
    sources: list[SourceResult] = field(default_factory=list)
    robots: dict[str, dict[str, Any]] = field(default_factory=dict)  # by host

    def problems(self) -> list[str]:
        found = [
            f"robots.txt of {host}: {why}"
            for host, answer in sorted(self.robots.items())
            if (why := robots_problem(answer))
        ]
        found += [p for source in self.sources if (p := source.problem())]
        return found

    @property
    def ok(self) -> bool:
        return not self.problems()

    def as_json(self) -> dict[str, Any]:
        return {"robots": self.robots, "sources": [asdict(s) for s in self.sources]}


def robots_problem(answer: dict[str, Any]) -> str | None:
    """A robots.txt that disallows the whole host (5xx, 429, unreachable); 4xx means no rules."""
    if "error" in answer:
        return str(answer["error"])
    status = answer.get("status")
    if isinstance(status, int) and (status >= 500 or status == 429):
        return f"HTTP {status} (the host is disallowed, RFC 9309)"
    return None


def count_links(result: SourceResult, links: Iterable[Link], site: SiteConfig) -> None:
    """Fill in how many URLs a source lists, how many are articles, and its newest date."""
    now = datetime.now(UTC)
    newest: datetime | None = None
    dated = 0
    for link in links:
        result.links += 1
        if site.owns(link.url) and site.is_article_url(link.url):
            result.article_urls += 1
        if dated >= MAX_DATES:
            continue
        raw = next((str(link.hints[k]) for k in DATE_HINTS if link.hints.get(k)), None)
        if raw is None:
            continue
        dated += 1
        moment = _instant(raw, now, site)
        if moment is not None and moment <= now and (newest is None or moment > newest):
            newest = moment
    if newest is not None:
        result.newest = newest.isoformat()


def _instant(raw: str, now: datetime, site: SiteConfig) -> datetime | None:
    try:  # sitemaps write W3C datetimes: the fast path
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=site.tz)
    except ValueError:
        parsed = parse_date(raw, fetched_at=now, tz=site.tz)
        return parsed.value if isinstance(parsed, ParsedDate) else None


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def format_report(reports: list[SiteReport]) -> str:
    """The table printed by `scrapy sites --check`: one line per source, then the verdict."""
    lines: list[str] = []
    for report in reports:
        verdict = "ok" if report.ok else "BROKEN"
        lines.append(f"{report.key}: {verdict}")
        for host, answer in sorted(report.robots.items()):
            state = answer.get("error") or f"HTTP {answer.get('status')}"
            extra = f", Crawl-delay {answer['crawl_delay']:g}" if answer.get("crawl_delay") else ""
            lines.append(f"  robots.txt {host}: {state}{extra}")
        for s in report.sources:
            state = s.error or f"HTTP {s.status}"
            parses = "parses" if s.parses else "does not parse"
            newest = s.newest or "no date"
            via = f" (read {s.via})" if s.via else ""
            lines.append(
                f"  {s.kind:<7} {s.url}: {state}, {parses}, {s.article_urls} article URLs"
                f" of {s.links}, newest {newest}{via}"
            )
        lines.extend(f"  ! {problem}" for problem in report.problems())
    return "\n".join(lines)
