"""One test for every site file: it loads, and its fixture pages give their expected fields.

Adding a site = `settings/sites/<key>.toml` + `tests/fixtures/sites/<key>/site/...` pages +
`tests/fixtures/sites/<key>/expected.json` (same format as the demo's), written by a person.
A catalogue file that sets no selector runs the generic rules only (tested by their own
tables); it needs a fixture once it gets a selector. tests/test_catalogue.py loads them all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from w3lib.encoding import html_to_unicode

from crawler.items import Article
from crawler.process.chain import PageJob, process_page
from crawler.sites import load_site_file

ROOT = Path(__file__).resolve().parents[1]
SITE_FILES = sorted((ROOT / "settings" / "sites").glob("*.toml"))
FETCHED = datetime(2024, 11, 6, 9, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:8765"


def _has_selectors(site_file: Path) -> bool:
    site = load_site_file(site_file)
    return site.selectors != type(site.selectors)()


def cases():
    for site_file in SITE_FILES:
        expected_file = ROOT / "tests" / "fixtures" / "sites" / site_file.stem / "expected.json"
        if not expected_file.exists():
            if not _has_selectors(site_file):
                continue
            yield pytest.param(site_file, None, None, id=f"{site_file.stem}-missing-fixture")
            continue
        articles = json.loads(expected_file.read_text(encoding="utf-8"))["articles"]
        for path, expected in articles.items():
            yield pytest.param(site_file, path, expected, id=f"{site_file.stem}:{path}")


@pytest.mark.parametrize(("site_file", "path", "expected"), list(cases()))
def test_site_fixture(site_file: Path, path: str | None, expected: dict | None) -> None:
    assert path is not None and expected is not None, f"{site_file.name} has no fixture pages"
    site = load_site_file(site_file).rebased(BASE)
    root = ROOT / "tests" / "fixtures" / "sites" / site_file.stem / "site"
    page = root / path.lstrip("/")
    if path.endswith("/"):
        page = page / "index.html"
    _, html = html_to_unicode(None, page.read_bytes())
    html = html.replace("{{BASE}}", BASE)
    url = BASE + path
    article = process_page(
        PageJob(url=url, final_url=url, html=html, site=site, fetched_at=FETCHED)
    )
    assert isinstance(article, Article), f"rejected: {article}"
    language = article.language

    published = None
    if article.published is not None:
        published = (
            article.published.value.date().isoformat()
            if article.published.precision == "day"
            else article.published.value.isoformat()
        )
    paragraphs = article.body.split("\n\n")
    assert article.title == expected["title"]
    assert published == expected["published"]
    assert article.read_count == expected["read_count"]
    assert [t.label for t in article.tags] == expected["tags"]
    assert sorted(article.agency_codes) == sorted(expected["agencies"])
    assert article.authors == expected["authors"]
    assert article.section == expected["section"]
    assert language == expected["language"]
    assert paragraphs[0] == expected["body_first"]
    assert paragraphs[-1] == expected["body_last"]
    assert len(paragraphs) == expected["paragraphs"]
    for boilerplate in expected["not_in_body"]:
        assert boilerplate not in article.body
