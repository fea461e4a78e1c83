"""The seed's layout in many CMS markups: the real extract → normalise → language chain.

Each page of `tests/fixtures/pages/seed_variants/` is the seed article's layout (title, a date
and read-counter line, a drop cap, paragraphs, an agency credit, a tags line, a "Fil d'info"
block) written the way another CMS would write it. The expected values in `expected.json` were
written by reading the pages. The domain is unknown, so only the generic rules apply.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from crawler.extraction import extract_page
from crawler.items import Article
from crawler.sites import SiteConfig
from pipelines.language import detect_language
from pipelines.normalise import normalise_article

VARIANTS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "pages" / "seed_variants"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (VARIANTS_DIR / "expected.json").read_text(encoding="utf-8")
)["variants"]
ORIGIN = "http://127.0.0.1:8765"  # the host only names the (unknown) site
FETCHED_AT = datetime(2024, 12, 2, 9, 0, tzinfo=UTC)
FIELDS = (
    "title",
    "published",
    "read_count",
    "tags",
    "agencies",
    "authors",
    "language",
    "body_first",
    "body_last",
    "paragraphs",
    "not_in_body",
)

# (variant, field) → why it still fails; the fix belongs to a file this suite does not own.
# (variant, field) → why it still fails; the fix belongs to a file this suite does not own.
_JOOMLA_HEADER = (
    "body.py/extraction.py: trafilatura returns the <br>-separated text first, then the title "
    "and the Joomla <dl class=article-info> lines ('- Détails', '- Publication : dimanche 3 mars "
    "2024 10:47'); a title repeat is only dropped in the head and 'Publication' is no metadata "
    "label"
)
_LISTING_AFTER_BODY = (
    "body.py/extraction.py: the 'Fil d'info' box (<div class=encadre-titre> + <p>s of link and "
    "date) is kept by trafilatura without its heading, so the teaser lines stay in the body and "
    "push '(MAP)' out of the agency trailer window"
)
# (variant, field) → why the rules still get it wrong; an entry makes that case a strict xfail.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def page_html(variant: str) -> str:
    """The page as Scrapy decodes it (charset from the <meta>, as served without one)."""
    body = (VARIANTS_DIR / EXPECTED[variant]["file"]).read_bytes()
    body = body.replace(b"{{BASE}}", ORIGIN.encode("ascii"))
    response = HtmlResponse(
        url=ORIGIN + EXPECTED[variant]["url"],
        body=body,
        headers={"Content-Type": "text/html"},
    )
    return response.text


@cache
def observed(variant: str) -> dict[str, Any]:
    """What the chain makes of one variant, as comparable plain values."""
    url = ORIGIN + EXPECTED[variant]["url"]
    raw = extract_page(page_html(variant), url)
    article = Article(url=url, final_url=url, site="", fetched_at=FETCHED_AT, raw=raw)
    normalise_article(article, SiteConfig.for_unknown_domain(url), min_words=40)
    language, _ = detect_language(f"{article.title or ''}\n{article.body}", raw.html_lang)
    paragraphs = article.body.split("\n\n")
    published = article.published
    return {
        "title": article.title,
        "published": (
            (_iso(published.value, published.precision), published.precision) if published else None
        ),
        "read_count": article.read_count,
        "tags": [tag.label for tag in article.tags],
        "agencies": article.agency_codes,
        "authors": article.authors,
        "language": language,
        "body_first": paragraphs[0],
        "body_last": paragraphs[-1],
        "paragraphs": len(paragraphs),
        "not_in_body": [s for s in EXPECTED[variant]["not_in_body"] if s in article.body],
        "body": article.body,
    }


def _iso(value: datetime, precision: str) -> str:
    return value.date().isoformat() if precision == "day" else value.isoformat()


def wanted(variant: str, field: str) -> Any:
    expected = EXPECTED[variant]
    if field == "published":
        return (expected["published"], expected["published_precision"])
    if field == "not_in_body":
        return []  # none of the listed strings may be left in the body
    return expected[field]


def _cases() -> list[Any]:
    cases = []
    for variant in EXPECTED:
        for field in FIELDS:
            reason = KNOWN_FAILURES.get((variant, field))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(variant, field, marks=marks, id=f"{variant}-{field}"))
    return cases


def test_expected_file_matches_the_fixture_folder() -> None:
    files = {p.name for p in VARIANTS_DIR.glob("*.html")}
    assert files == {e["file"] for e in EXPECTED.values()}
    assert 8 <= len(EXPECTED) <= 12
    for variant, expected in EXPECTED.items():
        assert expected["url"] == "/" + expected["file"], variant
        assert expected["paragraphs"] >= 4, variant


@pytest.mark.parametrize(("variant", "field"), _cases())
def test_seed_variant_field(variant: str, field: str) -> None:
    got = observed(variant)
    assert got[field] == wanted(variant, field), f"{variant} {field}\n--- body ---\n{got['body']}"
