"""The article's headline element: the one answer every finder reads (`Page.headline`).

The dates, the tags' kicker and the authors' byline are all looked for next to the headline,
so they must agree on which element it is. An h1 is preferred: inside <article> first, then
one whose class says title or headline, then a long one; a page without any h1 gets the
element whose text is the page's own title (og:title, or <title> less its site suffix).

Variants that stay, each named where it is used, because the shared rule changed their
output for the worse on the evaluation pages (bench/extract_cpu.py --dump, 24 fields on 16
broad pages, none on dev: bylines lost, "Zurück zur Übersicht" taken for a tag):
- authors `_byline_headline`: the first body h1 outside navigation; a byline follows it;
- labels `_kicker_headline`: the first h1 of 3+ words in the main <article> or outside
  chrome; the kicker's rubric links sit beside it;
- body_tree `text_beside_headline`: the page's only h1, on trafilatura's own (pruned) tree;
- titles `_best_h1`: the h1 *text* that echoes a meta title, a vote among titles.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from crawler.fields.html import meta_contents, normalise_space, short_text

# Elements that may carry the headline when a page has no <h1> (checked against the title).
_HEADLINE_HINT_XPATH = (
    "//body//*[self::h2 or @itemprop='headline' or contains(@class,'titre')"
    " or contains(@class,'title') or contains(@class,'headline')]"
)
_TITLE_SEPARATOR_RE = re.compile(r"^\s*[-|–—:·•»]")
_TITLE_SEPARATOR_END_RE = re.compile(r"\s[-|–—:·•»]\s*$")


def main_headline(tree: HtmlElement) -> HtmlElement | None:
    """The article's h1: inside <article> first, then one that looks like a title, then any.

    A page without an h1 gets the element whose text is the page's own title (og:title, or
    the <title> before its " - Site" suffix): a <div class="titre">, an h2...
    """
    headlines = [h1 for h1 in tree.iter("h1") if (_short_text(h1, 500) or "")]
    if not headlines:
        return headline_by_title(tree)

    def score(h1: HtmlElement) -> tuple[bool, bool, bool]:
        hints = f"{h1.get('class') or ''} {h1.get('itemprop') or ''}".lower()
        return (
            next(h1.iterancestors("article"), None) is None,
            "title" not in hints and "headline" not in hints,
            len(_short_text(h1, 500) or "") < 15,
        )

    return min(headlines, key=score)


def headline_by_title(tree: HtmlElement) -> HtmlElement | None:
    titles = [normalise_space(t).casefold() for t in meta_contents(tree, "og:title")]
    titles += [normalise_space(t.text_content()).casefold() for t in tree.iter("title")]
    titles = [t for t in titles if t]
    if not titles:
        return None
    for element in tree.xpath(_HEADLINE_HINT_XPATH):
        text = (_short_text(element, 300) or "").casefold()
        if len(text) < 15:
            continue
        for title in titles:
            if (
                title == text
                or (title.startswith(text) and _TITLE_SEPARATOR_RE.match(title[len(text) :]))
                # "Site - Rubrique - Headline": the site name first
                or (title.endswith(text) and _TITLE_SEPARATOR_END_RE.search(title[: -len(text)]))
            ):
                return element
    return None


def _short_text(element: HtmlElement, limit: int) -> str | None:
    return short_text(element, limit, normalise_space)
