"""The article headline: the displayed h1 reconciled with the page's meta titles.

Meta titles (og, twitter, JSON-LD, <title>) often carry the site name (" - Le Monde") or are
rewritten for search engines; the h1 is what readers see but is sometimes the site logo or a
section label. Candidates vote for each other: a title confirmed by another source wins.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml.html import HtmlElement

from crawler.fields.html import collapse_space, text_of
from crawler.fields.page import Page
from crawler.fields.text import loose_key, strip_accents

_META_ORDER = ("og", "jsonld", "twitter", "html_title")
# A site-name separator: a dash/bar/bullet surrounded by spaces ("|" also without them).
# " : " only ever introduces a site-name *prefix* ("Le Figaro : ..."): French headlines use it.
# a site-name separator in a title ("Titre - Site", "Titre | Site")
TITLE_SEPARATOR = re.compile(r"\s+[-|–—•·»]{1,2}\s+|\s*\|\s*")
_PREFIX_SEPARATOR = re.compile(r"\s+[-|–—•·»:]{1,2}\s+|\s*\|\s*")
_MAX_SUFFIX_TAIL_WORDS = 8
# A headline is short: the rules (one scan per separator) read at most this much of one.
MAX_TITLE_CHARS = 1000
# A site name or a short tail sits within the last (or first) few separators: each one tried
# costs a scan of the title, so no more than these are tried.
_MAX_SEPARATORS = 20
_NON_ALNUM = re.compile(r"[\W_]+")
_DOMAIN_TAIL = re.compile(r"(?:\.|\s)?(?:fr|com|net|org|info|be|ch|ca|ma|dz|tn|sn|ci|cm)$")
_MIN_H1_WORDS = 3
_MIN_LONE_H1_WORDS = 4
_MAX_SECTION_TAIL_WORDS = 3
_MAX_SECTION_TAIL_CHARS = 30
_MAX_BADGE_WORDS = 3
# h1 texts that label a page region or a section, never a headline.
_GENERIC_H1 = frozenset(
    {
        "fil d info",
        "fil info",
        "actualites",
        "actualite",
        "actu",
        "a la une",
        "la une",
        "accueil",
        "menu",
        "newsletter",
        "newsletters",
        "en direct",
        "direct",
        "dernieres infos",
        "dernieres actualites",
        "les plus lus",
        "info",
        "infos",
        "international",
        "france",
        "monde",
        "politique",
        "economie",
        "societe",
        "culture",
        "sport",
        "sports",
        "opinion",
        "opinions",
        "edito",
        "tribune",
        "video",
        "videos",
    }
)


def _loose_words(text: str) -> str:
    """`loose_key` with a space between the words (accents dropped, not turned into spaces)."""
    return _NON_ALNUM.sub(" ", strip_accents(text.casefold())).strip()


def site_key(name: str) -> str:
    """A site name reduced for comparisons: "www.LeMonde.fr" and "Le Monde" give "lemonde"."""
    return loose_key(_DOMAIN_TAIL.sub("", name.strip().casefold().removeprefix("www.")))


def _same_site(segment: str, site_name: str) -> bool:
    """ "Le Monde" matches "Le Monde.fr", "leparisien.fr" matches "Le Parisien"."""
    seg, site = site_key(segment), site_key(site_name)
    if not seg or not site:
        return False
    if seg == site:
        return True
    shorter, longer = sorted((seg, site), key=len)
    return len(shorter) >= 4 and longer.startswith(shorter)


# ---------------------------------------------------------------------------- candidates


def _best_h1(tree: HtmlElement, meta_titles: list[str]) -> str | None:
    """The h1 that echoes a meta title, else the first one in the article, else the first."""
    h1s = [collapse_space(text_of(h1)) for h1 in tree.iter("h1")]
    h1s = [h for h in h1s if h]
    if len(h1s) <= 1:
        return h1s[0] if h1s else None
    keys = [loose_key(m) for m in meta_titles if loose_key(m)]
    for h1 in h1s:
        key = loose_key(h1)
        if key and any(k.startswith(key) or key.startswith(k) for k in keys):
            return h1
    in_article = tree.xpath("//article//h1 | //main//h1 | //*[@itemprop='headline']")
    for element in in_article:
        text = collapse_space(text_of(element))
        if text:
            return text
    return h1s[0]


def find_title_candidates(source: Page | HtmlElement) -> dict[str, str]:
    """First non-empty value per source: og, twitter, jsonld, h1, html_title."""
    page = Page.of(source)
    tree = page.tree
    candidates: dict[str, str] = {}
    for key, name in (("og", "og:title"), ("twitter", "twitter:title")):
        values = page.meta_contents(name)
        if values:
            candidates[key] = collapse_space(values[0])
    for article in page.json_ld_articles:
        headline = article.get("headline")
        if isinstance(headline, str) and headline.strip():
            candidates["jsonld"] = collapse_space(headline)
            break
    title = tree.find(".//head/title")
    if title is None:
        title = tree.find(".//title")
    if title is not None and collapse_space(text_of(title)):
        candidates["html_title"] = collapse_space(text_of(title))
    h1 = _best_h1(tree, list(candidates.values()))
    if h1:
        candidates["h1"] = _without_inset(tree, h1, list(candidates.values()))
    return candidates


_INSET_EDGES = " :|-–—•·»"


def _confirms(meta: str, text: str) -> bool:
    """Is `text` the meta title, or its head or tail beside a separator ("Section - Title")?"""
    key = loose_key(text)
    if not key:
        return False
    meta = meta[:MAX_TITLE_CHARS]
    if loose_key(meta) == key:
        return True
    separators = list(TITLE_SEPARATOR.finditer(meta))
    if len(separators) > 2 * _MAX_SEPARATORS:  # each try reads the whole meta title again
        separators = separators[:_MAX_SEPARATORS] + separators[-_MAX_SEPARATORS:]
    for match in separators:
        if key in (loose_key(meta[: match.start()]), loose_key(meta[match.end() :])):
            return True
    return False


def _without_inset(tree: HtmlElement, h1: str, metas: list[str]) -> str:
    """The h1 less a kicker or a subtitle printed inside it, when the meta titles show it.

    Themes put the topline ("<span class=toptitle>Investir</span> Titre"), the section
    ("<div>Local News | </div>") or the subtitle ("<small>...</small>") inside the <h1>; the
    headline is the rest, which a meta title repeats. Unconfirmed, the h1 stays whole.
    """
    h1 = h1[:MAX_TITLE_CHARS]
    if any(_confirms(meta, h1) for meta in metas):
        return h1
    for element in tree.iter("h1"):
        if collapse_space(text_of(element))[:MAX_TITLE_CHARS] != h1:
            continue
        for inset in islice(element.iterdescendants(), _MAX_SEPARATORS):
            inset_text = collapse_space(text_of(inset)) if isinstance(inset.tag, str) else ""
            if not inset_text or inset_text == h1 or len(inset_text) >= len(h1):
                continue
            rest = collapse_space(h1.replace(inset_text, " ", 1)).strip(_INSET_EDGES)
            if len(rest.split()) >= _MIN_H1_WORDS and any(_confirms(m, rest) for m in metas):
                return rest
        break
    return h1


def find_site_name(source: Page | HtmlElement) -> str | None:
    """og:site_name, else the publisher of the JSON-LD article, else a JSON-LD WebSite name."""
    return Page.of(source).once(_site_name)


def _site_name(page: Page) -> str | None:
    for value in page.meta_contents("og:site_name"):
        return collapse_space(value)
    for article in page.json_ld_articles:
        publisher = article.get("publisher")
        publishers = publisher if isinstance(publisher, list) else [publisher]
        for item in publishers:
            if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]:
                return collapse_space(item["name"])
    for obj in page.json_ld_objects:
        if str(obj.get("@type", "")).lower() == "website" and isinstance(obj.get("name"), str):
            return collapse_space(obj["name"]) or None
    return None


# ---------------------------------------------------------------------------- choosing


def strip_site_name(title: str, site_name: str | None) -> str:
    """Remove "<sep> Site" suffixes (and a section just before it) or a "Site <sep>" prefix."""
    title = collapse_space(title)
    if not site_name:
        return title
    separators = list(TITLE_SEPARATOR.finditer(title))[-_MAX_SEPARATORS:]
    for match in reversed(separators):
        if _same_site(title[match.end() :], site_name) and match.start() > 0:
            head = title[: match.start()]
            return _strip_section_tail(head, match.group(0).strip())
    for match in islice(_PREFIX_SEPARATOR.finditer(title), _MAX_SEPARATORS):
        if _same_site(title[: match.start()], site_name) and match.end() < len(title):
            return _strip_section_head(title[match.end() :], match.group(0).strip())
    return title


def _strip_section_head(rest: str, separator: str) -> str:
    """ "Section - Title" left once "Site - " is gone: drop a short head with the same separator."""
    first = TITLE_SEPARATOR.search(rest)
    if first is None or first.group(0).strip() != separator:
        return rest
    head, title = rest[: first.start()], rest[first.end() :]
    short_head = (
        len(head.split()) <= _MAX_SECTION_TAIL_WORDS and len(head) <= _MAX_SECTION_TAIL_CHARS
    )
    if short_head and len(title.split()) >= _MIN_LONE_H1_WORDS:
        return title
    return rest


def _strip_section_tail(head: str, separator: str) -> str:
    """ "Title | Section" left once "| Site" is gone: drop a short tail with the same separator."""
    last = None
    for match in TITLE_SEPARATOR.finditer(head):
        last = match
    if last is None or last.group(0).strip() != separator:
        return head
    tail, rest = head[last.end() :], head[: last.start()]
    short_tail = (
        len(tail.split()) <= _MAX_SECTION_TAIL_WORDS and len(tail) <= _MAX_SECTION_TAIL_CHARS
    )
    if short_tail and len(rest.split()) >= _MIN_LONE_H1_WORDS:
        return rest
    return head


def _strip_shared_tail(titles: list[str]) -> list[str]:
    """Without a site name: a "<sep> tail" shared by titles whose heads differ is the site;
    so are different short tails after one same head ("X | Le Quotidien" and "X - LQ")."""
    tails: dict[str, set[str]] = {}
    heads: dict[str, set[str]] = {}
    for title in titles:
        separators = list(TITLE_SEPARATOR.finditer(title))
        if separators:
            last = separators[-1]
            tail, head = loose_key(title[last.end() :]), loose_key(title[: last.start()])
            tails.setdefault(tail, set()).add(head)
            if len(title[last.end() :].split()) <= _MAX_SUFFIX_TAIL_WORDS:
                heads.setdefault(head, set()).add(tail)
    repeated = {tail for tail, seen in tails.items() if tail and len(seen) > 1}
    branded = {head for head, seen in heads.items() if head and len(seen) > 1}
    stripped = []
    for title in titles:
        separators = list(TITLE_SEPARATOR.finditer(title))
        if separators and (
            loose_key(title[separators[-1].end() :]) in repeated
            or loose_key(title[: separators[-1].start()]) in branded
        ):
            stripped.append(title[: separators[-1].start()])
        else:
            stripped.append(title)
    return stripped


def _starts_with_then_separator(longer: str, shorter: str) -> bool:
    """longer == shorter + "<sep> short tail" (loosely)."""
    for match in list(TITLE_SEPARATOR.finditer(longer))[-_MAX_SEPARATORS:]:
        if len(longer[match.end() :].split()) > _MAX_SUFFIX_TAIL_WORDS:
            continue
        if loose_key(longer[: match.start()]) == loose_key(shorter):
            return True
    return False


def _is_badge_extension(longer: str, shorter: str) -> bool:
    """longer == shorter + a few words ("... Abonnés", "... Vidéo"), no separator needed."""
    key_long, key_short = _loose_words(longer), _loose_words(shorter)
    if not key_short or not key_long.startswith(key_short) or key_long == key_short:
        return False
    extra = key_long[len(key_short) :]
    return extra.startswith(" ") and len(extra.split()) <= _MAX_BADGE_WORDS


_BRACKETED_TAIL = re.compile(r"\s*[(\[][^()\[\]]{1,30}[)\]]\s*$")


def _is_marked_headline(h1: str, meta: str) -> bool:
    """The h1 is the meta title plus a bracketed marker: "... (vidéo)", "... [PHOTOS]"."""
    marker = _BRACKETED_TAIL.search(h1)
    return marker is not None and loose_key(h1[: marker.start()]) == loose_key(meta)


_OPENING_QUOTE = re.compile(r"\s*[\"“«„]")


def _cut_at_quote(meta: str, other: str) -> bool:
    """`meta` is `other` cut where a quote opens: content="... de "mot"" ends the attribute
    at the first quote, while the <title> element keeps the whole headline."""
    return other.startswith(meta) and bool(_OPENING_QUOTE.match(other[len(meta) :]))


def _plausible_h1(h1: str, site_name: str | None) -> bool:
    if _loose_words(h1) in _GENERIC_H1:
        return False
    if site_name and (_same_site(h1, site_name) or loose_key(h1).startswith(site_key(site_name))):
        return False
    return len(h1.split()) >= _MIN_H1_WORDS


def choose_title(candidates: dict[str, str], site_name: str | None = None) -> str | None:
    """The headline: an h1 confirmed by a meta title, else the cleanest meta title."""
    cleaned = {
        k: collapse_space(v[:MAX_TITLE_CHARS]) for k, v in candidates.items() if v and v.strip()
    }
    cleaned = {k: v for k, v in cleaned.items() if v}
    h1 = cleaned.get("h1")
    metas = [strip_site_name(cleaned[k], site_name) for k in _META_ORDER if k in cleaned]
    metas = [m for m in _strip_shared_tail(metas) if m]
    metas = [m for m in metas if not any(_cut_at_quote(m, other) for other in metas)]

    if h1:
        for meta in metas:
            if loose_key(meta) == loose_key(h1) or _starts_with_then_separator(meta, h1):
                return h1  # confirmed; the h1 keeps the page's typography
            if _is_marked_headline(h1, meta):
                return h1  # the outlet typed the marker in its headline: kept as printed
            if _is_badge_extension(h1, meta):
                return meta  # "Title Abonnés": the meta is the same headline without the badge
        if _plausible_h1(h1, site_name) and (not metas or len(h1.split()) >= _MIN_LONE_H1_WORDS):
            return h1

    for meta in metas:
        shorter = [
            other for other in metas if other != meta and _starts_with_then_separator(meta, other)
        ]
        return shorter[0] if shorter else meta
    return h1 if h1 and _loose_words(h1) not in _GENERIC_H1 else None
