"""Every date string a page offers, most trusted first: JSON-LD, meta, <time>, text, URL."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.fields.dates.grammar import (
    ALL_PATTERNS,
    RELATIVE_PATTERNS,
    written_day,
)
from crawler.fields.dates.layout import (
    Layout,
    branch_level,
    headline_neighbours,
    layout_of,
    placement,
    short_date_text,
)
from crawler.fields.html import normalise_space
from crawler.fields.page import Page
from crawler.items import DateCandidate

# --------------------------------------------------------------------------------------------
# find_date_candidates
# --------------------------------------------------------------------------------------------

_META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "og:pubdate",
    "publication_date",
    "publication-date",
    "date.published",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "datecreated",
    "date",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
)
_META_MODIFIED = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "updated_time",
    "modified_time",
    "article:modified",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "date.modified",
    "date.updated",
    "last-modified",
    "lastmod",
)
_META_RANK: dict[str, tuple[int, str]] = {
    **{name: (rank, "published") for rank, name in enumerate(_META_PUBLISHED)},
    **{name: (rank, "modified") for rank, name in enumerate(_META_MODIFIED)},
}

_TIME_XPATH = "//time[@datetime]"
_BODY_META_XPATH = ".//*[@itemprop][@content]"
# Elements whose class/id says date, time, meta, byline..., time elements without a machine
# date, and the parents of visible "Publié le" / "Mis à jour" labels.
_TEXT_XPATH = (
    ".//*[self::time[not(@datetime)]"
    " or contains(@class,'date') or contains(@class,'Date') or contains(@class,'time')"
    " or contains(@class,'publi') or contains(@class,'byline') or contains(@class,'meta')"
    " or contains(@id,'date') or starts-with(@itemprop,'date')]"
    " | .//text()[contains(.,'Publi') or contains(.,'à jour') or contains(.,'Mis en ligne')"
    " or contains(.,'Modifié') or contains(.,'odification') or contains(.,'Actualisé')"
    " or contains(.,'osté le') or contains(.,'Updated')]/.."
)
# Each string test costs XPath a copy per node: keep the lists short (the labels' own case is
# enough) and the search confined to `Layout.scope`.
_MAX_TEXT_CHARS = 300
_MAX_NEIGHBOUR_CHARS = 100  # an unlabelled block next to the h1: a dateline is short
_MAX_TEXT_CANDIDATES = 12
_BLOCK_TAGS = ("article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6")

_HAS_DATE_HINT_RE = re.compile(r"\d{4}|\d{1,2}[-/.]\d{1,2}|\d{1,2}\s?[a-zé]{3}")
_MODIFIED_HINT_RE = re.compile(r"modif|updat|mise?[-_ ]?[àa][-_ ]?jour|\bmaj\b|actualis", re.I)
_MARKER_RE = re.compile(
    r"(?P<mod>mise?\s[àa]\sjour|\bm[àa]j\b|modifi(?:[ée]e?|cation)|actualis[ée]e?|updated"
    r"|last\smodified)"
    r"|(?P<pub>publi[ée]e?|mis\sen\sligne|post[ée]e?|published|posted|paru)",
    re.IGNORECASE,
)
_MARKER_REACH = 25  # a label applies to a date that starts at most this far after it

_URL_YMD_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<sep>[/_-])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)(?!\d)"
)
_URL_DMY_RE = re.compile(
    r"(?<!\d)(?P<d>[0-3]\d)(?P<sep>[_-])(?P<m>[01]\d)(?P=sep)(?P<y>(?:19|20)\d\d)(?!\d)"
)
_URL_COMPACT_RE = re.compile(
    r"(?<=[-_/])(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?=[-_/.]|$)"
)


def find_date_candidates(source: Page | HtmlElement, url: str) -> list[DateCandidate]:
    """Every date string of the page, most trusted first (jsonld, meta, time, text, url)."""
    page = Page.of(source)
    tree = page.tree
    layout = layout_of(page)
    candidates: list[DateCandidate] = []
    candidates.extend(_json_ld_candidates(page))
    candidates.extend(_meta_candidates(tree, layout))
    candidates.extend(_time_candidates(tree, layout))
    candidates.extend(_text_candidates(tree, layout))
    candidates.extend(_url_candidates(url))
    unique: list[DateCandidate] = []
    seen: set[DateCandidate] = set()
    for candidate in candidates:
        if candidate not in seen:
            seen.add(candidate)
            unique.append(candidate)
    return unique


def _json_ld_candidates(page: Page) -> list[DateCandidate]:
    published: list[DateCandidate] = []
    created: list[DateCandidate] = []
    modified: list[DateCandidate] = []
    for article in page.json_ld_articles:
        objects = [article]
        main_entity = article.get("mainEntity")
        if isinstance(main_entity, dict):
            objects.append(main_entity)
        for obj in objects:
            published.extend(_json_ld_values(obj, "datePublished", "published"))
            created.extend(_json_ld_values(obj, "dateCreated", "published"))
            modified.extend(_json_ld_values(obj, "dateModified", "modified"))
    return published + created + modified


def _json_ld_values(obj: dict[str, Any], key: str, kind: str) -> list[DateCandidate]:
    value = obj.get(key)
    values = value if isinstance(value, list) else [value]
    return [
        DateCandidate(source="jsonld", raw=item.strip(), kind=kind)
        for item in values
        if isinstance(item, str) and item.strip()
    ]


def _meta_candidates(tree: HtmlElement, layout: Layout) -> list[DateCandidate]:
    """<meta> dates in a fixed order of names (article:published_time first), then page order."""
    found: list[tuple[int, int, DateCandidate]] = []
    elements = list(tree.iter("meta"))
    elements.extend(el for el in layout.scope.xpath(_BODY_META_XPATH) if el.tag != "meta")
    for position, element in enumerate(elements):
        key = (
            element.get("property")
            or element.get("name")
            or element.get("itemprop")
            or element.get("http-equiv")
            or ""
        ).lower()
        ranked = _META_RANK.get(key)
        if ranked is None:
            continue
        content = (element.get("content") or element.get("value") or "").strip()
        if not content or not _HAS_DATE_HINT_RE.search(content):
            continue
        if element.get("itemprop") and _in_body(element):
            excluded, _, _ = placement(element, layout)
            if excluded:  # microdata of a teaser, not of this article
                continue
        rank, kind = ranked
        found.append((rank, position, DateCandidate(source="meta", raw=content, kind=kind)))
    found.sort(key=lambda item: (item[2].kind != "published", item[0], item[1]))
    return [candidate for _, _, candidate in found]


def _in_body(element: HtmlElement) -> bool:
    return any(ancestor.tag == "body" for ancestor in element.iterancestors())


def _time_candidates(tree: HtmlElement, layout: Layout) -> list[DateCandidate]:
    """<time datetime> elements of this article (not of teasers), nearest the headline first."""
    ranked: list[tuple[tuple[bool, bool], int, list[DateCandidate]]] = []
    for position, element in enumerate(tree.xpath(_TIME_XPATH)):
        machine = normalise_space(element.get("datetime") or "")
        if not machine or len(machine) > 64 or not _HAS_DATE_HINT_RE.search(machine):
            continue
        excluded, near, in_link = placement(element, layout)
        if excluded:
            continue
        visible = short_date_text(element, _MAX_TEXT_CHARS) or ""
        kind = _time_kind(element, visible)
        found = [DateCandidate(source="time", raw=machine, kind=kind)]
        shown_day = written_day(visible)
        if shown_day is not None and shown_day != written_day(machine):
            # the reader sees another day than the attribute says: the visible one is the claim
            found.insert(0, DateCandidate(source="time", raw=visible, kind=kind))
        ranked.append(((not near, in_link), position, found))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [candidate for _, _, found in ranked for candidate in found]


def _time_kind(element: HtmlElement, visible: str) -> str:
    """Published or modified: microdata, then class, then the label shown in or before it."""
    hinted = _kind_from_attributes(element)
    if hinted is not None:
        return hinted
    for text in (visible, _label_before(element)):
        labels = list(_MARKER_RE.finditer(text))
        if labels:
            return "modified" if labels[-1]["mod"] else "published"
    return "published"


def _kind_from_attributes(element: HtmlElement) -> str | None:
    """itemprop first; a class naming "published" beats "updated" (WordPress puts both)."""
    itemprop = (element.get("itemprop") or "").lower()
    if itemprop == "datepublished":
        return "published"
    if itemprop == "datemodified":
        return "modified"
    classes = (element.get("class") or "").lower()
    if "publi" in classes:
        return "published"
    if _MODIFIED_HINT_RE.search(classes):
        return "modified"
    return None


def _label_before(element: HtmlElement) -> str:
    """The few words just before an element: "Mis à jour le <time ...>" (comments skipped)."""
    pieces: list[str] = []
    previous = element.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        pieces.append(previous.tail or "")
        previous = previous.getprevious()
    if previous is None:
        parent = element.getparent()
        pieces.append((parent.text or "") if parent is not None else "")
    else:
        pieces.append(f"{short_date_text(previous, 60) or ''} {previous.tail or ''}")
    return normalise_space(" ".join(reversed(pieces)))[-_MARKER_REACH:]


def _text_candidates(tree: HtmlElement, layout: Layout) -> list[DateCandidate]:
    """Visible dates in date/meta/byline elements and next to the headline, not in sidebars."""
    ranked: list[tuple[tuple[bool, bool, int, int], int, HtmlElement]] = []
    seen_elements: set[HtmlElement] = set()
    for position, element in enumerate(layout.scope.xpath(_TEXT_XPATH)):
        if (
            not isinstance(element.tag, str)
            or element in seen_elements
            or element in layout.h1_levels  # the headline or a block around it: not a date
        ):
            continue
        seen_elements.add(element)
        excluded, near, in_link = placement(element, layout)
        if not excluded:
            # among the dates next to the headline, the one in the closest branch first: the
            # byline under the h1 before a masthead's "date of the day" above it
            level = branch_level(element, layout) if near else 0
            ranked.append(((not near, in_link, level, 0), position, element))
    for position, element in enumerate(headline_neighbours(layout)):
        if (
            element in seen_elements
            or element.tag in _BLOCK_TAGS
            or next(element.iterdescendants(*_BLOCK_TAGS, "p"), None) is not None
        ):
            continue  # a list, a teaser, a heading or a run of paragraphs: not a dateline
        seen_elements.add(element)
        excluded, _, in_link = placement(element, layout)
        if not excluded:
            level = branch_level(element, layout)
            ranked.append(((False, in_link, level, 1), position, element))
    ranked.sort(key=lambda item: (item[0], item[1]))

    candidates: list[DateCandidate] = []
    for (_, _, _, origin), _, element in ranked:
        unlabelled_neighbour = origin == 1
        text = short_date_text(
            element, _MAX_NEIGHBOUR_CHARS if unlabelled_neighbour else _MAX_TEXT_CHARS
        )
        if not text:
            continue
        default_kind = _kind_from_attributes(element) or "published"
        found = dates_in_text(
            text, default_kind=default_kind, relative_needs_label=unlabelled_neighbour
        )
        for kind, raw in found:
            candidate = DateCandidate(source="text", raw=raw, kind=kind)
            if candidate not in candidates:
                candidates.append(candidate)
        if len(candidates) >= _MAX_TEXT_CANDIDATES:
            break
    return candidates[:_MAX_TEXT_CANDIDATES]


def dates_in_text(
    text: str, *, default_kind: str = "published", relative_needs_label: bool = False
) -> list[tuple[str, str]]:
    """(kind, raw) for each date written in a short text; "Mis à jour le ..." makes it modified.

    raw runs from the label ("Publié le") to the end of the date when a label precedes it; a
    date without a label takes `default_kind` (the element's class may say "updated"). With
    `relative_needs_label`, a bare "hier" or "il y a 3 jours" is taken for prose, not a date.
    """
    text = normalise_space(text)
    matches: list[re.Match[str]] = []
    for pattern in ALL_PATTERNS:
        matches.extend(pattern.finditer(text))
    matches.sort(key=lambda found: (found.start(), -found.end()))
    markers = list(_MARKER_RE.finditer(text))
    results: list[tuple[str, str]] = []
    previous_end = 0
    for found in matches:
        if found.start() < previous_end:
            continue  # overlaps a date already taken
        label = None
        for marker in markers:
            if previous_end <= marker.start() and marker.end() <= found.start():
                label = marker
        if label is None and relative_needs_label and found.re in RELATIVE_PATTERNS:
            continue
        kind = default_kind if label is None else "modified" if label["mod"] else "published"
        start = found.start()
        if label is not None and found.start() - label.end() <= _MARKER_REACH:
            start = label.start()
        results.append((kind, text[start : found.end()].strip(" ,;|–—-")))
        previous_end = found.end()
    return results


def _url_candidates(url: str) -> list[DateCandidate]:
    """The first valid date written in the URL path: /2024/10/28/, 2024-10-28, 28-10-2024..."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return []
    for pattern in (_URL_YMD_RE, _URL_DMY_RE, _URL_COMPACT_RE):
        for found in pattern.finditer(path):
            try:
                date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                continue
            return [DateCandidate(source="url", raw=found.group(0), kind="published")]
    return []
