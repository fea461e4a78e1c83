"""The pure parts of `scrapy gensite` and `scrapy sites --check`: URL patterns, field shares,
the written file, and the verdict on each source. Tables of inputs written from the URLs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.discovery import Link
from crawler.gensite import (
    Draft,
    infer_article_patterns,
    looks_like_article,
    render_site_file,
    site_key_for,
    validate,
)
from crawler.sitecheck import SourceResult, count_links, robots_problem
from crawler.sites import SiteConfig, load_site_file


@pytest.mark.parametrize(
    ("urls", "patterns"),
    [
        (
            [
                f"https://exemple.sn/actualite/2025/06/{d:02d}/depeche-{d:04d}.html"
                for d in (1, 2, 28)
            ],
            [r"^/actualite/\d{4}/\d{2}/\d{2}/[^/]+\.html$"],
        ),
        (
            [
                "https://exemple.sn/2024/11/03/inondations-nos-villes/",
                "https://exemple.sn/2024/11/02/tunisie-chute-des-prix/",
            ],
            [r"^/\d{4}/\d{2}/\d{2}/[^/]+/$"],
        ),
        (  # sections differ: the section is not kept literal
            [
                "https://exemple.sn/politique/un-titre-long.html",
                "https://exemple.sn/economie/un-autre-titre.html",
                "https://exemple.sn/politique/encore-un-titre.html",
            ],
            [r"^/[^/]+/[^/]+\.html$"],
        ),
        (  # a lone page of another shape does not become a pattern
            [
                "https://exemple.sn/a-propos/",
                "https://exemple.sn/depeches/12345-accord-de-peche.html",
                "https://exemple.sn/depeches/12346-recolte-record.html",
            ],
            [r"^/depeches/[^/]+\.html$"],
        ),
        (
            ["https://exemple.sn/article.php?id=12", "https://exemple.sn/article.php?id=13"],
            [r"^/[^/]+\.php(?:\?|$)"],
        ),
        ([], []),
    ],
)
def test_article_patterns_cover_the_urls(urls, patterns):
    found = infer_article_patterns(urls)
    assert found == patterns
    site = SiteConfig(key="x", name="x", domains=("exemple.sn",), article_url=tuple(found))
    lone = {"https://exemple.sn/a-propos/"}
    assert all(site.is_article_url(u) for u in urls if u not in lone)


@pytest.mark.parametrize(
    ("url", "article"),
    [
        ("https://exemple.sn/politique/le-president-recoit-les-syndicats", True),
        ("https://exemple.sn/2024/11/un/", True),
        ("https://exemple.sn/politique/", False),
        ("https://exemple.sn/contact", False),
    ],
)
def test_listing_links_that_look_like_articles(url, article):
    assert looks_like_article(url) is article


def test_site_key_for_a_homepage():
    assert site_key_for("https://www.lesoleil.sn/") == "lesoleil"
    assert site_key_for("http://127.0.0.1:8000/") == "127-0-0"


def test_the_written_file_loads_as_it_is(tmp_path: Path):
    draft = Draft(
        start_url="https://exemple.sn/",
        name='Le "Fil"',
        key="exemple",
        base_url="https://exemple.sn",
        feeds=["https://exemple.sn/rss.xml"],
        sitemaps=["https://exemple.sn/sitemap.xml", "https://cdn.exemple.sn/news.xml"],
        article_url=[r"^/actualite/\d{4}/[^/]+\.html$"],
        sources_seen=["https://exemple.sn/rss.xml: common feed path"],
        candidates=3,
    )
    text = render_site_file(draft)
    validate(text, "exemple", tmp_path / "exemple.toml")
    (tmp_path / "exemple.toml").write_text(text, encoding="utf-8")
    site = load_site_file(tmp_path / "exemple.toml")
    assert site.feeds == ("https://exemple.sn/rss.xml",)
    assert site.sitemaps == ("https://exemple.sn/sitemap.xml", "https://cdn.exemple.sn/news.xml")
    assert site.article_url == (r"^/actualite/\d{4}/[^/]+\.html$",)
    assert site.timezone == "Europe/Paris" and "# timezone = " in text  # left for a person
    assert re.search(r"^# Written by `scrapy gensite https://exemple\.sn/`", text)


def test_source_verdicts_and_newest_date():
    site = SiteConfig(
        key="x",
        name="x",
        domains=("exemple.sn",),
        timezone="Africa/Dakar",
        article_url=(r"^/actualite/",),
    )
    links = [
        Link(
            "https://exemple.sn/actualite/a.html",
            {"feed_published": "Mon, 28 Oct 2024 10:00:00 GMT"},
        ),
        Link("https://exemple.sn/actualite/b.html", {"lastmod": "2024-10-29T08:30:00+00:00"}),
        Link("https://exemple.sn/actualite/c.html", {"lastmod": "2999-01-01"}),  # future: ignored
        Link("https://exemple.sn/tag/pluie", {}),
        Link("https://ailleurs.sn/actualite/d.html", {}),
    ]
    result = SourceResult(url="https://exemple.sn/rss.xml", kind="feed", status=200, parses=True)
    count_links(result, links, site)
    assert (result.links, result.article_urls) == (5, 3)
    assert result.newest == "2024-10-29T08:30:00+00:00"
    assert result.problem() is None
    assert SourceResult("u", "feed", status=200, parses=True).problem() == (
        "feed u: lists no article URL"
    )
    assert SourceResult("u", "sitemap", status=410).problem() == "sitemap u: HTTP 410"
    assert SourceResult("u", "feed", error="robots.txt unavailable (503)").problem() == (
        "feed u: robots.txt unavailable (503)"
    )


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"status": 200}, None),
        ({"status": 404}, None),  # no rules: everything allowed (RFC 9309)
        ({"status": 503}, "HTTP 503 (the host is disallowed, RFC 9309)"),
        ({"status": 429}, "HTTP 429 (the host is disallowed, RFC 9309)"),
        ({"error": "DNSLookupError: no such host"}, "DNSLookupError: no such host"),
    ],
)
def test_robots_verdicts(answer, problem):
    assert robots_problem(answer) == problem
