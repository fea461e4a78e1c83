"""Read counters ("Lu : 97", "Vu 12 345 fois", "1,2K vues"): find them on a page, parse them.

Outlets in francophone Africa and elsewhere often print how many times a story was read; the
archive keeps every observation. The finder stays cheap (two XPath queries over short nodes)
and ignores sidebars, where "most read" lists print other articles' counters.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from lxml.html import HtmlElement

from crawler.fields.html import select_texts, text_of
from crawler.fields.page import Page

_SPACES = "[ \u00a0\u202f]"
# "1 234" / "1.234" / "1 234" (thousands) or a plain or decimal number ("97", "1,2" before K)
_NUMBER = (
    rf"(?P<number>\d{{1,3}}(?:{_SPACES}\d{{3}})+(?!\d)"
    rf"|\d{{1,3}}(?:\.\d{{3}})+(?![\d,])"
    r"|\d+(?:[.,]\d+)?)"
)
# without a K/M multiplier a count is whole: separators only between groups of three digits
_WHOLE_NUMBER = re.compile(rf"\d{{1,3}}(?:(?:{_SPACES}|\.|,)\d{{3}})+|\d+")
_MULTIPLIER = r"(?:\s*(?P<multiplier>[kKmM])(?![\w]))?"
_COUNT = _NUMBER + _MULTIPLIER
_LABEL_BEFORE = (
    r"(?:(?:d[ée]j[àa]\s+|article\s+)?(?:lue?s?|vue?s?|affich[ée]e?s?|consult[ée]e?s?)|"
    r"vues?|affichages?|lectures?|consultations?|views?|hits|clics|"
    r"nombre\s+de\s+(?:vues|lectures|consultations))"
)
_LABEL_AFTER = r"(?:vues?|lectures?|affichages?|consultations?|views|reads|fois\s+lue?s?)"
_END = r"(?=\s*(?:$|[|•·,;)\]/]))"
# A label opens the text, follows a separator ("|", "•", " - "), or follows a date or a time
# on the same line ("28 Octobre 2024 Lu: 97"); after a word it is prose ("il l'a vu 2 fois").
_LABEL_START = r"(?:^|(?<=[|•·,;(\[/])\s*|(?<=[\d–—-]\s))"
_COUNTER_PATTERNS = [
    # "Lu : 97", "Lu 1 234 fois", "Vu 12 345 fois", "Affichages : 97", "… | Lectures: 1,2K"
    re.compile(rf"(?i){_LABEL_START}{_LABEL_BEFORE}\s*(?::\s*)?{_COUNT}(?:\s*fois\b|{_END})"),
    # a label with its colon is one wherever it stands: "Par Awa Diop Lu : 97"
    re.compile(rf"(?i)(?<![\w'’]){_LABEL_BEFORE}\s*:\s*{_COUNT}(?:\s*fois\b|{_END})"),
    # "Cet article a été lu 97 fois", "a été consulté 1 234 fois" (not "il l'a vu 2 fois")
    re.compile(rf"(?i)\b[ée]t[ée]\s+(?:lue?s?|vue?s?|consult[ée]e?s?)\s+{_COUNT}\s*fois\b"),
    # "97 vues", "1,2K vues", "2M vues", "97 lectures"
    re.compile(rf"(?i)(?<![\w.,-]){_COUNT}\s*{_LABEL_AFTER}(?![\w])"),
]
# an eye icon is a views label: "👁 845", "👁️ 1,2K", "👀 97"
_EYES = "\U0001f441\ufe0f?|\U0001f440"
_EYE_COUNT = re.compile(rf"(?:^|(?<=[\s|•·]))(?:{_EYES})\s*{_COUNT}(?![\w.,])")
# a bare number: accepted only because callers pass texts already flagged as counters
_BARE_COUNT = re.compile(rf"^{_COUNT}$")
_EDGE_NOISE = re.compile(r"^[^\w+-]+|[^\w)]+$")
_WS = re.compile(r"\s+")

_MAX_TEXT = 80
_MAX_LABEL = 25  # "Nombre de lectures :" is about as long as a bare label gets
_CONTAINER_TAGS = {"body", "html", "main", "article", "section"}
_TEASER_DEPTH = 4  # how far up a counter's list item may be
_TEASER_LINK_WORDS = 4  # a link this long in the same list item is another article's headline
_EXSLT = {"re": "http://exslt.org/regular-expressions"}
_NOISE_TAGS = frozenset({"script", "style", "aside", "nav", "footer", "noscript"})
# The XPath only selects (cheap C-level tests); the regexes and the noise-tag test run in
# Python on what it returns, cheapest first: an XPath re:test called back into Python for
# every node, and its ancestor tests built node-sets, which cost more than the whole walk.
_KEYWORD_NODES = (
    f"//body//text()[normalize-space()][string-length(normalize-space(.)) <= {_MAX_TEXT}]"
)
_KEYWORD = re.compile(
    r"(^|[^\w])(lu|vu|lue?s|vues?|affichages?|lectures?|consultations?|views?|"
    r"reads|consult[ée]e?s?|affich[ée]e?s?|hits|clics)([^\w]|$)|\U0001f441|\U0001f440",
    re.IGNORECASE,
)
_CLASSED_ELEMENTS = "//body//*[@class or @id]"
_COUNTER_CLASS = re.compile(
    r"(^|[\s_-])(views?|vues|nb-?vues|pageviews?|view-?count|read-?count|reads|hits|"
    r"lectures|compteur)([\s_-]|$)",
    re.IGNORECASE,
)
_NOISE_CONTAINER = re.compile(
    r"(?i)sidebar|related|widget|comment|popular|most-?read|plus-?lus|teaser|recommend|"
    r"outbrain|taboola|(?:^|[\s_-])(?:aside|menu|footer)(?:[\s_-]|$)"
)


# No page was read a quadrillion times: a longer number is not a count (and past 4,300
# digits int() refuses it, past BIGINT the database would).
_MAX_COUNT = 10**15


def _to_int(number: str, multiplier: str | None) -> int | None:
    if len(number) > 40:
        return None
    if multiplier:
        try:
            value = Decimal(number.replace(",", "."))
        except InvalidOperation:
            return None
        count = int(value * (1_000 if multiplier.lower() == "k" else 1_000_000))
        return count if count < _MAX_COUNT else None
    if not _WHOLE_NUMBER.fullmatch(number):
        return None  # "1,5 vues" is not a count
    count = int(re.sub(r"\D", "", number))
    return count if count < _MAX_COUNT else None


def parse_read_count(text: str) -> int | None:
    """The number of reads a counter text states, or None when it is not a read counter."""
    if not text:
        return None
    cleaned = _WS.sub(" ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()
    eye = _EYE_COUNT.search(cleaned)
    if eye:
        return _to_int(eye.group("number"), eye.group("multiplier"))
    cleaned = _EDGE_NOISE.sub("", cleaned)  # icons, bullets: "👁 97"
    if not cleaned:
        return None
    for pattern in _COUNTER_PATTERNS:
        match = pattern.search(cleaned)
        if match:
            return _to_int(match.group("number"), match.group("multiplier"))
    bare = _BARE_COUNT.match(cleaned)
    if bare:
        return _to_int(bare.group("number"), bare.group("multiplier"))
    return None


def _in_noise_tag(element: HtmlElement | None) -> bool:
    """Is the element a script, style, aside, nav, footer or noscript, or inside one?"""
    while element is not None:
        if element.tag in _NOISE_TAGS:
            return True
        element = element.getparent()
    return False


def _in_noise_container(element: HtmlElement) -> bool:
    for node in element.iterancestors():
        if node.tag in ("body", "html"):
            return False  # page-layout classes ("has-sidebar") say nothing about this spot
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _NOISE_CONTAINER.search(marks):
            return True
    return False


def _in_teaser_item(element: HtmlElement) -> bool:
    """In a list item that links to another article ("<li><a>Headline…</a> Lu: 5412</li>")."""
    for depth, node in enumerate(element.iterancestors()):
        if depth >= _TEASER_DEPTH or node.tag in _CONTAINER_TAGS:
            return False
        if node.tag == "li":
            return any(_is_headline_link(link) for link in node.iter("a"))
    return element.tag == "li" and any(_is_headline_link(link) for link in element.iter("a"))


def _is_headline_link(link: HtmlElement) -> bool:
    href = (link.get("href") or "").strip().lower()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return False
    return len(text_of(link).split()) >= _TEASER_LINK_WORDS


def _dedupe(texts: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for text in texts:
        if text not in seen:
            seen.add(text)
            unique.append(text)
    return unique


def _counter_text_near(node: str, parent: HtmlElement) -> str | None:
    """The counter a keyword text node belongs to: itself, or its parent's or grandparent's text."""
    own = _WS.sub(" ", str(node)).strip()
    if parse_read_count(own) is not None and not _BARE_COUNT.match(own):
        return own
    if len(own) > _MAX_LABEL:
        return None  # a sentence that merely contains "lu" is not a label
    # "<span>Lu</span> <b>97</b> fois": the counter spans the parent's (short) text
    element: HtmlElement | None = parent
    for _ in range(2):
        if element is None or element.tag in _CONTAINER_TAGS:
            break
        text = text_of(element)
        if len(text) > _MAX_TEXT or any(_is_headline_link(a) for a in element.iter("a")):
            break  # a block around a teaser's headline is not a counter line
        if parse_read_count(text) is not None and not _BARE_COUNT.match(text):
            return text
        element = element.getparent()
    return None


def find_read_count_texts(source: Page | HtmlElement, selector: str | None = None) -> list[str]:
    """Short texts that read as a read counter, in document order.

    A site selector wins when it finds text; otherwise text nodes carrying a counter word
    (with their parent's short text when the number sits in a sibling element) and elements
    whose class names a view counter are kept, if `parse_read_count` accepts them.
    """
    tree = Page.of(source).tree
    if selector:
        selected = [t for t in select_texts(tree, selector) if len(t) <= _MAX_TEXT * 2]
        if selected:
            return _dedupe(selected)
    found: list[str] = []
    # one union query: XPath returns its nodes in document order
    for node in tree.xpath(f"{_KEYWORD_NODES} | {_CLASSED_ELEMENTS}"):
        if isinstance(node, HtmlElement):
            marks = f" {node.get('class') or ''} {node.get('id') or ''} "
            if not _COUNTER_CLASS.search(marks) or _in_noise_tag(node.getparent()):
                continue
            text = text_of(node)
            if (
                text
                and len(text) <= _MAX_TEXT
                and parse_read_count(text) is not None
                and not _in_noise_container(node)
                and not _in_teaser_item(node)
                and not any(_is_headline_link(a) for a in node.iter("a"))
            ):
                found.append(text)
            continue
        if not _KEYWORD.search(node):
            continue
        parent = node.getparent()
        if _in_noise_tag(parent.getparent() if node.is_tail else parent):
            continue
        if parent is None or _in_noise_container(parent) or _in_teaser_item(parent):
            continue
        counter = _counter_text_near(node, parent)
        if counter:
            found.append(counter)
    return _dedupe(found)
