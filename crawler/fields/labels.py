"""What the tag and section finders share: the page's labels and where they are printed.

The page's chrome (menus, sidebars, footers, teaser lists), its main <article> and its
headline, the kicker (the rubric links printed beside the headline), runs of links after a
label ("Tags :", "Catégorie :"), and label text itself (folded, slugified, split lists).
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement

from crawler.fields.html import collapse_space, host_of, text_of
from crawler.fields.page import Page
from crawler.fields.text import strip_accents
from crawler.fields.titles import TITLE_SEPARATOR

HREF_PATH = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?(?://[^/?#]*)?([^?#]*)", re.IGNORECASE)
# Class/id tokens of page chrome: menus, sidebars, teaser lists of *other* articles.
_CHROME_TOKENS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "megamenu",
        "submenu",
        "sidebar",
        "footer",
        "pied",  # French "pied de page"
        "piedpage",
        "widget",
        "trending",
        "related",
        "recommended",
        "recommendations",
        "popular",
        "latest",
        "teaser",
        "teasers",
        "breadcrumb",
        "breadcrumbs",
        "outbrain",
        "taboola",
    }
)
_CHROME_ELEMENTS = frozenset({"nav", "footer", "aside", "form"})
# a footer class naming the article: "entry-footer" (WordPress), "post-footer", "article-footer"
_ARTICLE_FOOTER_TOKENS = frozenset({"entry", "post", "article", "story", "single"})
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
_LIST_PIECES = re.compile(r"[,;]")

# SPIP's templates call the trail "arbo" (arborescence): <p class="arbo">Accueil > Rubrique</p>
BREADCRUMB_MARKERS = re.compile(
    r"breadcrumb|ariane|fil-d-ariane|filariane|(?<![a-z])arbo(?:rescence)?(?![a-z])",
    re.IGNORECASE,
)
BREADCRUMB_SEPARATORS = re.compile(r"^[\s>»›/|\-–—:·•]*$")
YOU_ARE_HERE = re.compile(r"^\s*vous\s+[êe]tes\s+(?:ici)?\s*:?\s*", re.IGNORECASE)
HOME_LABELS = frozenset({"accueil", "home", "homepage", "une", "la une"})
SLUG_LIKE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SECTION_REJECTS = frozenset(
    {
        "accueil",
        "home",
        "actualite",
        "actualites",
        "actu",
        "news",
        "article",
        "articles",
        "non classe",
        "uncategorized",
        "a la une",
        "une",
        "general",
    }
)
_SLUG_NON_WORD = re.compile(r"[\W_]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o"})


# ---------------------------------------------------------------------------- helpers


def fold(text: str) -> str:
    """Accent-folded lower-case words, for loose comparisons."""
    return " ".join(slugify_tag(text).split("-"))


def split_list(value: str) -> list[str]:
    # what splitting on r"\s*[,;]\s*" gives, in linear time: that pattern rescans a long run
    # of spaces from each of them when no separator follows
    parts = _LIST_PIECES.split(value)
    last = len(parts) - 1
    parts = [
        (p.lstrip() if i else p).rstrip() if i < last else (p.lstrip() if i else p)
        for i, p in enumerate(parts)
    ]
    return [part for part in parts if part.strip()]


def class_tokens(element: HtmlElement) -> set[str]:
    raw = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return set(_TOKEN_SPLIT.split(raw)) - {""}


def is_article_footer(element: HtmlElement) -> bool:
    """A footer inside an <article> is the article's own (its tags, its sources), not chrome;
    so is one that says so in its class ("entry-footer", "post-footer", "article-footer")."""
    tokens = class_tokens(element)
    if element.tag != "footer" and "footer" not in tokens:
        return False
    return bool(tokens & _ARTICLE_FOOTER_TOKENS) or bool(element.xpath("ancestor::article"))


def in_chrome(element: HtmlElement) -> bool:
    """Inside a menu, footer, sidebar or a list of other articles' teasers."""
    inside_article = bool(element.xpath("ancestor::article"))
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            break  # <body class="right-sidebar"> describes the page's layout, not this spot
        if is_article_footer(ancestor):
            continue
        if ancestor.tag in _CHROME_ELEMENTS:
            return True
        if ancestor.tag == "header" and not inside_article:
            return True
        if class_tokens(ancestor) & _CHROME_TOKENS:
            return True
    return False


def is_teaser_label(link: HtmlElement) -> bool:
    """A tag link next to another article's headline (h2/h3 link) labels that teaser."""
    for depth, ancestor in enumerate(link.iterancestors()):
        if depth >= 3 or ancestor.tag in ("article", "body"):
            return False
        if ancestor.xpath(".//h2//a | .//h3//a | .//h4//a"):
            return True
    return False


def _text_container(text_node: Any) -> HtmlElement | None:
    """The element a text node is printed in (a tail belongs to its owner's parent)."""
    owner = text_node.getparent()
    return owner.getparent() if owner is not None and text_node.is_tail else owner


def _links_after(container: HtmlElement, text_node: Any) -> list[HtmlElement]:
    """The non-empty links of `container` that come after the label text node."""
    owner = text_node.getparent()
    order = {element: index for index, element in enumerate(container.iter())}
    start = order.get(owner, -1)
    if text_node.is_tail and owner is not None:
        start = max([start, *(order.get(d, start) for d in owner.iterdescendants())])
    return [a for a in container.iter("a") if order[a] > start and text_of(a)]


def labelled_links(
    page: Page, label: re.Pattern[str], *, climbs: int, max_links: int, slack: int
) -> list[list[HtmlElement]]:
    """For each visible plain-text label ("Tags :", "Catégorie :"), the links printed after it.

    The label is text outside any link and outside chrome, 40 characters at most. Its
    container is climbed (up to `climbs` levels, never to <body>) until one holds links after
    the label; they count when there are at most `max_links` of them and the container holds
    little else (`slack` characters besides the label and the links).
    """
    found = []
    for text_node in page.visible_texts:
        text = str(text_node)
        if len(text) > 40 or not label.fullmatch(text):
            continue
        container = _text_container(text_node)
        if container is None or in_chrome(container):
            continue
        for _ in range(climbs):
            links = _links_after(container, text_node)
            if links:
                link_chars = sum(len(text_of(a)) for a in links)
                if len(links) <= max_links and (
                    len(text_of(container)) - link_chars <= len(text) + slack
                ):
                    found.append(links)
                break
            parent = container.getparent()
            if parent is None or parent.tag == "body":
                break
            container = parent
    return found


def main_article(page: Page) -> HtmlElement | None:
    """The <article> holding the page's h1, else the one with the most text."""
    articles = page.tree.xpath("//article[not(ancestor::article)]")
    if not articles:
        return None
    for article in articles:
        if article.find(".//h1") is not None:
            return article
    if len(articles) == 1:
        return articles[0]
    return max(articles, key=lambda el: len(text_of(el)))


_PROSE_BLOCKS = ("p", "blockquote")
_PROSE_CHARS = 100


def in_prose(link: HtmlElement) -> bool:
    """A link inside a paragraph of text ("the #Projet I started") is a mention, not a tag
    list: the paragraph holds far more words than its links."""
    for ancestor in link.iterancestors(*_PROSE_BLOCKS):
        link_chars = sum(len(text_of(a)) for a in ancestor.iter("a"))
        return len(text_of(ancestor)) - link_chars > _PROSE_CHARS
    return False


def as_labels(value: Any) -> list[str]:
    if isinstance(value, str):
        return split_list(value)
    if isinstance(value, list):
        labels: list[str] = []
        for item in value:
            if isinstance(item, str):
                labels.append(item)
            elif isinstance(item, dict) and isinstance(item.get("name"), str):
                labels.append(item["name"])
        return labels
    return []


# ---------------------------------------------------------------------------- kicker

# The "surtitre" (kicker): one to three short rubric/topic links printed right above or below
# the headline ("Entretiens · Méditerranée"). A page without any tag markup or metadata still
# shows its topics there. Only read when nothing better exists.
_KICKER_MAX_LINKS = 3
_KICKER_MAX_WORDS = 4
_KICKER_MAX_CHARS = 40
_KICKER_SIBLINGS = 2
_KICKER_EDGES = " >»›/|·•,;:-–—"
_KICKER_SEPARATORS = re.compile(r"^[\s>»›/|·•,;:\-–—]*$")
# Links that are a person, an account or an action, not a topic.
_KICKER_PATH_REJECTS = frozenset(
    {
        "auteur",
        "auteurs",
        "author",
        "authors",
        "signataire",
        "signataires",
        "journaliste",
        "journalistes",
        "profil",
        "profile",
        "user",
        "users",
        "membre",
        "compte",
        "account",
        "login",
        "connexion",
        "abonnement",
        "abonnements",
        "newsletter",
        "newsletters",
        "search",
        "recherche",
    }
)
_KICKER_CHROME_TOKENS = frozenset(
    {
        "author",
        "authors",
        "auteur",
        "auteurs",
        "byline",
        "signature",
        "share",
        "sharing",
        "partage",
        "social",
        "date",
        "meta",
    }
)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_YEAR_SEGMENT = re.compile(r"(?:^|[^0-9])(?:19|20)\d\d(?:[^0-9]|$)")
_ARTICLE_SLUG_WORDS = 5
_HEADLINE_MIN_WORDS = 3


def _is_kicker_href(href: str, page_host: str | None) -> bool:
    """A link to a rubric or topic page of the same site (not an article, a person, a share)."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return False
    host = host_of(href)
    if host and page_host and host != page_host:
        return False
    if _SCHEME.match(href) and not href.lower().startswith(("http:", "https:")):
        return False
    match = HREF_PATH.match(href)
    path = (match.group(1) if match else "").lower()
    segments = [s for s in path.split("/") if s]
    if not segments and "?" not in href:
        return False  # the home page
    if any(segment in _KICKER_PATH_REJECTS for segment in segments):
        return False
    if _YEAR_SEGMENT.search(path):
        return False  # a dated URL is an article, not a rubric
    last = segments[-1] if segments else ""
    return len(_SLUG_NON_WORD.sub(" ", last).split()) < _ARTICLE_SLUG_WORDS


def _kicker_links(block: HtmlElement, page_host: str | None) -> list[HtmlElement] | None:
    """The links of a block that is nothing but a short run of rubric links, else None."""
    if not isinstance(block.tag, str) or block.tag in ("h1", "script", "style", "time", "img"):
        return None
    if class_tokens(block) & (_KICKER_CHROME_TOKENS | _CHROME_TOKENS):
        return None
    if BREADCRUMB_MARKERS.search(f"{block.get('class') or ''} {block.get('id') or ''}"):
        return None
    links = [block] if block.tag == "a" else list(block.iter("a"))
    if not 1 <= len(links) <= _KICKER_MAX_LINKS:
        return None
    rest = text_of(block)
    for link in links:
        label = text_of(link)
        if (
            not label
            or len(label) > _KICKER_MAX_CHARS
            or len(label.split()) > _KICKER_MAX_WORDS
            or not any(ch.isalpha() for ch in label)
            or not _is_kicker_href(link.get("href") or "", page_host)
            or fold(label) in SECTION_REJECTS
            or fold(label) in HOME_LABELS
        ):
            return None
        rest = rest.replace(label, " ", 1)
    if not _KICKER_SEPARATORS.match(rest):
        return None  # other words around the links: a byline, a dateline, a sentence
    return links


def _kicker_headline(page: Page) -> HtmlElement | None:
    """The headline the kicker is printed beside: the first h1 of three words or more in the
    main <article>, else the first outside chrome; on a page without any h1, the element
    that prints the og:title / <title> headline.

    A variant of `Page.headline` (see crawler/fields/headline.py): on the evaluation pages
    the shared rule took other blocks' links for the kicker ("Zurück zur Übersicht").
    """
    article = page.once(main_article)
    scope = article if article is not None else page.tree
    for h1 in scope.iter("h1"):
        if len(text_of(h1).split()) >= _HEADLINE_MIN_WORDS and (
            article is not None or not in_chrome(h1)
        ):
            return h1  # a one- or two-word h1 is a logo or a section name, not the headline
    if page.tree.find(".//h1") is None:
        return _headline_without_h1(page)
    return None


_HEADLINE_MAX_SUFFIX_WORDS = 8


def _headline_without_h1(page: Page) -> HtmlElement | None:
    """The first element outside chrome whose own text is a meta title (maybe less a suffix)."""
    titles = page.meta_contents("og:title", "twitter:title")
    head_title = page.tree.find(".//head/title")
    if head_title is not None:
        titles.append(text_of(head_title))
    # each title as a whole, and its head before every site-name separator
    keys = {fold(title) for title in titles if title}
    for title in titles:
        for match in TITLE_SEPARATOR.finditer(title):
            if len(title[match.end() :].split()) <= _HEADLINE_MAX_SUFFIX_WORDS:
                keys.add(fold(title[: match.start()]))
    keys.discard("")
    if not keys:
        return None
    for node in page.visible_texts:
        text = collapse_space(str(node))
        if len(text.split()) < _HEADLINE_MIN_WORDS or len(text) > 300:
            continue
        element = node.getparent()
        if element is None or node.is_tail or element.tag in ("script", "style", "title"):
            continue
        if collapse_space(text_of(element)) != text:
            continue  # the element holds more than this text
        if fold(text) in keys and not in_chrome(element):
            return element
    return None


def kicker_labels(page: Page) -> list[str]:
    """Labels of the rubric/topic links printed next to the headline (see above)."""
    headline = page.once(_kicker_headline)
    if headline is None:
        return []
    page_host = page.host
    levels = [headline]
    parent = headline.getparent()
    if parent is not None and parent.tag not in ("body", "html", "article"):
        levels.append(parent)
    for node in levels:
        before = _element_siblings(node, preceding=True)
        after = _element_siblings(node, preceding=False)
        for block in (*before, *after):
            links = _kicker_links(block, page_host)
            if links:
                labels = [collapse_space(text_of(link)).strip(_KICKER_EDGES) for link in links]
                return [label for label in labels if label]
    return []


def _element_siblings(node: HtmlElement, *, preceding: bool) -> list[HtmlElement]:
    found: list[HtmlElement] = []
    for sibling in node.itersiblings(preceding=preceding):
        if isinstance(sibling.tag, str):
            found.append(sibling)
            if len(found) >= _KICKER_SIBLINGS:
                break
    return found


def slugify_tag(label: str) -> str:
    """Accent-folded, lower-case, hyphen-joined: "Côte d'Ivoire" → "cote-d-ivoire"."""
    stripped = strip_accents(label.translate(_LIGATURES))
    return _SLUG_NON_WORD.sub("-", stripped.lower()).strip("-")


# a date printed among the tag links ("13. Februar 2017", "19 FEB 2020 - 18:37 CET"): a day
# or time number beside a year
_DATE_LABEL = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMBER = re.compile(r"\d+")


def is_date_label(label: str) -> bool:
    """ "13. Februar 2017", "2020-02-19": a year and another number; "Élections 2020" is a tag."""
    return bool(_DATE_LABEL.search(label)) and len(_NUMBER.findall(label)) >= 2
