"""The article's section (rubric): metas, JSON-LD, the breadcrumb, category links, the kicker."""

from __future__ import annotations

import re
from itertools import islice

from lxml.html import HtmlElement

from crawler.fields.html import collapse_space, select_elements, text_of
from crawler.fields.labels import (
    BREADCRUMB_MARKERS,
    BREADCRUMB_SEPARATORS,
    HOME_LABELS,
    HREF_PATH,
    SECTION_REJECTS,
    SLUG_LIKE,
    YOU_ARE_HERE,
    as_labels,
    fold,
    in_chrome,
    in_prose,
    is_date_label,
    is_teaser_label,
    kicker_labels,
    labelled_links,
    main_article,
    slugify_tag,
)
from crawler.fields.page import Page

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
        if not BREADCRUMB_MARKERS.search(marker) and "breadcrumblist" not in marker.lower():
            continue
        items = container.findall(".//li") or container.findall(".//a")
        entries: list[tuple[str, str]] = []
        for item in items:
            if item.tag == "li" and item.find(".//li") is not None:
                continue  # a wrapper li: its inner li are the items
            text = YOU_ARE_HERE.sub("", text_of(item))
            if BREADCRUMB_SEPARATORS.match(text):
                continue
            link = item if item.tag == "a" else item.find(".//a")
            entries.append((text, (link.get("href") or "") if link is not None else ""))
        if entries:
            return entries
    return []


def _page_title_keys(page: Page) -> list[str]:
    titles = page.meta_contents("og:title", "twitter:title")
    titles += [text_of(h1) for h1 in page.tree.iter("h1")]
    titles += [str(a.get("headline")) for a in page.json_ld_articles if a.get("headline")]
    return [fold(t) for t in titles if t]


_TRAIL_HEADLINE_WORDS = 3


def _is_site_root(url: str) -> bool:
    """A link to the site's root ("/", "https://example.de/"): the home item of a trail,
    whatever the language calls it ("Startseite", "Inicio", "Strona główna")."""
    url = url.strip()
    if not url or url[0] in "#?" or "?" in url:
        return False  # "#" (a script's link) or a query names no page of its own
    match = HREF_PATH.match(url)
    return match is not None and match.group(1).strip("/") == ""


def _section_from_breadcrumb(items: list[tuple[str, str]], title_keys: list[str]) -> str | None:
    """The last trail item before the article itself; the home item never counts."""
    names = [
        (name, url)
        for name, url in items
        if name and fold(name) not in HOME_LABELS and not _is_site_root(url)
    ]
    if not names:
        return None
    last_name, last_url = names[-1]
    last_key = fold(last_name)
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
        if value and not in_chrome(element):
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
        if "category" in rel and not in_chrome(link) and not is_teaser_label(link):
            found.append(link)
    for links in labelled_links(page, _CATEGORY_LABEL, climbs=2, max_links=3, slack=10):
        found.append(links[0])
    article = page.once(main_article)
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
    match = HREF_PATH.match(href.strip())
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
        if in_chrome(link) or is_teaser_label(link) or in_prose(link):
            continue
        found.append((link, label))
    article = page.once(main_article)
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
        for element in select_elements(page.tree, selector):
            if element.tag == "meta":
                candidates.append(element.get("content") or "")
            else:
                candidates.append(text_of(element))
    candidates += page.meta_contents("article:section")
    for article in page.json_ld_articles:
        candidates += as_labels(article.get("articleSection"))
    candidates += _microdata_sections(page)
    title_keys = _page_title_keys(page)
    for items in (_breadcrumb_items_json_ld(page), _breadcrumb_items_html(page)):
        section = _section_from_breadcrumb(items, title_keys)
        if section:
            candidates.append(section)
    candidates += _category_links(page)[:1]
    candidates += _category_page_links(page)[:1]
    # last resort: the rubric printed above the headline (the kicker's first link)
    candidates += page.once(kicker_labels)[:1]
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
        if any(mark in unspaced for mark in ("/", "|", "http", "_")) or is_date_label(name):
            continue
        if fold(name) in SECTION_REJECTS:
            continue
        plausible.append(name)
    for name in plausible:
        if not SLUG_LIKE.match(name):
            return name
    return plausible[0] if plausible else None
