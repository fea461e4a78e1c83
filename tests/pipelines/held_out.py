"""A folder of hand-written pages and their expected fields, run through the real chain.

Shared by the held-out suites (`test_seed_variants.py`, `test_cms_layouts.py`): each page goes
through `process_page` as in a crawl, with the generic rules only
(the domain is unknown), and compared field by field with `expected.json`, whose values were
written by reading the pages. A field an entry does not list is not checked on that page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from crawler.items import Article, ParsedDate
from crawler.process.chain import PageJob, process_page
from crawler.sites import SiteConfig

ORIGIN = "http://127.0.0.1:8765"  # the host only names the (unknown) site
FETCHED_AT = datetime(2024, 12, 2, 9, 0, tzinfo=UTC)
# fields compared as lists of strings that must (not) be in the body: empty when all is well
BODY_CHECKS = ("must_contain", "not_in_body")


def _iso(date: ParsedDate) -> str:
    return date.value.date().isoformat() if date.precision == "day" else date.value.isoformat()


@dataclass
class HeldOutPages:
    folder: Path
    entries_key: str  # the expected.json member holding the pages
    fields: tuple[str, ...]
    # (page, field) → why the rules still get it wrong; an entry makes that case a strict xfail
    known_failures: dict[tuple[str, str], str]
    optional: tuple[str, ...] = ()  # fields checked only on the pages whose entry lists them
    _observed: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def expected(self) -> dict[str, dict[str, Any]]:
        document = json.loads((self.folder / "expected.json").read_text(encoding="utf-8"))
        pages: dict[str, dict[str, Any]] = document[self.entries_key]
        return pages

    def html(self, page: str) -> str:
        """The page as Scrapy decodes it (charset from the <meta>, as served without one)."""
        body = (self.folder / self.expected[page]["file"]).read_bytes()
        body = body.replace(b"{{BASE}}", ORIGIN.encode("ascii"))
        response = HtmlResponse(
            url=ORIGIN + self.expected[page]["url"],
            body=body,
            headers={"Content-Type": "text/html"},
        )
        return response.text

    def site(self, page: str, url: str) -> SiteConfig:
        """Generic rules, in the zone the outlet's site file would set (if the entry says)."""
        site = SiteConfig.for_unknown_domain(url)
        zone = self.expected[page].get("timezone")
        return replace(site, timezone=zone) if zone else site

    def observed(self, page: str) -> dict[str, Any]:
        """What the chain makes of one page, as comparable plain values (computed once)."""
        if page not in self._observed:
            self._observed[page] = self._observe(page)
        return self._observed[page]

    def _observe(self, page: str) -> dict[str, Any]:
        expected = self.expected[page]
        url = ORIGIN + expected["url"]
        job = PageJob(
            url=url,
            final_url=url,
            html=self.html(page),
            site=self.site(page, url),
            fetched_at=FETCHED_AT,
        )
        article = process_page(job)
        assert isinstance(article, Article), f"{page}: rejected, {article}"
        language = article.language
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
            # where each agency was found, for audit: "AFP:trailer", "AIP:dateline"
            "agency_where": [f"{m.code}:{m.where}" for m in article.agencies],
            # the dedup key, as a path when it stays on the (unknown) site
            "canonical_url": article.canonical_url.removeprefix(ORIGIN),
            "authors": article.authors,
            "desks": article.desks,
            "language": language,
            "body_first": paragraphs[0],
            "body_last": paragraphs[-1],
            "paragraphs": len(paragraphs),
            "must_contain": [s for s in expected.get("must_contain", []) if s not in article.body],
            "not_in_body": [s for s in expected.get("not_in_body", []) if s in article.body],
            "body": article.body,
        }

    def wanted(self, page: str, name: str) -> Any:
        expected = self.expected[page]
        if name == "published":
            return (expected["published"], expected["published_precision"])
        if name in BODY_CHECKS:
            return []  # every must_contain string is in the body, no not_in_body string is
        return expected[name]

    def cases(self) -> list[Any]:
        """(page, field) parameters: the fields each entry lists, known failures as xfails."""
        cases = []
        for page, expected in self.expected.items():
            for name in self.fields:
                if name in self.optional and name not in expected:
                    continue
                reason = self.known_failures.get((page, name))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                cases.append(pytest.param(page, name, marks=marks, id=f"{page}-{name}"))
        return cases

    def check(self, page: str, name: str) -> None:
        got = self.observed(page)
        assert got[name] == self.wanted(page, name), f"{page} {name}\n--- body ---\n{got['body']}"
