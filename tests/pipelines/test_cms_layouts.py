"""Held-out pages in layouts that are not the seed's: the real extract → normalise → language chain.

Each page of `tests/fixtures/pages/cms_layouts/` is an invented article written the way one CMS
or outlet type lays it out (Joomla, SPIP, Drupal, a Québec outlet, Swiss and Belgian outlets,
a WordPress news theme, site-name suffixes, mojibake, a relative date), and a second batch
(c12-c21) of traps for dates, titles and authors: later dates in sidebars and comments, an
update printed before the publication, naive JSON-LD times, a URL-only date, two h1s, a
section-label h1, a site-first <title>, desks and agencies in bylines, JSON-LD organisations
as authors. The expected values in `expected.json` were written by reading the pages, never
by running the code. The domain is unknown, so only the generic rules apply; a page's
`timezone` is what the outlet's site file would set (Europe/Paris when absent). `desks` is
checked only on the pages whose entry lists it.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from crawler.extraction import extract_page
from crawler.items import Article, ParsedDate
from crawler.sites import SiteConfig
from pipelines.language import detect_language
from pipelines.normalise import normalise_article

PAGES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "pages" / "cms_layouts"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (PAGES_DIR / "expected.json").read_text(encoding="utf-8")
)["pages"]
ORIGIN = "http://127.0.0.1:8765"  # the host only names the (unknown) site
FETCHED_AT = datetime(2024, 12, 2, 9, 0, tzinfo=UTC)
FIELDS = (
    "title",
    "published",
    "modified",
    "read_count",
    "tags",
    "section",
    "agencies",
    "authors",
    "desks",
    "language",
    "body_first",
    "body_last",
    "paragraphs",
    "must_contain",
    "not_in_body",
)

# (page, field) → why the rules still get it wrong; an entry makes that case a strict xfail.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def page_html(page: str) -> str:
    """The page as Scrapy decodes it (charset from the <meta>)."""
    body = (PAGES_DIR / EXPECTED[page]["file"]).read_bytes()
    body = body.replace(b"{{BASE}}", ORIGIN.encode("ascii"))
    response = HtmlResponse(
        url=ORIGIN + EXPECTED[page]["url"], body=body, headers={"Content-Type": "text/html"}
    )
    return response.text


def site_for(page: str, url: str) -> SiteConfig:
    site = SiteConfig.for_unknown_domain(url)
    zone = EXPECTED[page].get("timezone")
    return replace(site, timezone=zone) if zone else site


@cache
def observed(page: str) -> dict[str, Any]:
    """What the chain makes of one page, as comparable plain values."""
    url = ORIGIN + EXPECTED[page]["url"]
    raw = extract_page(page_html(page), url)
    article = Article(url=url, final_url=url, site="", fetched_at=FETCHED_AT, raw=raw)
    normalise_article(article, site_for(page, url), min_words=40)
    language, _ = detect_language(f"{article.title or ''}\n{article.body}", raw.html_lang)
    paragraphs = article.body.split("\n\n")
    published = article.published
    return {
        "title": article.title,
        "published": (_iso(published), published.precision) if published else None,
        "modified": _iso(article.modified) if article.modified else None,
        "read_count": article.read_count,
        "tags": [tag.label for tag in article.tags],
        "section": article.section,
        "agencies": article.agency_codes,
        "authors": article.authors,
        "desks": article.desks,
        "language": language,
        "body_first": paragraphs[0],
        "body_last": paragraphs[-1],
        "paragraphs": len(paragraphs),
        "must_contain": [s for s in EXPECTED[page]["must_contain"] if s not in article.body],
        "not_in_body": [s for s in EXPECTED[page]["not_in_body"] if s in article.body],
        "body": article.body,
    }


def _iso(date: ParsedDate) -> str:
    return date.value.date().isoformat() if date.precision == "day" else date.value.isoformat()


def wanted(page: str, field: str) -> Any:
    expected = EXPECTED[page]
    if field == "published":
        return (expected["published"], expected["published_precision"])
    if field in ("must_contain", "not_in_body"):
        return []  # every must_contain string is in the body, no not_in_body string is
    return expected[field]


def _cases() -> list[Any]:
    cases = []
    for page in EXPECTED:
        for field in FIELDS:
            if field == "desks" and "desks" not in EXPECTED[page]:
                continue
            reason = KNOWN_FAILURES.get((page, field))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(page, field, marks=marks, id=f"{page}-{field}"))
    return cases


def test_expected_file_matches_the_fixture_folder() -> None:
    files = {p.name for p in PAGES_DIR.glob("*.html")}
    assert files == {e["file"] for e in EXPECTED.values()}
    assert 8 <= len(EXPECTED) <= 24
    for page, expected in EXPECTED.items():
        # the URL is the file, possibly under a dated path (/2024/03/12/file.html)
        assert re.fullmatch(
            r"(?:/\d{4}/\d{2}/\d{2})?/" + re.escape(expected["file"]), expected["url"]
        )
        assert expected["paragraphs"] >= 4, page


@pytest.mark.parametrize(("page", "field"), _cases())
def test_cms_layout_field(page: str, field: str) -> None:
    got = observed(page)
    assert got[field] == wanted(page, field), f"{page} {field}\n--- body ---\n{got['body']}"
