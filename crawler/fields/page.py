"""One page, parsed once: what several field finders read is computed once, on demand.

`extract_page` builds one `Page` per fetched page and hands it to every finder. Each shared
piece of work (the JSON-LD parse, the metas, the headline, the host, the visible text
nodes, a finder's source that another finder reads too) is a cached property or a `once`
result, so no finder repeats another's walk over the tree. The tree must not change while
finders read it: trafilatura and the body rules, which prune, get a deep copy of it
(crawler.process.extract._fresh_tree).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from functools import cached_property
from typing import Any, TypeVar

from lxml.html import HtmlElement

from crawler.fields.headline import main_headline
from crawler.fields.html import (
    contents_of,
    json_ld_articles,
    json_ld_objects,
    meta_pairs,
    page_host,
    parse_html,
    visible_texts,
)

T = TypeVar("T")


class Page:
    """A parsed page and its URL; finders accept a Page or a bare tree (`Page.of`)."""

    def __init__(self, tree: HtmlElement, url: str = "") -> None:
        self.tree = tree
        self.url = url
        self._once: dict[Hashable, Any] = {}

    @classmethod
    def parse(cls, html: str | bytes, url: str = "") -> Page:
        """The page of this HTML (never raises on broken markup)."""
        return cls(parse_html(html), url)

    @classmethod
    def of(cls, source: Page | HtmlElement) -> Page:
        """`source` itself when it is a Page, else a new Page over the tree (tests, tools)."""
        return source if isinstance(source, Page) else cls(source)

    @cached_property
    def json_ld_objects(self) -> tuple[dict[str, Any], ...]:
        """Every JSON-LD object, @graph flattened; malformed blocks skipped."""
        return tuple(json_ld_objects(self.tree))

    @cached_property
    def json_ld_articles(self) -> tuple[dict[str, Any], ...]:
        """The JSON-LD objects that describe an article, best first."""
        return tuple(json_ld_articles(self.tree, self.json_ld_objects))

    @cached_property
    def headline(self) -> HtmlElement | None:
        """The article's headline element (crawler.fields.headline), None if none is found."""
        return main_headline(self.tree)

    @cached_property
    def metas(self) -> tuple[tuple[str, str], ...]:
        """(name, content) of the page's <meta> tags with a content (html.meta_pairs)."""
        return tuple(meta_pairs(self.tree))

    def meta_contents(self, *names: str) -> list[str]:
        """html.meta_contents of this page, from the metas read once."""
        return contents_of(self.metas, names)

    @cached_property
    def host(self) -> str:
        """The host of the page's canonical URL (or og:url), "" when the page names none."""
        return page_host(self.tree)

    @cached_property
    def body_h1s(self) -> tuple[HtmlElement, ...]:
        """The <h1> elements inside <body>, in page order."""
        return tuple(self.tree.xpath("//body//h1"))

    @cached_property
    def visible_texts(self) -> tuple[Any, ...]:
        """Non-blank text nodes outside links, in document order."""
        return tuple(visible_texts(self.tree))

    def once(self, function: Callable[..., T], *args: Hashable) -> T:
        """`function(self, *args)`, computed once for this page (a copy of a list, set or
        dict each time, so a caller that extends its result never changes another's)."""
        key = (function, args)
        if key not in self._once:
            self._once[key] = function(self, *args)
        value: T = self._once[key]
        return copy.copy(value) if isinstance(value, (list, set, dict)) else value
