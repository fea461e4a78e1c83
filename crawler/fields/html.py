"""Shared HTML helpers for the field finders: one parse, JSON-LD objects, meta tags."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import lxml.html
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction

_WS = re.compile(r"\s+")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


# lxml.html's own parser picks each element's class in Python (HtmlElementClassLookup: form,
# input... get their own classes), a call every time a finder touches a node: millions per
# crawl hour. No finder uses those form classes, so this parser picks HtmlElement in C.
# Copies of the tree (deepcopy) keep the parser, so trafilatura's run on a copy gains too.
_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)
_EMPTY_PAGE = "<html><body></body></html>"


def parse_html(html: str | bytes) -> HtmlElement:
    """Parse a page leniently; never raises on broken markup (an empty page gives an empty tree)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    html = html.replace("\x00", "")
    # lxml refuses str input that carries an XML encoding declaration
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return lxml.html.document_fromstring(_EMPTY_PAGE, parser=_PARSER)
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (ValueError, lxml.etree.ParserError):
        return lxml.html.document_fromstring(_EMPTY_PAGE, parser=_PARSER)


_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad\u061c]")  # bidi marks too


def normalise_space(raw: str) -> str:
    """One plain space wherever any Unicode space was (NBSP, narrow NBSP, tabs, newlines)."""
    return _WS.sub(" ", _INVISIBLE.sub("", raw)).strip()


def text_of(element: HtmlElement) -> str:
    """Visible text of an element with whitespace collapsed (scripts and styles excluded)."""
    parts = element.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")
    return _WS.sub(" ", " ".join(str(p) for p in parts)).strip()


def select_nodes(tree: HtmlElement, selector: str) -> list[Any]:
    """What a site file's selector points at: XPath when it starts with "/" or "(" (the rule
    crawler.sites checks selectors with), else CSS. Elements, or strings for an XPath that
    selects text or attributes; nothing for a selector lxml refuses."""
    try:
        found = (
            tree.xpath(selector) if selector.startswith(("/", "(")) else tree.cssselect(selector)
        )
    except (etree.XPathError, ValueError, SyntaxError, ImportError):
        return []
    return found if isinstance(found, list) else [found]


def select_elements(tree: HtmlElement, selector: str) -> list[HtmlElement]:
    """The elements a site file's selector points at (text and attribute results left out)."""
    return [node for node in select_nodes(tree, selector) if isinstance(node, HtmlElement)]


def select_texts(tree: HtmlElement, selector: str) -> list[str]:
    """The non-empty texts a site file's selector points at, whitespace collapsed."""
    texts = []
    for node in select_nodes(tree, selector):
        text = text_of(node) if isinstance(node, HtmlElement) else collapse_space(str(node))
        if text:
            texts.append(text)
    return texts


def meta_pairs(tree: HtmlElement) -> list[tuple[str, str]]:
    """(name, content) of every <meta property|name|itemprop=... content=...> with a content,
    in document order: the name lower-cased, the content stripped."""
    pairs: list[tuple[str, str]] = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key and content and content.strip():
            pairs.append((key, content.strip()))
    return pairs


def meta_contents(tree: HtmlElement, *names: str) -> list[str]:
    """Values of <meta property|name|itemprop=...> for the given names, in document order.

    Finders holding a Page ask `Page.meta_contents`: the page's metas are read once."""
    return contents_of(meta_pairs(tree), names)


def contents_of(pairs: Iterable[tuple[str, str]], names: Iterable[str]) -> list[str]:
    """The contents of the (name, content) pairs whose name is one of `names` (any case)."""
    wanted = {n.lower() for n in names}
    return [content for key, content in pairs if key in wanted]


_HOST = re.compile(r"^\s*(?:https?:)?//([^/?#:]+)", re.IGNORECASE)


def host_of(href: str) -> str:
    """The host of an absolute or scheme-relative URL, lower-case without "www.", else ""."""
    found = _HOST.match(href or "")
    return found.group(1).lower().removeprefix("www.") if found else ""


def own_urls(tree: HtmlElement) -> list[str]:
    """The URLs the page gives itself: its canonical links, then its og:url values."""
    hrefs = [
        link.get("href") or ""
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    return hrefs + meta_contents(tree, "og:url")


def page_host(tree: HtmlElement) -> str:
    """The host of the page's canonical URL (or og:url), "" when the page names none."""
    return next((host for host in map(host_of, own_urls(tree)) if host), "")


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _walk(child)
    elif isinstance(node, dict):
        yield node
        graph = node.get("@graph")
        if graph is not None:
            yield from _walk(graph)


_VISIBLE_TEXTS = etree.XPath("//body//text()[normalize-space()][not(ancestor::a)]")


def visible_texts(tree: HtmlElement) -> list[Any]:
    """The page's non-blank text nodes outside links, in document order (lxml smart strings:
    `getparent()` and `is_tail` say where each is printed). Several finders scan for labels:
    they read `Page.visible_texts`, computed once."""
    return list(_VISIBLE_TEXTS(tree))


def json_ld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph flattened; malformed blocks are skipped.

    A block wrapped in <![CDATA[ ... ]]> (with or without // comments) is read too.
    Finders read `Page.json_ld_objects`, parsed once per page.
    """
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


def json_ld_articles(
    tree: HtmlElement, objects: Iterable[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """JSON-LD objects that describe an article (NewsArticle, BlogPosting...), best first.

    `objects`: the page's JSON-LD objects when already parsed (`Page.json_ld_articles`).
    """
    found = []
    for obj in json_ld_objects(tree) if objects is None else objects:
        types = obj.get("@type")
        type_list = types if isinstance(types, list) else [types]
        names = {str(t).lower() for t in type_list if t}
        if names & ARTICLE_TYPES:
            # WebPage is the weakest match: keep it after real article types
            rank = 1 if names <= {"webpage"} else 0
            found.append((rank, obj))
    return [obj for _, obj in sorted(found, key=lambda pair: pair[0])]


# Headings of blocks that list other articles: the outlet's live feed, most-read, "read also".
LISTING_HEADER_RE = re.compile(
    r"^\W*(?:fil\s+d['’]\s*(?:info|actu)(?:alit[ée])?s?|flash\s+infos?|(?:infos?\s+)?en\s+continu"
    r"|(?:articles?\s+)?les\s+plus\s+(?:lus|vus|populaires|partag[ée]s|comment[ée]s)"
    r"|derni[èe]re?s?\s+(?:infos?|actualit[ée]s|actus?|nouvelles|news|d[ée]p[êe]ches|minutes?)"
    r"|derniers\s+articles|[àa]\s+la\s+une|(?:[àa]\s+)?lire\s+(?:aussi|[ée]galement)"
    r"|[àa]\s+voir\s+aussi|voir\s+aussi|sur\s+le\s+m[êe]me\s+(?:sujet|th[èe]me)"
    r"|dans\s+la\s+m[êe]me\s+rubrique|articles?\s+(?:similaires|li[ée]s|associ[ée]s|recommand[ée]s)"
    r"|[àa]\s+d[ée]couvrir|vous\s+(?:aimerez|pourriez)\s+aussi(?:\s+aimer)?|en\s+bref)\W*$",
    re.IGNORECASE,
)
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_LISTING_HEADER_CHILDREN = 3  # a block's heading is among its first few children


def collapse_space(text: str) -> str:
    """Every run of whitespace (NBSP, newlines...) as one space, trimmed."""
    return _WS.sub(" ", text).strip()


def short_text(
    element: HtmlElement, limit: int, normalise: Callable[[str], str] = collapse_space
) -> str | None:
    """Visible text of a small element, or None as soon as it proves longer than `limit`.

    `normalise` turns the raw pieces, joined by spaces, into the text that is measured.
    """
    if not isinstance(element.tag, str):  # a comment or a processing instruction
        return None
    pieces: list[str] = []
    budget = limit * 4  # raw text carries indentation that the collapse removes
    for piece in element.itertext():
        budget -= len(piece)
        if budget < 0:
            return None
        pieces.append(piece)
    text = normalise(" ".join(pieces))
    return text if len(text) <= limit else None


def _has_title_hint(element: HtmlElement) -> bool:
    hints = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return "titl" in hints or "titre" in hints


def is_listing_block(node: HtmlElement) -> bool:
    """A block headed "Fil d'info", "Les plus lus", "À lire aussi"...: other articles' list."""
    # the first few element children only (a list of 100 items is not walked)
    children = islice(node.iterchildren(etree.Element), _LISTING_HEADER_CHILDREN)
    for index, child in enumerate(children):
        if index == 0 or child.tag in _HEADING_TAGS or _has_title_hint(child):
            text = short_text(child, 60)
            if text and LISTING_HEADER_RE.match(text):
                return True
    return False
