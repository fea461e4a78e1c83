"""The CPU-heavy step, run in worker processes: one HTML page → a `RawExtraction`.

trafilatura extracts the body; the field finders of `crawler.fields` gather every candidate
for the other fields from one parsed tree. Everything returned is plain data (picklable).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from functools import lru_cache

import lxml.html
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import use_config
from trafilatura.utils import INVALID_XML_CHARS, load_html

from crawler.fields.authors import find_author_accounts, find_author_candidates
from crawler.fields.body import declared_not_free, find_visible_lead, merge_lead
from crawler.fields.body_tree import (
    drop_text_beside_headline,
    promote_text_divs,
    prune_boilerplate,
    restore_subheadings,
    sandwiched_subheadings,
    text_beside_headline,
    unwrap_inline_times,
)
from crawler.fields.counters import find_read_count_texts
from crawler.fields.dates import find_date_candidates
from crawler.fields.dates.library import find_library_date_candidates
from crawler.fields.html import select_elements, select_texts, text_of
from crawler.fields.page import Page
from crawler.fields.sections import find_section_candidates
from crawler.fields.tags import find_tag_candidates
from crawler.fields.text import word_count
from crawler.fields.titles import find_site_name, find_title_candidates
from crawler.fields.urls import find_canonical_candidates
from crawler.items import DateCandidate, RawExtraction
from crawler.sites import Selectors

EXTRACTOR = f"trafilatura {trafilatura.__version__}"


@lru_cache(maxsize=1)
def _trafilatura_config():  # type: ignore[no-untyped-def]
    config = use_config()
    # trafilatura's own timeout uses SIGALRM; our pipeline bounds extraction time itself.
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def warm_up_extraction() -> None:
    """Build what trafilatura builds on its first justext fallback: the stoplist of every
    language (150,000 words, ~25 MB with its lower-cased set).

    Called by the worker pool's fork server (crawler/preload.py), so that the workers share
    one copy instead of each building its own. Should a release rename these, only memory
    suffers.
    """
    from justext.core import define_stoplist
    from trafilatura import external

    init = getattr(external, "jt_stoplist_init", None)
    if callable(init):
        define_stoplist(getattr(external, "JT_STOPLIST", None) or init())


_LINE_SPLIT = re.compile(r"\n+")
_BLOCKS = {"p", "h2", "h3", "h4", "h5", "li", "blockquote", "pre", "dd"}


def paragraphs_of(container: HtmlElement) -> list[str]:
    """Paragraphs of a site-selected body container: its block elements, else its <br> lines."""
    blocks = [el for el in container.iter() if el.tag in _BLOCKS]
    block_set = set(blocks)
    blocks = [el for el in blocks if not any(a in block_set for a in el.iterancestors())]
    if blocks:
        return [t for t in (text_of(el) for el in blocks) if t]
    for br in container.iter("br"):
        br.tail = "\n" + (br.tail or "")
    text = "".join(container.itertext())
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def extract_body_lines(
    html: str, url: str, prune_xpath: tuple[str, ...] = (), page: Page | None = None
) -> list[str]:
    """Article text as trafilatura sees it, one paragraph (or list item, heading) a line.

    trafilatura reads a copy of the page's one parse (`page.tree`; see `_fresh_tree`):
    generic boilerplate blocks are pruned and paragraph-like bare divs promoted to <p>
    (crawler.fields.body_tree) in that copy before the extraction itself, and the finders
    read the tree unchanged. Tables are kept (data tables belong to the article), unless the
    page is laid out in a table: its whole article then comes back as one table row, and the
    extraction is run again, on a new copy, without tables.
    """

    def fresh_tree() -> HtmlElement | None:
        return _fresh_tree(html, page)

    lines = _trafilatura_lines(fresh_tree, url, prune_xpath, include_tables=True)
    if any(_is_layout_row(line) for line in lines):
        lines = _trafilatura_lines(fresh_tree, url, prune_xpath, include_tables=False) or lines
    return _unless_most_was_lost(lines, html, fresh_tree, url, prune_xpath)


_FULL_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE)


def _fresh_tree(html: str, page: Page | None) -> HtmlElement | None:
    """A tree of the page that trafilatura and the body rules may change: a copy of the page's
    parse without its comments and processing instructions (trafilatura's parser drops them).

    A copy costs half a parse, and trafilatura's own load_html more than a parse. It is parsed
    again, by load_html, where trafilatura's parser would build another tree than Page.parse:
    no page, a page that is no full document (trafilatura keeps a fragment of it), a
    self-closing <html/> or characters XML forbids (it repairs those first).
    """
    if page is not None and not _needs_own_parse(html):
        tree = deepcopy(page.tree)
        etree.strip_elements(tree, etree.Comment, etree.ProcessingInstruction, with_tail=False)
        return tree
    try:
        return load_html(html)
    except (TypeError, ValueError):
        return None


def _needs_own_parse(html: str) -> bool:
    if not _FULL_DOCUMENT.match(html) or INVALID_XML_CHARS.search(html):
        return True
    return any("<html" in line and line.endswith("/>") for line in html[:4096].splitlines()[:4])


# A body this short is checked against trafilatura alone: below it, the page may be rejected
# (too short, a paywall stub), so a rule that dropped the text must not have the last word.
LOSS_CHECK_WORDS = 250
LOSS_MIN_WORDS = 100  # trafilatura alone must find at least this many more words...
LOSS_RATIO = 2.0  # ...and this many times as many


def _unless_most_was_lost(
    lines: list[str],
    html: str,
    fresh_tree: Callable[[], HtmlElement | None],
    url: str,
    prune_xpath: tuple[str, ...],
) -> list[str]:
    """trafilatura's own text when the body rules kept less than half of it on a page that
    declares itself not free.

    The pruning rules read classes: a metered article whose paragraphs are all marked
    "paywall" (scripts hide them for non-subscribers, the markup holds them), or whose column
    is called "aside", would lose its whole text, and the paywall rule would then reject the
    short rest as a stub. Elsewhere the rules' reasons are strong (forms, teaser cards) and
    they keep the last word. Short bodies only, so the second extraction stays rare.
    """
    kept = word_count("\n".join(lines))
    if kept >= LOSS_CHECK_WORDS or not declared_not_free(html):
        return lines
    plain = _trafilatura_lines(fresh_tree, url, prune_xpath, include_tables=True, rules=False)
    found = word_count("\n".join(plain))
    if found >= kept + LOSS_MIN_WORDS and found >= LOSS_RATIO * kept:
        return plain
    return lines


# A table row of this many words is a layout cell holding the article, not a data table.
LAYOUT_ROW_WORDS = 80


def _is_layout_row(line: str) -> bool:
    return line.startswith("|") and len(line.split()) >= LAYOUT_ROW_WORDS


def _trafilatura_lines(
    fresh_tree: Callable[[], HtmlElement | None],
    url: str,
    prune_xpath: tuple[str, ...],
    include_tables: bool,
    rules: bool = True,
) -> list[str]:
    """trafilatura's text in lines; with `rules`, after the body rules of body_tree."""
    tree = fresh_tree()
    if tree is None:
        return []
    beside: frozenset[str] = frozenset()
    subheadings: list[tuple[str, str, str]] = []
    if rules:
        prune_boilerplate(tree)
        promote_text_divs(tree)
        beside = text_beside_headline(tree)
        unwrap_inline_times(tree)
        subheadings = sandwiched_subheadings(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=include_tables,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
        prune_xpath=list(prune_xpath) or None,
        config=_trafilatura_config(),
    )
    if document is None:
        return []
    text = document.text if not isinstance(document, dict) else document.get("text")
    lines = [line.strip() for line in _LINE_SPLIT.split(text or "") if line.strip()]
    return drop_text_beside_headline(restore_subheadings(lines, subheadings), beside)


def _json_ld_body_if_longer(page: Page, lines: list[str]) -> list[str]:
    """The JSON-LD `articleBody` when the page shows only a teaser of the text it holds.

    Some outlets render the first paragraphs and put the whole text in their JSON-LD (often
    beside `isAccessibleForFree: false`): the markup holds the article, so it is the body, and
    the page is no paywall stub. Short bodies only, with the same margins as
    `_unless_most_was_lost`.
    """
    kept = word_count("\n".join(lines))
    if kept >= LOSS_CHECK_WORDS:
        return lines
    for article in page.json_ld_articles:
        text = article.get("articleBody")
        if not isinstance(text, str):
            continue
        found = word_count(text)
        if found >= kept + LOSS_MIN_WORDS and found >= LOSS_RATIO * kept:
            if "<" in text:  # some CMSs put the HTML of the text there
                try:
                    return paragraphs_of(lxml.html.fragment_fromstring(text, create_parent="div"))
                except (etree.ParserError, ValueError):
                    pass
            return [line.strip() for line in _LINE_SPLIT.split(text) if line.strip()]
    return lines


# Inline scripts and styles longer than this are emptied before parsing: libxml2 stops at a
# text node over 10 MB (the rest of the page, article included, would be lost), and no field
# is ever read from such a block (JSON-LD is a few kilobytes).
MAX_INLINE_BLOCK = 1_000_000
_INLINE_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
_INLINE_CLOSE = {
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
}


def shrink_inline_blocks(html: str) -> str:
    """The page with oversized <script>/<style> contents removed (tags kept).

    One pass: each block is its opening tag, then everything up to the first closing tag of
    the same name. (A regex searched from every "<script" of a page that never closes one
    rescanned the rest of the page each time: a megabyte of "<script>" took hours.)
    """
    if len(html) <= MAX_INLINE_BLOCK:
        return html
    pieces: list[str] = []
    done = 0  # html[:done] is in pieces
    unclosed: set[str] = set()  # names with no closing tag left: no later block can close
    for opening in _INLINE_OPEN.finditer(html):
        name = opening.group(1).lower()
        if opening.start() < done or name in unclosed:
            continue
        tag_end = html.find(">", opening.end())
        if tag_end < 0:
            break  # no opening tag ends from here on
        closing = _INLINE_CLOSE[name].search(html, tag_end + 1)
        if closing is None:
            unclosed.add(name)
            continue
        if closing.start() - (tag_end + 1) > MAX_INLINE_BLOCK:
            pieces.append(html[done : tag_end + 1])
            done = closing.start()
        pieces.append(html[done : closing.end()])
        done = closing.end()
    pieces.append(html[done:])
    return "".join(pieces)


def extract_page(html: str, url: str, options: Selectors | None = None) -> RawExtraction:
    """Everything the normalisers need from one page; never raises on bad markup.

    The page is parsed once (`Page`); every finder reads that one tree and what it caches.
    """
    options = options or Selectors()
    html = shrink_inline_blocks(html)
    page = Page.parse(html, url)
    return _extract_from_page(page, html, options)


def _extract_from_page(page: Page, html: str, options: Selectors) -> RawExtraction:
    tree, url = page.tree, page.url
    raw = RawExtraction(extractor=EXTRACTOR)
    containers = select_elements(tree, options.body) if options.body else []
    if containers:
        raw.body_lines = [line for c in containers for line in paragraphs_of(deepcopy(c))]
    else:
        raw.body_lines = extract_body_lines(html, url, options.drop, page)

    raw.title_candidates = find_title_candidates(page)
    if options.title:
        selected = select_texts(tree, options.title)
        if selected:
            raw.title_candidates = {"site": selected[0], **raw.title_candidates}
    raw.site_name = find_site_name(page)
    descriptions = [
        m.get("content", "").strip()
        for m in tree.iter("meta")
        if (m.get("property") or m.get("name") or "").lower() in ("og:description", "description")
    ]
    raw.description = next((d for d in descriptions if d), None)
    if not containers:
        raw.body_lines = _json_ld_body_if_longer(page, raw.body_lines)
        # the standfirst shown under the headline belongs to the article text
        raw.body_lines = merge_lead(raw.body_lines, find_visible_lead(tree, raw.description))

    selected_dates = select_texts(tree, options.date) if options.date else []
    raw.date_candidates = [DateCandidate(source="site", raw=t) for t in selected_dates]
    raw.date_candidates += find_date_candidates(page, url)
    raw.date_candidates += find_library_date_candidates(page, url, raw.date_candidates)
    raw.author_candidates = (
        select_texts(tree, options.authors) if options.authors else []
    ) + find_author_candidates(page)
    raw.author_accounts = find_author_accounts(page, url)
    raw.read_count_texts = find_read_count_texts(page, options.read_count)
    raw.tag_candidates = find_tag_candidates(page, options.tags)
    raw.section_candidates = find_section_candidates(page, options.section)
    raw.canonical_candidates = find_canonical_candidates(page)
    html_element = tree if tree.tag == "html" else tree.getroottree().getroot()
    raw.html_lang = (html_element.get("lang") or html_element.get("xml:lang") or "").strip() or None
    return raw
