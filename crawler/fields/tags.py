"""Tags of an article: what the page shows first, page metadata as a fallback.

Visible tag links are preferred because researchers want the labels *as displayed*; the
structured metadata (article:tag, JSON-LD keywords) comes next, and <meta name=keywords>,
often a stale SEO list, only when nothing else exists.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from crawler.fields.html import collapse_space, select_elements, text_of
from crawler.fields.labels import (
    HREF_PATH,
    as_labels,
    class_tokens,
    in_chrome,
    in_prose,
    is_article_footer,
    is_date_label,
    is_teaser_label,
    kicker_labels,
    labelled_links,
    main_article,
    slugify_tag,
    split_list,
)
from crawler.fields.page import Page
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
_TAG_LINE_LABEL = re.compile(
    r"^\s*(?:tags?|mots?[- ]?cl[ée]s?|th[èe]mes?|sujets?|[ée]tiquettes?|keywords?)\s*:?\s*",
    re.IGNORECASE,
)
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


def _labels_from_element(element: HtmlElement) -> list[str]:
    """A selected element gives its links' texts, a meta its comma list, else its own text."""
    if element.tag == "meta":
        return split_list(element.get("content") or "")
    links = [element] if element.tag == "a" else element.findall(".//a")
    if links:
        return [text_of(link) for link in links]
    text = _TAG_LINE_LABEL.sub("", text_of(element))
    return split_list(text)


def _has_tag_href(link: HtmlElement) -> bool:
    href = (link.get("href") or "").strip()
    match = HREF_PATH.match(href)
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
    if class_tokens(element) & _SITE_WIDE_BOX_TOKENS:
        return True
    return element.tag == "aside" and not element.xpath("ancestor::article")


def _in_tag_box(link: HtmlElement) -> bool:
    """A close ancestor is marked as the tag block ("tags", "mots-cles"), not in nav/footer,
    and neither it nor anything around it is a sidebar, a widget or a tag cloud."""
    for depth, ancestor in enumerate(link.iterancestors()):
        if depth >= _TAG_BOX_DEPTH or ancestor.tag in ("nav", "body"):
            return False
        if ancestor.tag == "footer" and not is_article_footer(ancestor):
            return False
        if _is_site_wide_box(ancestor):
            return False
        if class_tokens(ancestor) & _TAG_BOX_TOKENS:
            return not any(
                a.tag == "nav"
                or (a.tag == "footer" and not is_article_footer(a))
                or _is_site_wide_box(a)
                for a in ancestor.iterancestors()
            )
    return False


def _tag_line_links(page: Page) -> set[HtmlElement]:
    """Links of a visible "Tags : A B" / "Mots-clés : A, B" line (label text, then links).

    The label must be plain text (a "Mots-clés" *link* is a menu toggle), and the container
    climbed to must hold little besides the label and its links.
    """
    found: set[HtmlElement] = set()
    for links in labelled_links(page, _TAG_LINE_LABEL, climbs=3, max_links=40, slack=30):
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
        if container is None or in_chrome(container) or container.find(".//a") is not None:
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


def _visible_tag_labels(page: Page) -> list[str]:
    line_links = _tag_line_links(page)
    chosen: list[HtmlElement] = []
    for link in page.tree.iter("a"):
        rel_tokens = (link.get("rel") or "").lower().split()
        in_line = link in line_links
        rel_tag = "tag" in rel_tokens and "category" not in rel_tokens
        tag_href = not in_line and not rel_tag and _has_tag_href(link)
        if not (in_line or rel_tag or tag_href) or in_prose(link):
            continue  # the cheap tests first: in_prose reads the text of the link's paragraph
        if in_line:
            chosen.append(link)
        elif rel_tag:
            # WordPress writes rel="category tag" for the category: that is the section.
            ancestors = [a.tag for a in link.iterancestors()]
            in_article = "article" in ancestors
            if not any(
                t in ("nav", "aside") or (t == "footer" and not in_article) for t in ancestors
            ):
                chosen.append(link)
        elif (_in_tag_box(link) or not in_chrome(link)) and not is_teaser_label(link):
            chosen.append(link)
    article = page.once(main_article)
    if article is not None:
        inside = [link for link in chosen if article in set(link.iterancestors())]
        if inside:
            chosen = inside
    return [text_of(link) for link in chosen]


def _json_ld_keywords(page: Page) -> list[str]:
    labels: list[str] = []
    for article in page.json_ld_articles:
        labels.extend(as_labels(article.get("keywords")))
    return labels


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
        selected = select_elements(page.tree, selector)
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
    containers = page.tree.xpath(  # plain contains() first: the token tests copy each class
        "//*[contains(@class, 'hentry') or contains(@class, 'type-post')]"
        "[contains(concat(' ', normalize-space(@class), ' '), ' hentry ') or "
        "contains(concat(' ', normalize-space(@class), ' '), ' type-post ')]"
    )
    for container in containers:
        if container.find(".//h1") is not None:
            return container
    return containers[0] if containers else None


def _href_slug(href: str) -> str:
    match = HREF_PATH.match(href.strip())
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
        article = page.once(main_article)
        groups: dict[HtmlElement, list[HtmlElement]] = {}
        for link in (article if article is not None else page.tree).iter("a"):
            rel = (link.get("rel") or "").lower().split()
            if "category" in rel and not in_chrome(link) and not is_teaser_label(link):
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
    structured = list(page.meta_contents("article:tag"))
    structured = [part for value in structured for part in split_list(value)]
    structured += [p for v in page.meta_contents("news_keywords") for p in split_list(v)]
    structured += _json_ld_keywords(page)
    if structured:
        return [collapse_space(label) for label in structured]
    kicker = page.once(kicker_labels)
    if kicker:
        return kicker
    metas = page.meta_contents("keywords")
    keywords = [collapse_space(p) for v in metas for p in split_list(v)]
    if any(slugify_tag(k) in _SITE_WIDE_KEYWORDS for k in keywords):
        return []  # the site's own keyword list, repeated on every page, says nothing of this one
    return keywords


_LABEL_QUOTES = " \t\"'«»„“”‚‘’‹›"


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
        if (
            not label
            or len(label) > _MAX_LABEL_CHARS
            or _is_cms_flag(label)
            or is_date_label(label)
        ):
            continue
        slug = slugify_tag(label)
        if not slug or slug in seen:
            continue
        seen.add(slug)
        tags.append(Tag(label=label, slug=slug))
        if len(tags) >= MAX_TAGS:
            break
    return tags
