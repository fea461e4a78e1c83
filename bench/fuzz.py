"""`make fuzz`: every text rule timed at 1x and 10x a hostile input; the worst growth per rule.

Each target is a field finder, normaliser or discovery parser fed a string made of one
repeated unit (separators, brackets, digits, agency credits, half-opened markup: the shapes
that make a backtracking regex or a per-separator scan go quadratic). A rule that is linear in
its input grows about 10x from 1x to 10x (less when a cap bounds what it reads); a quadratic
one about 100x. The figures go to docs/reliability.md.

    .venv/bin/python bench/fuzz.py [--chars 2000] [--only NAME] [--limit 20]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from crawler import discovery
from crawler.fields import (
    agencies,
    authors,
    body,
    counters,
    dates,
    sections,
    tags,
    text,
    titles,
    urls,
)
from crawler.fields.html import parse_html
from crawler.items import DateCandidate
from crawler.process.extract import extract_page, paragraphs_of
from crawler.sites import Selectors

FETCHED = datetime(2024, 6, 1, 12, tzinfo=UTC)
TZ = ZoneInfo("Africa/Dakar")

# Units repeated to build an input: each is a shape some rule treats specially.
UNITS = [
    " - AFP",
    "- x ",
    "a ( ",
    "(",
    "[",
    " ",
    "-",
    "- ",
    ".",
    ", ",
    "|",
    "x|",
    "1",
    "1 ",
    "12/",
    "1 234 ",
    "a",
    "A ",
    "Par A ",
    "le 12 ",
    "12 mars ",
    "Lu ",
    "&",
    "&#",
    "<",
    "<a ",
    "é",
    "’",
    "\u00a0",
    "@a ",
    "http://",
    "?a=1&",
    "%",
    "/",
    "#",
    "Ã©",
    "\x00",
    "<!DOCTYPE a ",
]


def _page(head: str = "", body_html: str = "", title: str = "Un titre") -> str:
    prose = "<p>" + "Le conseil des ministres a adopté mardi un projet de loi. " * 6 + "</p>"
    return (
        f"<html><head><title>{title}</title>{head}</head><body><article>"
        f"<h1>Un titre</h1>{prose * 3}{body_html}</article></body></html>"
    )


def _esc(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def _extract(html: str, options: Selectors | None = None) -> object:
    return extract_page(html, "http://exemple.sn/article.html", options)


def _feed(item_text: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss><channel><item><title>'
        + item_text
        + "</title><link>http://exemple.sn/a.html</link></item></channel></rss>"
    ).encode()


def _sitemap(loc_text: str) -> bytes:
    return (
        '<?xml version="1.0"?><urlset><url><loc>http://exemple.sn/'
        + loc_text
        + "</loc></url></urlset>"
    ).encode()


TARGETS: dict[str, Callable[[str], object]] = {
    # text
    "text.clean_text": text.clean_text,
    "text.word_count": text.word_count,
    "text.content_hash": lambda s: text.content_hash(s, s),
    # dates
    "dates.parse_date": lambda s: dates.parse_date(s, fetched_at=FETCHED, tz=TZ),
    "dates.dates_in_text": dates.dates_in_text,
    "dates.choose_dates": lambda s: dates.choose_dates(
        [DateCandidate(source="meta", raw=s)], fetched_at=FETCHED, tz=TZ
    ),
    # titles
    "titles.choose_title": lambda s: titles.choose_title(
        {"og": s, "html_title": s + " - Le Soleil", "h1": s}, "Le Soleil"
    ),
    "titles.strip_site_name": lambda s: titles.strip_site_name(
        s[: titles.MAX_TITLE_CHARS], "Le Soleil"
    ),
    "titles.site_key": titles.site_key,
    # authors, agencies
    "authors.parse_authors": lambda s: authors.parse_authors([s], "Le Soleil"),
    "agencies.split_agency_trailer": lambda s: agencies.split_agency_trailer(["Texte.", s]),
    "agencies.find_dateline_agencies": agencies.find_dateline_agencies,
    "agencies.agencies_in_byline": lambda s: agencies.agencies_in_byline([s]),
    "agencies.agency_code": agencies.agency_code,
    # tags, counters, urls
    "tags.normalise_tags": lambda s: tags.normalise_tags([s, s[:50]]),
    "sections.choose_section": lambda s: sections.choose_section([s]),
    "counters.parse_read_count": counters.parse_read_count,
    "urls.canonicalize_url": lambda s: urls.canonicalize_url("http://exemple.sn/" + s),
    "urls.choose_canonical_url": lambda s: urls.choose_canonical_url(
        "http://exemple.sn/a.html", ["http://exemple.sn/" + s]
    ),
    # body
    "body.clean_body": lambda s: body.clean_body(
        ["Un paragraphe de texte.", s, s], title="Un titre - x"
    ),
    "body.has_prose": lambda s: body.has_prose([s]),
    "body.merge_lead": lambda s: body.merge_lead([s, "Texte."], s),
    # whole pages, through the finders
    "page.title": lambda s: _extract(_page(title=_esc(s))),
    "page.meta": lambda s: _extract(
        _page(
            head="".join(
                f'<meta name="{n}" content="{_esc(s)}">'
                for n in ("author", "description", "keywords", "article:published_time")
            )
        )
    ),
    "page.jsonld": lambda s: _extract(
        _page(
            head='<script type="application/ld+json">'
            + json.dumps(
                {
                    "@type": "NewsArticle",
                    "headline": s,
                    "author": {"name": s},
                    "datePublished": s,
                    "keywords": s,
                }
            ).replace("<", "\\u003c")
            + "</script>"
        )
    ),
    "page.body_text": lambda s: _extract(
        _page(body_html=f"<p>{_esc(s)}</p><div class='byline'>{_esc(s)}</div>")
    ),
    "page.markup": lambda s: _extract(_page(body_html=s)),
    "page.selector": lambda s: paragraphs_of(
        parse_html(f"<div class='b'>{'<p>' + _esc(s[:8]) + '</p>' * (len(s) // 8)}</div>")
    ),
    "page.selected": lambda s: _extract(
        _page(body_html=f"<div class='b'>{_esc(s)}</div>"), Selectors(body="div.b")
    ),
    # discovery (runs in the Scrapy process)
    "discovery.sanitize_xml": lambda s: discovery.sanitize_xml(s.encode()),
    "discovery.parse_feed": lambda s: discovery.parse_feed(_feed(_esc(s)), "http://exemple.sn/"),
    "discovery.parse_feed_raw": lambda s: discovery.parse_feed(_feed(s), "http://exemple.sn/"),
    "discovery.parse_sitemap": lambda s: discovery.parse_sitemap(_sitemap(s), "http://exemple.sn/"),
}


def _time(function: Callable[[str], object], value: str, budget: float) -> float:
    """CPU seconds of one call (the best of a few when it is quick)."""
    best = float("inf")
    spent = 0.0
    for _ in range(5):
        start = time.process_time()
        with contextlib.suppress(Exception):
            function(value)
        elapsed = time.process_time() - start
        best = min(best, elapsed)
        spent += elapsed
        if spent > budget:
            break
    return best


def measure(name: str, chars: int) -> tuple[str, float, float, float]:
    """(worst unit, time at 1x, time at 10x, growth) for one target."""
    function = TARGETS[name]
    results = []
    for unit in UNITS:
        small = unit * max(1, chars // len(unit))
        big = unit * max(1, 10 * chars // len(unit))
        t1 = _time(function, small, 0.05)
        t10 = _time(function, big, 0.2)
        # growth over a floor: sub-millisecond timings are noise, not growth
        results.append((unit, t1, t10, t10 / max(t1, 0.001)))
    # the worst: the highest growth among the units that take measurable time at 10x
    worst = max(results, key=lambda r: (r[2] > 0.01, r[3] if r[2] > 0.01 else r[2]))
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=2000, help="size of the 1x input")
    parser.add_argument("--only", help="targets whose name contains this")
    parser.add_argument("--limit", type=float, default=20.0, help="fail above this growth")
    args = parser.parse_args()
    names = [n for n in TARGETS if not args.only or args.only in n]
    print(f"{'target':34} {'worst unit':>14} {'1x ms':>9} {'10x ms':>9} {'growth':>7}")
    failed = []
    for name in names:
        unit, t1, t10, growth = measure(name, args.chars)
        print(f"{name:34} {unit!r:>14} {t1 * 1000:9.1f} {t10 * 1000:9.1f} {growth:7.1f}")
        sys.stdout.flush()
        if growth > args.limit and t10 > 0.05:
            failed.append(name)
    print(f"input: {args.chars} chars at 1x, {10 * args.chars} at 10x")
    if failed:
        print("super-linear:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
