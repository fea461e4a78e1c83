"""Page: one parse per page, and what several finders read computed once (counted, not timed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import crawler.fields.page
import crawler.process.extract
from crawler.fields.html import parse_html
from crawler.fields.page import Page
from crawler.fields.tags import find_tag_candidates
from crawler.fields.titles import find_title_candidates
from crawler.process.extract import extract_page

ARTICLE = """<!DOCTYPE html><html lang="fr"><head>
<title>Le budget adopté - Le Journal</title>
<meta property="og:title" content="Le budget adopté">
<link rel="canonical" href="https://journal.example/budget-adopte">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Le budget adopté",
 "datePublished": "2024-10-28T09:00:00+01:00", "author": {"@type": "Person",
 "name": "Jean Dupont"}, "keywords": "budget, Assemblée"}</script>
</head><body><!-- a comment --><article><h1>Le budget adopté</h1>
<p class="byline">Par Jean Dupont</p>
<p>Le budget a été adopté mardi par l'Assemblée nationale après trois semaines de débats
souvent vifs entre la majorité et les oppositions, qui promettent un recours.</p>
<p>Le texte prévoit une hausse des crédits de l'éducation et de la santé, financée par une
contribution exceptionnelle des grandes entreprises pendant deux ans.</p>
<p>Les sénateurs l'examineront à partir du mois prochain, avec un vote attendu avant la fin
de l'année, a indiqué le gouvernement dans un communiqué publié mardi soir.</p>
</article></body></html>"""


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    calls = [0]
    original: Callable[..., Any] = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_extract_page_parses_the_html_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parses = _counting(monkeypatch, crawler.fields.page, "parse_html")
    trafilatura_parses = _counting(monkeypatch, crawler.process.extract, "load_html")
    raw = extract_page(ARTICLE, "https://journal.example/budget-adopte")
    assert parses[0] == 1
    assert trafilatura_parses[0] == 0  # trafilatura reads a copy of the page's tree
    assert any("adopté mardi" in line for line in raw.body_lines)
    assert raw.title_candidates["jsonld"] == "Le budget adopté"


def test_extract_page_reads_the_json_ld_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _counting(monkeypatch, crawler.fields.page, "json_ld_objects")
    raw = extract_page(ARTICLE, "https://journal.example/budget-adopte")
    assert reads[0] == 1
    assert "Jean Dupont" in raw.author_candidates
    assert any(c.source == "jsonld" for c in raw.date_candidates)


def test_body_rules_leave_the_finders_tree_unchanged() -> None:
    page = Page.parse(ARTICLE, "https://journal.example/budget-adopte")
    before = [element.tag for element in page.tree.iter()]
    crawler.process.extract.extract_body_lines(ARTICLE, page.url, page=page)
    assert [element.tag for element in page.tree.iter()] == before


def test_a_page_without_a_full_document_is_parsed_by_trafilatura(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fragment = ARTICLE.split("<body>", 1)[1].split("</body>", 1)[0]
    trafilatura_parses = _counting(monkeypatch, crawler.process.extract, "load_html")
    extract_page(fragment, "https://journal.example/budget-adopte")
    assert trafilatura_parses[0] >= 1


def test_cached_properties_are_computed_once() -> None:
    page = Page.parse(ARTICLE)
    assert page.json_ld_articles is page.json_ld_articles
    assert page.headline is not None and page.headline.tag == "h1"
    assert page.host == "journal.example"
    assert page.meta_contents("OG:TITLE") == ["Le budget adopté"]


def test_once_runs_a_function_once_per_page_and_hands_out_copies() -> None:
    page = Page.parse(ARTICLE)
    runs = [0]

    def headings(of: Page) -> list[str]:
        runs[0] += 1
        return [h.text or "" for h in of.tree.iter("h1")]

    first = page.once(headings)
    first.append("changed by a caller")
    assert page.once(headings) == ["Le budget adopté"]
    assert runs[0] == 1
    assert Page.parse(ARTICLE).once(headings) == ["Le budget adopté"]  # another page: again
    assert runs[0] == 2


def test_finders_take_a_tree_or_a_page_alike() -> None:
    tree = parse_html(ARTICLE)
    page = Page(tree)
    assert Page.of(page) is page
    assert find_title_candidates(tree) == find_title_candidates(page)
    assert find_tag_candidates(tree) == find_tag_candidates(page)
