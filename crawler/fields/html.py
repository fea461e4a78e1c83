"""Shared HTML helpers for the field finders: one parse, JSON-LD objects, meta tags."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml.html import HtmlElement

_WS = re.compile(r"\s+")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


def parse_html(html: str | bytes) -> HtmlElement:
    """Parse a page leniently; never raises on broken markup (an empty page gives an empty tree)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    html = html.replace("\x00", "")
    # lxml refuses str input that carries an XML encoding declaration
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return lxml.html.fromstring("<html><body></body></html>")
    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return lxml.html.fromstring("<html><body></body></html>")


def text_of(element: HtmlElement) -> str:
    """Visible text of an element with whitespace collapsed (scripts and styles excluded)."""
    parts = element.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")
    return _WS.sub(" ", " ".join(str(p) for p in parts)).strip()


def meta_contents(tree: HtmlElement, *names: str) -> list[str]:
    """Values of <meta property|name|itemprop=...> for the given names, in document order."""
    wanted = {n.lower() for n in names}
    values: list[str] = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key in wanted and content and content.strip():
            values.append(content.strip())
    return values


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _walk(child)
    elif isinstance(node, dict):
        yield node
        graph = node.get("@graph")
        if graph is not None:
            yield from _walk(graph)


def json_ld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph flattened; malformed blocks are skipped."""
    objects: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = _CDATA.sub("", script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        objects.extend(_walk(data))
    return objects


ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "blogposting",
    "liveblogposting",
    "webpage",
    "backgroundnewsarticle",
    "reviewnewsarticle",
}


def json_ld_articles(tree: HtmlElement) -> list[dict[str, Any]]:
    """JSON-LD objects that describe an article (NewsArticle, BlogPosting...), best first."""
    found = []
    for obj in json_ld_objects(tree):
        types = obj.get("@type")
        type_list = types if isinstance(types, list) else [types]
        names = {str(t).lower() for t in type_list if t}
        if names & ARTICLE_TYPES:
            # WebPage is the weakest match: keep it after real article types
            rank = 1 if names <= {"webpage"} else 0
            found.append((rank, obj))
    return [obj for _, obj in sorted(found, key=lambda pair: pair[0])]
