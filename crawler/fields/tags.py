"""Tags and section of an article: what the page shows first, page metadata as a fallback.

Visible tag links are preferred because researchers want the labels *as displayed*; the
structured metadata (article:tag, JSON-LD keywords) comes next, and <meta name=keywords>,
often a stale SEO list, only when nothing else exists.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import islice
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from crawler.fields.html import collapse_space, meta_contents, text_of
from crawler.fields.page import Page
from crawler.fields.titles import TITLE_SEPARATOR
from crawler.items import Tag

MAX_TAGS = 50
_MAX_LABEL_CHARS = 80

_TAG_PATH_SEGMENTS = frozenset(
    {
        "tag",
        "tags",
        "mot-cle",
        "mots-cle",
        "mots-cles",
        "motcle",
        "sujet",
        "sujets",
        "theme",
        "themes",
        "keyword",
        "keywords",
        "etiquette",
        "etiquettes",
    }
)
_HREF_PATH = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?(?://[^/?#]*)?([^?#]*)", re.IGNORECASE)
# SPIP, common on francophone sites, writes keyword pages as "+-mot-+.html" (URL propres),
# "mot12.html" or "spip.php?mot12" / "?page=mot&id_mot=12"; "-rubrique-.html" is a section.
_SPIP_KEYWORD_SEGMENT = re.compile(r"^(?:\+-.+-\+(?:\.html?)?|mot\d+(?:\.html?)?)$", re.IGNORECASE)
_SPIP_KEYWORD_QUERY = re.compile(r"[?&](?:mot\d+(?:&|$)|id_mot=\d|page=mot(?:&|$))", re.IGNORECASE)
# class/id pieces of a block that holds the article's tags: inside it, a tag link counts even
# when an outer block looks like a menu (a "Mots-clés" dropdown is a menu of tags).
_TAG_BOX_TOKENS = frozenset(
    {"tags", "tag", "mots", "motscles", "keywords", "etiquettes", "sujets", "topics"}
)
_TAG_BOX_DEPTH = 4
# a tag block in one of these is the site's list of topics ("sidebar-tags", a "widget
# tag-cloud", "nuage de tags"), the same on every page
_SITE_WIDE_BOX_TOKENS = frozenset({"sidebar", "widget", "cloud", "tagcloud", "nuage"})
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
_TAG_LINE_LABEL = re.compile(
    r"^\s*(?:tags?|mots?[- ]?cl[ée]s?|th[èe]mes?|sujets?|[ée]tiquettes?|keywords?)\s*:?\s*",
    re.IGNORECASE,
)
_LIST_PIECES = re.compile(r"[,;]")

# SPIP's templates call the trail "arbo" (arborescence): <p class="arbo">Accueil > Rubrique</p>
_BREADCRUMB_MARKERS = re.compile(
    r"breadcrumb|ariane|fil-d-ariane|filariane|(?<![a-z])arbo(?:rescence)?(?![a-z])",
    re.IGNORECASE,
)
_BREADCRUMB_SEPARATORS = re.compile(r"^[\s>»›/|\-–—:·•]*$")
_YOU_ARE_HERE = re.compile(r"^\s*vous\s+[êe]tes\s+(?:ici)?\s*:?\s*", re.IGNORECASE)
_HOME_LABELS = frozenset({"accueil", "home", "homepage", "une", "la une"})
_SLUG_LIKE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_SECTION_REJECTS = frozenset(
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
# A lower-case machine slug with two or more of these words is a CMS flag leaking into
# article:tag ("article-payant-classique", "type-article-premium"), not a topic.
_FLAG_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_FLAG_WORDS = frozenset(
    {
        "article",
        "articles",
        "payant",
        "payants",
        "premium",
        "abonne",
        "abonnes",
        "paywall",
        "free",
        "gratuit",
        "sponsored",
        "sponsorise",
        "template",
        "type",
        "format",
        "layout",
        "classique",
        "standard",
        "longform",
        "amp",
        "noindex",
        "nofollow",
    }
)
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o"})


# ---------------------------------------------------------------------------- helpers


def _fold(text: str) -> str:
    """Accent-folded lower-case words, for loose comparisons."""
    return " ".join(slugify_tag(text).split("-"))


def select(tree: HtmlElement, selector: str) -> list[HtmlElement]:
    """Elements matched by a site-file selector: XPath when it starts with "/" or "(", else CSS."""
    try:
        if selector.lstrip().startswith(("/", "(")):
            found = tree.xpath(selector)
        else:
            found = tree.cssselect(selector)
    except (etree.XPathError, ValueError, SyntaxError, ImportError):
        return []
    return [el for el in found if isinstance(el, etree.ElementBase)]


def _split_list(value: str) -> list[str]:
    # what splitting on r"\s*[,;]\s*" gives, in linear time: that pattern rescans a long run
    # of spaces from each of them when no separator follows
    parts = _LIST_PIECES.split(value)
    last = len(parts) - 1
    parts = [
        (p.lstrip() if i else p).rstrip() if i < last else (p.lstrip() if i else p)
        for i, p in enumerate(parts)
    ]
    return [part for part in parts if part.strip()]


def _labels_from_element(element: HtmlElement) -> list[str]:
    """A selected element gives its links' texts, a meta its comma list, else its own text."""
    if element.tag == "meta":
        return _split_list(element.get("content") or "")
    links = [element] if element.tag == "a" else element.findall(".//a")
    if links:
        return [text_of(link) for link in links]
    text = _TAG_LINE_LABEL.sub("", text_of(element))
    return _split_list(text)


def _class_tokens(element: HtmlElement) -> set[str]:
    raw = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return set(_TOKEN_SPLIT.split(raw)) - {""}


def _is_article_footer(element: HtmlElement) -> bool:
    """A footer inside an <article> is the article's own (its tags, its sources), not chrome;
    so is one that says so in its class ("entry-footer", "post-footer", "article-footer")."""
    tokens = _class_tokens(element)
    if element.tag != "footer" and "footer" not in tokens:
        return False
    return bool(tokens & _ARTICLE_FOOTER_TOKENS) or bool(element.xpath("ancestor::article"))


def _in_chrome(element: HtmlElement) -> bool:
    """Inside a menu, footer, sidebar or a list of other articles' teasers."""
    inside_article = bool(element.xpath("ancestor::article"))
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            break  # <body class="right-sidebar"> describes the page's layout, not this spot
        if _is_article_footer(ancestor):
            continue
        if ancestor.tag in _CHROME_ELEMENTS:
            return True
        if ancestor.tag == "header" and not inside_article:
            return True
        if _class_tokens(ancestor) & _CHROME_TOKENS:
            return True
    return False


def _is_teaser_label(link: HtmlElement) -> bool:
    """A tag link next to another article's headline (h2/h3 link) labels that teaser."""
    for depth, ancestor in enumerate(link.iterancestors()):
        if depth >= 3 or ancestor.tag in ("article", "body"):
            return False
        if ancestor.xpath(".//h2//a | .//h3//a | .//h4//a"):
            return True
    return False


def _has_tag_href(link: HtmlElement) -> bool:
    href = (link.get("href") or "").strip()
    match = _HREF_PATH.match(href)
    path = match.group(1).lower() if match else ""
    segments = path.split("/")
    # "/tags/budget/" names a tag; "/tags/" alone is the index of all of them
    if any(
        segment in _TAG_PATH_SEGMENTS and any(segments[index + 1 :])
        for index, segment in enumerate(segments)
    ):
        return True
    return bool(_SPIP_KEYWORD_SEGMENT.match(segments[-1]) or _SPIP_KEYWORD_QUERY.search(href))


def _is_site_wide_box(element: HtmlElement) -> bool:
    """A sidebar, a widget or a tag cloud: the site's topics, not this article's. An <aside>
    inside the <article> is the article's own (HTML5 themes put its tags there)."""
    if _class_tokens(element) & _SITE_WIDE_BOX_TOKENS:
        return True
    return element.tag == "aside" and not element.xpath("ancestor::article")


def _in_tag_box(link: HtmlElement) -> bool:
    """A close ancestor is marked as the tag block ("tags", "mots-cles"), not in nav/footer,
    and neither it nor anything around it is a sidebar, a widget or a tag cloud."""
    for depth, ancestor in enumerate(link.iterancestors()):
        if depth >= _TAG_BOX_DEPTH or ancestor.tag in ("nav", "body"):
            return False
        if ancestor.tag == "footer" and not _is_article_footer(ancestor):
            return False
        if _is_site_wide_box(ancestor):
            return False
        if _class_tokens(ancestor) & _TAG_BOX_TOKENS:
            return not any(
                a.tag == "nav"
                or (a.tag == "footer" and not _is_article_footer(a))
                or _is_site_wide_box(a)
                for a in ancestor.iterancestors()
            )
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


def _labelled_links(
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
        if container is None or _in_chrome(container):
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


def _tag_line_links(page: Page) -> set[HtmlElement]:
    """Links of a visible "Tags : A B" / "Mots-clés : A, B" line (label text, then links).

    The label must be plain text (a "Mots-clés" *link* is a menu toggle), and the container
    climbed to must hold little besides the label and its links.
    """
    found: set[HtmlElement] = set()
    for links in _labelled_links(page, _TAG_LINE_LABEL, climbs=3, max_links=40, slack=30):
        found.update(links)
    return found


_TAG_LINE_INLINE = re.compile(
    r"^\s*(?:tags?|mots?[- ]?cl[ée]s?|th[èe]mes?|[ée]tiquettes?|keywords?)\s*:\s*\S", re.I
)
_LINE_ITEM_SPLIT = re.compile(r"\s*[,;|]\s*")
_MAX_PLAIN_TAG_CHARS = 40


def _tag_line_texts(page: Page) -> list[str]:
    """Items of a "Tags: A B" line written without links: child elements, else a list.

    Outlets that do not link their tags print them as <span>s or as "A, B" after the label.
    """
    for text_node in page.visible_texts:
        label = str(text_node)
        alone = len(label) <= 40 and _TAG_LINE_LABEL.fullmatch(label)
        if not alone and not (len(label) <= 300 and _TAG_LINE_INLINE.match(label)):
            continue
        container = text_node.getparent()
        if container is None or _in_chrome(container) or container.find(".//a") is not None:
            continue
        items = [
            text_of(child)
            for child in container
            if isinstance(child.tag, str) and child.tag not in ("br", "script", "style")
        ]
        items = [item for item in items if 0 < len(item) <= _MAX_PLAIN_TAG_CHARS]
        if not items:
            rest = _TAG_LINE_LABEL.sub("", text_of(container), count=1)
            items = [i for i in _LINE_ITEM_SPLIT.split(rest) if 0 < len(i) <= _MAX_PLAIN_TAG_CHARS]
        if items:
            return items
    return []


def _main_article(page: Page) -> HtmlElement | None:
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


def _in_prose(link: HtmlElement) -> bool:
    """A link inside a paragraph of text ("the #Projet I started") is a mention, not a tag
    list: the paragraph holds far more words than its links."""
    for ancestor in link.iterancestors(*_PROSE_BLOCKS):
        link_chars = sum(len(text_of(a)) for a in ancestor.iter("a"))
        return len(text_of(ancestor)) - link_chars > _PROSE_CHARS
    return False


def _visible_tag_labels(page: Page) -> list[str]:
    line_links = _tag_line_links(page)
    chosen: list[HtmlElement] = []
    for link in page.tree.iter("a"):
        if _in_prose(link):
            continue
        rel_tokens = (link.get("rel") or "").lower().split()
        if link in line_links:
            chosen.append(link)
        elif "tag" in rel_tokens and "category" not in rel_tokens:
            # WordPress writes rel="category tag" for the category: that is the section.
            ancestors = [a.tag for a in link.iterancestors()]
            in_article = "article" in ancestors
            if not any(
                t in ("nav", "aside") or (t == "footer" and not in_article) for t in ancestors
            ):
                chosen.append(link)
        elif (
            _has_tag_href(link)
            and (_in_tag_box(link) or not _in_chrome(link))
            and not _is_teaser_label(link)
        ):
            chosen.append(link)
    article = page.once(_main_article)
    if article is not None:
        inside = [link for link in chosen if article in set(link.iterancestors())]
        if inside:
            chosen = inside
    return [text_of(link) for link in chosen]


def _json_ld_keywords(page: Page) -> list[str]:
    labels: list[str] = []
    for article in page.json_ld_articles:
        labels.extend(_as_labels(article.get("keywords")))
    return labels


def _as_labels(value: Any) -> list[str]:
    if isinstance(value, str):
        return _split_list(value)
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
_HOST = re.compile(r"^\s*(?:https?:)?//([^/?#:]+)", re.IGNORECASE)
_YEAR_SEGMENT = re.compile(r"(?:^|[^0-9])(?:19|20)\d\d(?:[^0-9]|$)")
_ARTICLE_SLUG_WORDS = 5
_HEADLINE_MIN_WORDS = 3


def _page_host(page: Page) -> str | None:
    """The host of the page's canonical URL (or og:url), lower-case without "www.", if any."""
    hrefs = [link.get("href") or "" for link in page.tree.iter("link") if _is_canonical(link)]
    hrefs += meta_contents(page.tree, "og:url")
    for href in hrefs:
        host = _host(href)
        if host:
            return host
    return None


def _is_canonical(link: HtmlElement) -> bool:
    return "canonical" in (link.get("rel") or "").lower().split()


def _host(href: str) -> str:
    match = _HOST.match(href)
    return match.group(1).lower().removeprefix("www.") if match else ""


def _is_kicker_href(href: str, page_host: str | None) -> bool:
    """A link to a rubric or topic page of the same site (not an article, a person, a share)."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return False
    host = _host(href)
    if host and page_host and host != page_host:
        return False
    if _SCHEME.match(href) and not href.lower().startswith(("http:", "https:")):
        return False
    match = _HREF_PATH.match(href)
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
    if _class_tokens(block) & (_KICKER_CHROME_TOKENS | _CHROME_TOKENS):
        return None
    if _BREADCRUMB_MARKERS.search(f"{block.get('class') or ''} {block.get('id') or ''}"):
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
            or _fold(label) in _SECTION_REJECTS
            or _fold(label) in _HOME_LABELS
        ):
            return None
        rest = rest.replace(label, " ", 1)
    if not _KICKER_SEPARATORS.match(rest):
        return None  # other words around the links: a byline, a dateline, a sentence
    return links


def _main_headline(page: Page) -> HtmlElement | None:
    """The article's h1: the first one in the main <article>, else the first outside chrome;
    on a page without one, the element that prints the og:title / <title> headline."""
    article = page.once(_main_article)
    scope = article if article is not None else page.tree
    for h1 in scope.iter("h1"):
        if len(text_of(h1).split()) >= _HEADLINE_MIN_WORDS and (
            article is not None or not _in_chrome(h1)
        ):
            return h1  # a one- or two-word h1 is a logo or a section name, not the headline
    if page.tree.find(".//h1") is None:
        return _headline_without_h1(page)
    return None


_HEADLINE_MAX_SUFFIX_WORDS = 8


def _headline_without_h1(page: Page) -> HtmlElement | None:
    """The first element outside chrome whose own text is a meta title (maybe less a suffix)."""
    titles = meta_contents(page.tree, "og:title", "twitter:title")
    head_title = page.tree.find(".//head/title")
    if head_title is not None:
        titles.append(text_of(head_title))
    # each title as a whole, and its head before every site-name separator
    keys = {_fold(title) for title in titles if title}
    for title in titles:
        for match in TITLE_SEPARATOR.finditer(title):
            if len(title[match.end() :].split()) <= _HEADLINE_MAX_SUFFIX_WORDS:
                keys.add(_fold(title[: match.start()]))
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
        if _fold(text) in keys and not _in_chrome(element):
            return element
    return None


def _kicker_labels(page: Page) -> list[str]:
    """Labels of the rubric/topic links printed next to the headline (see above)."""
    headline = _main_headline(page)
    if headline is None:
        return []
    page_host = _page_host(page)
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


# ---------------------------------------------------------------------------- tags


_SITE_WIDE_KEYWORDS = {
    "news",
    "actualite",
    "actualites",
    "actu",
    "information",
    "informations",
    "info",
    "infos",
    "journal",
    "presse",
    "accueil",
}


def find_tag_candidates(source: Page | HtmlElement, selector: str | None = None) -> list[str]:
    """Tag labels in page order, from the best source that has any (see module docstring),
    then the article's categories when it is filed in several."""
    page = Page.of(source)
    if selector:
        selected = select(page.tree, selector)
        from_site = [label for el in selected for label in _labels_from_element(el)]
        if from_site:
            return [collapse_space(label) for label in from_site if label.strip()]
    labels = _tag_labels(page)
    # a post filed in several categories: the first is its section, all of them label it
    categories = _category_labels(page)
    return labels + [c for c in categories if c not in labels]


_MAX_CATEGORIES = 12
_MAX_CATEGORY_BLOCKS = 2
_CATEGORY_BLOCKS = ("div", "p", "ul", "ol", "footer", "header", "section", "article", "td")


def _post_container(page: Page) -> HtmlElement | None:
    """The post's own container as WordPress's post_class() marks it ("post-443 hentry
    category-sport tag-budget"): the one holding the h1, else the first."""
    containers = page.tree.xpath(
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' hentry ') or "
        "contains(concat(' ', normalize-space(@class), ' '), ' type-post ')]"
    )
    for container in containers:
        if container.find(".//h1") is not None:
            return container
    return containers[0] if containers else None


def _href_slug(href: str) -> str:
    match = _HREF_PATH.match(href.strip())
    segments = [part for part in (match.group(1) if match else "").split("/") if part]
    return segments[-1].lower() if segments else ""


def _post_class_categories(page: Page) -> list[str] | None:
    """Labels of the category links the post's container names in its classes (its
    "category-<slug>" list), wherever the theme prints them; None without such a container."""
    container = page.once(_post_container)
    if container is None:
        return None
    slugs = {
        t[len("category-") :] for t in _class_tokens_raw(container) if t.startswith("category-")
    }
    if not slugs:
        return None
    labels = []
    for link in container.iter("a"):
        if (
            "category" in (link.get("rel") or "").lower().split()
            and _href_slug(link.get("href") or "") in slugs
        ):
            labels.append(collapse_space(text_of(link)))
    return _dedupe_labels(labels)


def _class_tokens_raw(element: HtmlElement) -> list[str]:
    return (element.get("class") or "").lower().split()


def _category_labels(page: Page) -> list[str]:
    """The article's own WordPress categories (rel="category tag"), when it has two or more."""
    labels = _post_class_categories(page)
    if labels is None:
        article = page.once(_main_article)
        groups: dict[HtmlElement, list[HtmlElement]] = {}
        for link in (article if article is not None else page.tree).iter("a"):
            rel = (link.get("rel") or "").lower().split()
            if "category" in rel and not _in_chrome(link) and not _is_teaser_label(link):
                block = next(link.iterancestors(*_CATEGORY_BLOCKS), None)
                groups.setdefault(block if block is not None else link, []).append(link)
        # the first block printing several; many blocks are a list of teasers, each with its own
        found = next((links for links in groups.values() if len(links) >= 2), [])
        if len(groups) > _MAX_CATEGORY_BLOCKS:
            found = []
        labels = _dedupe_labels([collapse_space(text_of(link)) for link in found])
    # one category is the section; a dozen are the site's list of them
    return labels if 2 <= len(labels) <= _MAX_CATEGORIES else []


def _dedupe_labels(labels: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for label in labels:
        if label and label.casefold() not in seen:
            seen.add(label.casefold())
            kept.append(label)
    return kept


def _tag_labels(page: Page) -> list[str]:
    """Tag labels in page order, from the best source that has any."""
    visible = _visible_tag_labels(page)
    if any(label.strip() for label in visible):
        return [collapse_space(label) for label in visible if label.strip()]
    plain = _tag_line_texts(page)
    if plain:
        return [collapse_space(label) for label in plain]
    structured = list(meta_contents(page.tree, "article:tag"))
    structured = [part for value in structured for part in _split_list(value)]
    structured += [p for v in meta_contents(page.tree, "news_keywords") for p in _split_list(v)]
    structured += _json_ld_keywords(page)
    if structured:
        return [collapse_space(label) for label in structured]
    kicker = page.once(_kicker_labels)
    if kicker:
        return kicker
    metas = meta_contents(page.tree, "keywords")
    keywords = [collapse_space(p) for v in metas for p in _split_list(v)]
    if any(slugify_tag(k) in _SITE_WIDE_KEYWORDS for k in keywords):
        return []  # the site's own keyword list, repeated on every page, says nothing of this one
    return keywords


def slugify_tag(label: str) -> str:
    """Accent-folded, lower-case, hyphen-joined: "Côte d'Ivoire" → "cote-d-ivoire"."""
    decomposed = unicodedata.normalize("NFKD", label.translate(_LIGATURES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SLUG_NON_WORD.sub("-", stripped.lower()).strip("-")


_LABEL_QUOTES = " \t\"'«»„“”‚‘’‹›"
# a date printed among the tag links ("13. Februar 2017", "19 FEB 2020 - 18:37 CET"): a day
# or time number beside a year
_DATE_LABEL = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMBER = re.compile(r"\d+")


def _is_date(label: str) -> bool:
    """ "13. Februar 2017", "2020-02-19": a year and another number; "Élections 2020" is a tag."""
    return bool(_DATE_LABEL.search(label)) and len(_NUMBER.findall(label)) >= 2


def _is_cms_flag(label: str) -> bool:
    """ "article-payant-classique": a hyphenated lower-case slug made of CMS flag words."""
    if not _FLAG_SLUG.match(label):
        return False
    return sum(part in _FLAG_WORDS for part in re.split(r"[-_]", label)) >= 2


def normalise_tags(labels: list[str]) -> list[Tag]:
    """Trimmed labels, one per slug (first label wins), page order kept, at most MAX_TAGS."""
    tags: list[Tag] = []
    seen: set[str] = set()
    for raw in labels:
        label = collapse_space(raw).strip(",;")
        label = label.strip(_LABEL_QUOTES)
        if not label or len(label) > _MAX_LABEL_CHARS or _is_cms_flag(label) or _is_date(label):
            continue
        slug = slugify_tag(label)
        if not slug or slug in seen:
            continue
        seen.add(slug)
        tags.append(Tag(label=label, slug=slug))
        if len(tags) >= MAX_TAGS:
            break
    return tags


# ---------------------------------------------------------------------------- section


def _breadcrumb_items_json_ld(page: Page) -> list[tuple[str, str]]:
    """(name, url) of the first JSON-LD BreadcrumbList, by position."""
    for obj in page.json_ld_objects:
        types = obj.get("@type")
        names = {str(t).lower() for t in (types if isinstance(types, list) else [types])}
        if "breadcrumblist" not in names:
            continue
        elements = obj.get("itemListElement")
        if not isinstance(elements, list):
            continue
        ranked: list[tuple[float, str, str]] = []
        for index, element in enumerate(elements):
            if not isinstance(element, dict):
                continue
            item = element.get("item")
            name = element.get("name")
            url = ""
            if isinstance(item, dict):
                name = name or item.get("name")
                url = str(item.get("@id") or item.get("url") or "")
            elif isinstance(item, str):
                url = item
            try:
                position = float(element.get("position", index))
            except (TypeError, ValueError):
                position = float(index)
            if isinstance(name, str) and name.strip():
                ranked.append((position, collapse_space(name), url))
        ranked.sort(key=lambda entry: entry[0])
        return [(name, url) for _, name, url in ranked]
    return []


def _breadcrumb_items_html(page: Page) -> list[tuple[str, str]]:
    """(text, href) of the items of the first breadcrumb trail in the markup."""
    for container in page.tree.xpath("//nav | //ol | //ul | //div | //p"):
        marker = f"{container.get('class') or ''} {container.get('id') or ''}"
        marker += f" {container.get('aria-label') or ''} {container.get('itemtype') or ''}"
        if not _BREADCRUMB_MARKERS.search(marker) and "breadcrumblist" not in marker.lower():
            continue
        items = container.findall(".//li") or container.findall(".//a")
        entries: list[tuple[str, str]] = []
        for item in items:
            if item.tag == "li" and item.find(".//li") is not None:
                continue  # a wrapper li: its inner li are the items
            text = _YOU_ARE_HERE.sub("", text_of(item))
            if _BREADCRUMB_SEPARATORS.match(text):
                continue
            link = item if item.tag == "a" else item.find(".//a")
            entries.append((text, (link.get("href") or "") if link is not None else ""))
        if entries:
            return entries
    return []


def _page_title_keys(page: Page) -> list[str]:
    titles = meta_contents(page.tree, "og:title", "twitter:title")
    titles += [text_of(h1) for h1 in page.tree.iter("h1")]
    titles += [str(a.get("headline")) for a in page.json_ld_articles if a.get("headline")]
    return [_fold(t) for t in titles if t]


_TRAIL_HEADLINE_WORDS = 3


def _is_site_root(url: str) -> bool:
    """A link to the site's root ("/", "https://example.de/"): the home item of a trail,
    whatever the language calls it ("Startseite", "Inicio", "Strona główna")."""
    url = url.strip()
    if not url or url[0] in "#?" or "?" in url:
        return False  # "#" (a script's link) or a query names no page of its own
    match = _HREF_PATH.match(url)
    return match is not None and match.group(1).strip("/") == ""


def _section_from_breadcrumb(items: list[tuple[str, str]], title_keys: list[str]) -> str | None:
    """The last trail item before the article itself; the home item never counts."""
    names = [
        (name, url)
        for name, url in items
        if name and _fold(name) not in _HOME_LABELS and not _is_site_root(url)
    ]
    if not names:
        return None
    last_name, last_url = names[-1]
    last_key = _fold(last_name)
    # a trail item that begins the headline is the article's own (a shortened headline), but
    # a one- or two-word section that is the headline's first word is not ("Madagascar" in
    # "Madagascar : le cyclone…")
    is_article = (
        len(last_name.split()) > 6
        or (len(items) > 1 and not last_url)
        or any(
            key
            and (
                (key.startswith(last_key) and len(last_key.split()) >= _TRAIL_HEADLINE_WORDS)
                or last_key.startswith(key)
            )
            for key in title_keys
        )
    )
    if is_article:
        names = names[:-1]
    return names[-1][0] if names else None


_CATEGORY_LABEL = re.compile(
    r"^\s*(?:cat[ée]gories?|rubriques?|(?:publi[ée]|class[ée])e?\s+dans|category|categories"
    r"|filed\s+under|posted\s+in)\s*:?\s*$",
    re.IGNORECASE,
)
_CATEGORY_MAX_CHARS = 40


def _microdata_sections(page: Page) -> list[str]:
    """schema.org microdata: itemprop="articleSection" (a meta's content or the element's text)."""
    found = []
    for element in page.tree.xpath('//*[@itemprop="articleSection"]'):
        value = element.get("content") if element.tag == "meta" else text_of(element)
        if value and not _in_chrome(element):
            found.append(value)
    return found


def _category_links(page: Page) -> list[str]:
    """The article's category as its CMS prints it by the headline or the date.

    WordPress marks it rel="category tag"; Joomla, SPIP and many themes write a label, then
    the link ("Catégorie : Société", "Rubrique : Économie", "Publié dans Sport"). Links in
    menus, sidebars and teaser lists do not count; inside the main <article>, its own wins.
    """
    found: list[HtmlElement] = []
    for link in page.tree.iter("a"):
        rel = (link.get("rel") or "").lower().split()
        if "category" in rel and not _in_chrome(link) and not _is_teaser_label(link):
            found.append(link)
    for links in _labelled_links(page, _CATEGORY_LABEL, climbs=2, max_links=3, slack=10):
        found.append(links[0])
    article = page.once(_main_article)
    if article is not None:
        inside = [link for link in found if article in set(link.iterancestors())]
        found = inside or found
    labels = [collapse_space(text_of(link)) for link in found]
    return [label for label in labels if 0 < len(label) <= _CATEGORY_MAX_CHARS]


# the path segment of a CMS's category pages ("/category/politics/", "/news/categories/x",
# Drupal's "/kategorie/", Joomla's "/categoria/"), in the languages of the pages we meet
_CATEGORY_PATH_SEGMENTS = frozenset(
    {"category", "categories", "categorie", "kategorie", "kategorien", "categoria"}
    | {"categorias", "kategoria", "kategori", "rubrique", "rubriques", "rubrik"}
)


_CATEGORY_MENU_DEPTH = 3
_CATEGORY_MENU_LINKS = 3


def _category_page_slug(href: str) -> str | None:
    """The slug of a category page link ("/blog/category/python" → "python"), else None:
    a category segment followed by exactly one more (the index "/category/" is no label)."""
    match = _HREF_PATH.match(href.strip())
    segments = [part for part in (match.group(1) if match else "").split("/") if part]
    if len(segments) >= 2 and segments[-2].lower() in _CATEGORY_PATH_SEGMENTS:
        return segments[-1].lower()
    return None


def _category_page_links(page: Page) -> list[str]:
    """Labels of links to a category page that print their own slug ("Research & Innovation"
    → "/categories/research-innovation"), outside menus, teasers and running text; inside
    the main <article> when it has any. Themes without rel="category" still link the post's
    category this way; a label that is not its slug (a teaser's headline) does not count."""
    links = [link for link in page.tree.iter("a") if _category_page_slug(link.get("href") or "")]
    # a block holding many of them is a menu of categories (a dropdown not marked as nav)
    per_block: dict[HtmlElement, int] = {}
    for link in links:
        for ancestor in islice(link.iterancestors(), _CATEGORY_MENU_DEPTH):
            per_block[ancestor] = per_block.get(ancestor, 0) + 1
    found: list[tuple[HtmlElement, str]] = []
    for link in links:
        slug = _category_page_slug(link.get("href") or "") or ""
        ancestors = islice(link.iterancestors(), _CATEGORY_MENU_DEPTH)
        if any(per_block[a] > _CATEGORY_MENU_LINKS for a in ancestors):
            continue
        label = collapse_space(text_of(link))
        if not 0 < len(label) <= _CATEGORY_MAX_CHARS or slugify_tag(label) != slugify_tag(slug):
            continue
        if _in_chrome(link) or _is_teaser_label(link) or _in_prose(link):
            continue
        found.append((link, label))
    article = page.once(_main_article)
    if article is not None:
        inside = [(link, label) for link, label in found if article in set(link.iterancestors())]
        found = inside or found
    return [label for _, label in found]


_CURRENT_POST_PARENT = (
    "//li[contains(concat(' ', normalize-space(@class), ' '), ' current-post-parent ')]"
    "/a[normalize-space()]"
)


def _current_post_parent(page: Page) -> list[str]:
    """WordPress menus mark the single post's own category item "current-post-parent": the
    section as the site's menu names it, wherever no other source names one."""
    labels = [collapse_space(text_of(link)) for link in page.tree.xpath(_CURRENT_POST_PARENT)]
    return [label for label in labels if 0 < len(label) <= _CATEGORY_MAX_CHARS]


def find_section_candidates(source: Page | HtmlElement, selector: str | None = None) -> list[str]:
    """article:section metas, JSON-LD articleSection, microdata articleSection, the breadcrumb's
    last section, the CMS category link ("Catégorie : Société", rel=category), the kicker."""
    page = Page.of(source)
    candidates: list[str] = []
    if selector:
        for element in select(page.tree, selector):
            if element.tag == "meta":
                candidates.append(element.get("content") or "")
            else:
                candidates.append(text_of(element))
    candidates += meta_contents(page.tree, "article:section")
    for article in page.json_ld_articles:
        candidates += _as_labels(article.get("articleSection"))
    candidates += _microdata_sections(page)
    title_keys = _page_title_keys(page)
    for items in (_breadcrumb_items_json_ld(page), _breadcrumb_items_html(page)):
        section = _section_from_breadcrumb(items, title_keys)
        if section:
            candidates.append(section)
    candidates += _category_links(page)[:1]
    candidates += _category_page_links(page)[:1]
    # last resort: the rubric printed above the headline (the kicker's first link)
    candidates += page.once(_kicker_labels)[:1]
    candidates += _current_post_parent(page)[:1]
    # several rules read the same link (rel="category" to a category page): once is enough
    return list(dict.fromkeys(collapse_space(c) for c in candidates if c and c.strip()))


def choose_section(candidates: list[str]) -> str | None:
    """First plausible section name; a bare slug ("culture_lifestyle", "/meteo/") only if alone."""
    plausible: list[str] = []
    for raw in candidates:
        name = collapse_space(raw)
        if not name or len(name) > 60 or len(name.split()) > 6:
            continue
        # "Biology / Biochemistry" is a label; "/meteo/" or "a/b" is a path
        unspaced = name.replace(" / ", " ")
        if any(mark in unspaced for mark in ("/", "|", "http", "_")) or _is_date(name):
            continue
        if _fold(name) in _SECTION_REJECTS:
            continue
        plausible.append(name)
    for name in plausible:
        if not _SLUG_LIKE.match(name):
            return name
    return plausible[0] if plausible else None
