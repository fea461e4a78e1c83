"""Property-based hostile input: every finder, the feed parser and the sitemap parser.

Hypothesis grows adversarial strings out of the pieces the rules react to (separators,
brackets, digits, agency credits, bylines, dates, entities, half-opened markup), repeated the
way an attacker would. For each target (`bench.fuzz.TARGETS`: the same table `make fuzz`
times) two properties hold:

- it never raises on such input (a clear `DiscoveryError` aside);
- its CPU time at 10x the input stays within 25x its time at 1x (plus the timer's grain): a
  linear rule takes ~10x, a rule that rescans per separator or backtracks ~100x.

The number of examples comes from the Hypothesis profile (tests/conftest.py): "ci" by
default (a bounded run, the whole file well under a minute), `HYPOTHESIS_PROFILE=fuzz` for a
long search.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz import TARGETS
from crawler.discovery import DiscoveryError, Link, SitemapDocument, parse_feed, parse_sitemap

PIECES = [
    " ",
    "  ",
    "\u00a0",
    "\t",
    "\n",
    "-",
    " - ",
    "–",
    "|",
    "·",
    "»",
    ":",
    ",",
    ";",
    ".",
    "(",
    ")",
    "[",
    "]",
    "/",
    "&",
    "&amp;",
    "&eacute;",
    "&#",
    "<",
    ">",
    "<a ",
    "<!DOCTYPE a ",
    "<!ENTITY ",
    "'",
    "’",
    '"',
    "@",
    "%",
    "#",
    "?",
    "=",
    "0",
    "1",
    "12",
    "2024",
    "1 234",
    "a",
    "A",
    "é",
    "Ã©",
    "x",
    "AFP",
    "Reuters",
    "APS",
    "Par",
    "par ",
    "avec",
    "Jean Dupont",
    "le ",
    "mars",
    "lundi",
    "Lu",
    "fois",
    "vues",
    "Publié le",
    "Tags",
    "Lire aussi",
    "http://",
    "www.",
    "\x00",
]

units = st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join)
# an honest bit of text around the repeated unit, as a page would have it
edges = st.sampled_from(["", "Le Courrier du Fleuve", "Dakar (APS) - ", "Par Awa Diop"])

CPU_GROWTH_LIMIT = 25
TIMER_GRAIN = 0.002


def _cpu(function: Callable[[str], object], value: str) -> float:
    started = time.process_time()
    with contextlib.suppress(DiscoveryError):
        function(value)
    return time.process_time() - started


def _grows_linearly(function: Callable[[str], object], unit: str, edge: str, chars: int) -> None:
    small = edge + unit * max(1, chars // len(unit))
    large = edge + unit * max(1, 10 * chars // len(unit))
    t1 = min(_cpu(function, small) for _ in range(2))
    t10 = _cpu(function, large)
    if t10 > CPU_GROWTH_LIMIT * max(t1, TIMER_GRAIN) + 0.05:
        t10 = _cpu(function, large)  # once more: a busy machine's pause is not growth
    assert t10 <= CPU_GROWTH_LIMIT * max(t1, TIMER_GRAIN) + 0.05, (unit, t1, t10)


@pytest.mark.parametrize("name", sorted(TARGETS))
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(unit=units, edge=edges, chars=st.sampled_from([200, 1000]))
def test_every_rule_grows_linearly_on_hostile_input(
    name: str, unit: str, edge: str, chars: int
) -> None:
    _grows_linearly(TARGETS[name], unit, edge, chars)


feed_texts = st.lists(st.one_of(units, st.text(max_size=20)), max_size=30).map("".join)


@settings(deadline=None)
@given(title=feed_texts, link=feed_texts, head=feed_texts)
def test_the_feed_parser_takes_anything(title: str, link: str, head: str) -> None:
    body = (
        f"{head}<rss><channel><item><title>{title}</title><link>/a/{link}</link></item>"
        "</channel></rss>"
    )
    for encoding in ("utf-8", "utf-16"):
        try:
            links = parse_feed(body.encode(encoding, errors="replace"), "https://www.exemple.sn/")
        except DiscoveryError:
            continue
        assert all(isinstance(found, Link) and found.url for found in links)


@settings(deadline=None)
@given(loc=feed_texts, head=feed_texts)
def test_the_sitemap_parser_takes_anything(loc: str, head: str) -> None:
    body = f"{head}<urlset><url><loc>/a/{loc}</loc></url></urlset>".encode()
    try:
        document = parse_sitemap(body, "https://www.exemple.sn/sitemap.xml")
    except DiscoveryError:
        return
    assert isinstance(document, SitemapDocument)
    assert document.kind in ("index", "urlset", "unknown")
    assert all(found.url.startswith("https://www.exemple.sn/") for found in document.links)
