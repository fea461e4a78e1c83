"""Hostile pages through `process_page`: the work grows linearly with the input.

Each case of issue 13 item 1 is built at 1x and at 10x and run through the worker's own
function. The CPU time of extraction and normalisation is compared: a linear rule takes about
10x as long (less when a cap bounds what it reads), a quadratic one about 100x. The bound
(20x, plus 50 ms for the timer's grain) leaves room for a loaded machine without letting a
quadratic rule through: each of these took 20 to 30 s at the issue's size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from crawler.process.chain import PageJob, process_page
from crawler.process.extract import shrink_inline_blocks
from crawler.sites import Selectors, SiteConfig

SITE = SiteConfig(key="hostile", name="Le Courrier du Fleuve", country="ML", domains=("ml",))
SELECTED = SiteConfig(
    key="hostile",
    name="Le Courrier du Fleuve",
    country="ML",
    domains=("ml",),
    selectors=Selectors(body="div.texte"),
)
PROSE = (
    "<p>Le gouvernement a présenté mardi à Bamako un plan de relance agricole destiné aux "
    "producteurs de coton de la région de Sikasso, durement touchés par la sécheresse.</p>"
)


def page(title: str = "Bamako lance un plan de relance agricole", head: str = "", tail: str = ""):
    return (
        f"<html lang='fr'><head><title>{title}</title>"
        f'<meta property="og:site_name" content="Le Courrier du Fleuve">{head}</head>'
        "<body><article>"
        f"<h1>Bamako lance un plan de relance agricole</h1>{PROSE * 4}{tail}"
        "</article></body></html>"
    )


def afp_trailer(n: int) -> tuple[str, SiteConfig]:
    return page(tail="<p>" + " - AFP" * n + "</p>"), SITE


def separator_title(n: int) -> tuple[str, SiteConfig]:
    return page(title="- x " * n), SITE


def parenthesised_author(n: int) -> tuple[str, SiteConfig]:
    return page(head='<meta name="author" content="(' + "a ( " * (4 * n) + '">'), SITE


def json_ld_list(n: int) -> tuple[str, SiteConfig]:
    # no object in it: the author finder's lenient reader walks the whole list again
    items = json.dumps([1] * (100 * n), separators=(",", ":"))  # under the 1 MB script cap
    script = f'<script type="application/ld+json">{items}</script>'
    return page(head=script), SITE


def selected_paragraphs(n: int) -> tuple[str, SiteConfig]:
    paragraphs = "<p>Le fleuve Niger est en crue à Mopti.</p>" * (5 * n)
    return page(tail=f"<div class='texte'>{PROSE}{paragraphs}</div>"), SELECTED


def cards_and_link_lines(n: int) -> tuple[str, SiteConfig]:
    # other stories' <article> cards with bylines and category links, and "À voir : <a>"
    # lines: the teaser-card, category-page and link-line rules each read them once
    card = (
        "<article class='card'><h3><a href='/b.html'>Un autre sujet</a></h3>"
        "<a rel='author' href='/auteur/marc-henry'>Marc Henry</a>"
        "<a href='/category/sport/'>Sport</a></article>"
    )
    line = "<p>À voir : <a href='/c.html'>Un autre sujet du jour</a></p>"
    html = page(tail=line * (n // 4))
    return html.replace("</body>", card * (n // 4) + "</body>"), SITE


def cpu_seconds(build: Callable[[int], tuple[str, SiteConfig]], n: int) -> float:
    html, site = build(n)
    job = PageJob(
        url="http://courrier.ml/articles/x.html",
        final_url="http://courrier.ml/articles/x.html",
        html=html,
        site=site,
        fetched_at=datetime(2024, 11, 4, 12, tzinfo=UTC),
    )
    best = float("inf")
    for _ in range(2):
        seconds: dict[str, float] = {}
        process_page(job, seconds)
        best = min(best, seconds.get("extract", 0.0) + seconds.get("normalise", 0.0))
    return best


@pytest.mark.parametrize(
    "build",
    [
        afp_trailer,
        separator_title,
        parenthesised_author,
        json_ld_list,
        selected_paragraphs,
        cards_and_link_lines,
    ],
    ids=lambda build: build.__name__,
)
def test_hostile_page_work_grows_linearly(build):
    small = cpu_seconds(build, 400)
    large = cpu_seconds(build, 4000)
    assert large < 20 * small + 0.05, (small, large)


def test_a_big_page_of_unclosed_script_tags_is_read_in_linear_time():
    """Pages over 1 MB have their oversized inline blocks emptied before parsing; the regex
    that did it rescanned the rest of the page from every "<script" that never closes (a
    megabyte of them took hours of a worker)."""
    small, large = "<script>" * 130_000, "<script>" * 1_300_000  # 1 MB, 10 MB

    def cpu(html: str) -> float:
        started = time.process_time()
        assert shrink_inline_blocks(html) == html  # nothing closes: nothing to empty
        return time.process_time() - started

    assert cpu(large) < 20 * min(cpu(small) for _ in range(2)) + 0.05
    page_with_state = (
        "<html><head><script>" + "x" * 1_100_000 + "</script><style>b{}</style></head>"
        "<body><p>Texte.</p><script>" + "<p>" * 10 + "</script></body></html>"
    )
    assert shrink_inline_blocks(page_with_state) == (
        "<html><head><script></script><style>b{}</style></head>"
        "<body><p>Texte.</p><script>" + "<p>" * 10 + "</script></body></html>"
    )
