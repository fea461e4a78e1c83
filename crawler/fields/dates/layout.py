"""Where the headline sits on the page, and whether an element is this article's or a teaser's.

The date finders read only the block around the headline, and refuse dates in sidebars,
teaser lists, menus and the site's own header or footer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from crawler.fields.dates.grammar import trie_alternation
from crawler.fields.html import is_listing_block, normalise_space, short_text
from crawler.fields.page import Page

# Page regions that hold other articles' dates: sidebars, "Fil d'info", related, comments...
_SIDEBAR_WORDS = (
    "aside sidebar side-bar widget comment reaction forum reply fil-info fil-d-info filinfo"
    " fil_info teaser mostread most-read popular populaire recommend trending listing listpost"
    " list-post snippet chrono- agenda newsletter insert journal kiosque related a-lire lire-aussi"
    " readmore read-more more-stories carousel slider ticker nav menu breadcrumb social"
    " outbrain taboola latest suggest see-also promo cookie modal popup"
)
_SIDEBAR_RE = re.compile(trie_alternation(_SIDEBAR_WORDS.split()))  # on lower-cased hints
_TEASER_LINK_WORDS = 4  # a link this long next to a date is another article's headline
_EXCLUDED_TAGS = frozenset({"aside", "nav", "template", "noscript", "select", "option"})
_NEAR_LEVELS = 3  # up to the h1's great-grandparent counts as "next to the headline"
_SCOPE_LEVELS = 2  # dates are looked for in the h1's grandparent, or its <article> if higher
_SIBLINGS_AFTER = 4
_SIBLINGS_BEFORE = 3


@dataclass
class Layout:
    """Where the headline sits: its ancestors (with their distance) and its <article>, if any."""

    h1_levels: dict[HtmlElement, int]
    article_level: int | None
    scope: HtmlElement  # where visible dates are looked for: the article and its surroundings


# --------------------------------------------------------------------------------------------
# Page layout helpers
# --------------------------------------------------------------------------------------------


def layout_of(page: Page) -> Layout:
    """Find the headline once; the text search is then confined to the block around it.

    XPath string tests cost microseconds per node: searching the article's block rather than
    the whole page (menus, sidebars, inline scripts) is what keeps the walk cheap.
    """
    tree = page.tree
    body = tree.find("body")
    whole_page = body if body is not None else tree
    headline = page.headline
    if headline is None:
        main = tree.xpath("(//main | //article)[1]")
        return Layout(h1_levels={}, article_level=None, scope=main[0] if main else whole_page)
    levels: dict[HtmlElement, int] = {headline: 0}
    article_level: int | None = None
    for level, ancestor in enumerate(headline.iterancestors(), start=1):
        levels[ancestor] = level
        if article_level is None and ancestor.tag == "article":
            article_level = level
    scope_level = max(_SCOPE_LEVELS, article_level or 0)
    scope = next((node for node, level in levels.items() if level == scope_level), None)
    if scope is None or scope.tag in ("body", "html"):
        scope = whole_page
    return Layout(h1_levels=levels, article_level=article_level, scope=scope)


def _is_teaser_item(node: HtmlElement) -> bool:
    """A list item holding a link to another page with a headline-long text."""
    for link in node.iter("a"):
        href = (link.get("href") or "").strip().lower()
        if href and not href.startswith(("#", "javascript:", "mailto:")):
            text = short_date_text(link, 300) or ""
            if len(text.split()) >= _TEASER_LINK_WORDS:
                return True
    return False


def placement(element: HtmlElement, layout: Layout) -> tuple[bool, bool, bool]:
    """(excluded, near the headline, inside a link) for an element of the page.

    Only the ancestors the element does not share with the headline are examined, so a page
    wrapper called "has-sidebar" around everything never hides the article's own date.
    """
    node: HtmlElement | None = element
    in_link = False
    in_footer = False  # a <header>/<footer>: the article's own, or the site's
    while node is not None:
        level = layout.h1_levels.get(node)
        if level is not None:
            inside_article = layout.article_level is not None and level <= layout.article_level
            if in_footer and not inside_article:
                return True, False, in_link  # the site's header or footer, not the article's
            near = level <= _NEAR_LEVELS and node.tag not in ("body", "html")
            return False, near, in_link
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _EXCLUDED_TAGS:
            return True, False, in_link
        if tag == "article" and layout.article_level is not None:
            return True, False, in_link  # another article on the page: a teaser
        if tag == "a":
            in_link = True
        if (tag == "li" and _is_teaser_item(node)) or is_listing_block(node):
            return True, False, in_link  # a teaser's date, in a list of other articles
        hints = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
        if len(hints) > 1:
            if _SIDEBAR_RE.search(hints):
                return True, False, in_link
            if "footer" in hints:
                in_footer = True
        if tag in ("footer", "header"):
            in_footer = True
        node = node.getparent()
    return in_footer, False, in_link


def branch_level(element: HtmlElement, layout: Layout) -> int:
    """How far up from the headline the element's branch joins it (1: the h1's parent)."""
    for ancestor in element.iterancestors():
        level = layout.h1_levels.get(ancestor)
        if level is not None:
            return level
    return len(layout.h1_levels)


def headline_neighbours(layout: Layout) -> list[HtmlElement]:
    """Short elements next to the h1 (and next to its parent): where a lone date usually sits."""
    by_level = sorted(layout.h1_levels.items(), key=lambda item: item[1])
    neighbours: list[HtmlElement] = []
    for node, _ in by_level[:2]:
        if node.tag in ("body", "html"):
            break
        neighbours.extend(_siblings(node.itersiblings(), _SIBLINGS_AFTER))
        neighbours.extend(_siblings(node.itersiblings(preceding=True), _SIBLINGS_BEFORE))
    return neighbours


def _siblings(siblings: Any, limit: int) -> list[HtmlElement]:
    found: list[HtmlElement] = []
    for sibling in siblings:
        if not isinstance(sibling.tag, str):
            continue
        found.append(sibling)
        if len(found) >= limit:
            break
    return found


def short_date_text(element: HtmlElement, limit: int) -> str | None:
    """short_text with the date parser's own space rule (invisible characters dropped too)."""
    return short_text(element, limit, normalise_space)
