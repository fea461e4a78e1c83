"""Step 2 of the chain: raw candidates → normalised fields (pure functions of crawler.fields).

Two kinds of page answer 200 without being an article, and are rejected here, before the
word count (so that the reason says what they are):

- a soft 404 ("Page introuvable" with status 200): its title is a not-found phrase, or its
  short text opens with one → `soft_404`. An article *about* a "page introuvable" has a longer
  title and text, and is kept;
- a paywall stub: a short text (under PAYWALL_MAX_WORDS) that carries a subscribers-only
  marker ("réservé aux abonnés", "Il vous reste 92 % de cet article à lire") or whose JSON-LD
  says `isAccessibleForFree: false` → `paywalled_stub`. Choice: rejected rather than stored,
  since the archive has no column to mark a record incomplete, and a teaser stored as the
  article would be read as the whole text (and the full text, fetched later, as a revision).
  The rejection keeps the URL and the title in its detail. A full text that is marked
  `isAccessibleForFree: false` (served to crawlers for indexing) is long, and is stored.
"""

from __future__ import annotations

import gzip
import re
import zlib
from typing import Any

from crawler.fields.agencies import (
    agencies_in_byline,
    find_dateline_agencies,
    split_agency_trailer,
    trailer_signature,
)
from crawler.fields.authors import Authors, parse_authors
from crawler.fields.body import clean_body, declared_not_free, has_prose
from crawler.fields.counters import parse_read_count
from crawler.fields.dates import choose_dates
from crawler.fields.sections import choose_section
from crawler.fields.tags import normalise_tags
from crawler.fields.text import clean_paragraphs, clean_text, word_count
from crawler.fields.titles import choose_title
from crawler.fields.urls import choose_canonical_url
from crawler.items import AgencyMention, Article, DateCandidate
from crawler.process.rejections import Rejected
from crawler.sites import SiteConfig


def _hint_list(hints: dict[str, Any], key: str) -> list[str]:
    value = hints.get(key) or []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _unique_mentions(mentions: list[AgencyMention]) -> list[AgencyMention]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for mention in mentions:
        if (mention.code, mention.where) not in seen:
            seen.add((mention.code, mention.where))
            unique.append(mention)
    return unique


_NOT_FOUND = (
    r"page (?:introuvable|non trouv[ée]e|inexistante|demand[ée]e (?:est )?introuvable)"
    r"|erreur 404|404 not found|page not found|contenu (?:introuvable|indisponible)"
    r"|(?:cette|la) page (?:que vous (?:cherchez|demandez) )?n['’]existe (?:pas|plus)"
    r"|l['’]article (?:que vous (?:cherchez|demandez) |demand[ée] )?n['’]existe (?:pas|plus)"
)
# A title that is nothing but a not-found phrase (plus a code, punctuation, "Oups").
_SOFT_404_TITLE = re.compile(
    rf"^\W*(?:oups\W*|erreur\W*|404\W*)*(?:{_NOT_FOUND})\W*(?:404)?\W*$", re.IGNORECASE
)
_SOFT_404_TEXT = re.compile(_NOT_FOUND, re.IGNORECASE)
SOFT_404_MAX_WORDS = 80

_PAYWALL_TEXT = re.compile(
    r"r[ée]serv[ée]e? aux abonn[ée]s|abonnez-vous pour (?:lire|continuer|acc[ée]der)"
    r"|il vous reste \d+ ?% (?:de cet article|à lire)|pour lire la suite|la suite est r[ée]serv"
    r"|article (?:r[ée]serv[ée]|abonn[ée]s?)\b|contenu r[ée]serv[ée]",
    re.IGNORECASE,
)
PAYWALL_MAX_WORDS = 250


def soft_404(title: str | None, lines: list[str], words: int) -> str | None:
    """Why a page answered 200 is a not-found page, or None."""
    if title and _SOFT_404_TITLE.match(title):
        return f"title {title[:80]!r}"
    if words < SOFT_404_MAX_WORDS:
        for line in lines[:3]:
            if _SOFT_404_TEXT.search(line):
                return f"text {line[:80]!r} ({words} words)"
    return None


def paywalled(article: Article, lines: list[str], words: int) -> str | None:
    """Why a short page is a subscribers' teaser rather than the article, or None."""
    if words >= PAYWALL_MAX_WORDS:
        return None
    raw = article.raw
    for line in [*lines, (raw.description if raw else None) or ""]:
        found = _PAYWALL_TEXT.search(line)
        if found:
            return f"{found.group(0)!r} in a text of {words} words"
    if article.raw_html_gz:
        try:
            html = gzip.decompress(article.raw_html_gz)
        except (OSError, EOFError, zlib.error):
            return None
        if declared_not_free(html):
            return f"JSON-LD isAccessibleForFree: false, {words} words"
    return None


def normalise_article(article: Article, site: SiteConfig, min_words: int) -> Article:
    """Fill every normalised field of `article` from its raw candidates (pure, no I/O)."""
    raw = article.raw
    if raw is None:
        return article
    hints = article.hints

    article.title = choose_title(raw.title_candidates, raw.site_name)
    if not article.title and hints.get("feed_title"):
        article.title = clean_text(str(hints["feed_title"])) or None
    if not article.title and hints.get("sitemap_title"):
        article.title = clean_text(str(hints["sitemap_title"])) or None
    article.description = clean_text(raw.description) if raw.description else None

    paragraphs = clean_paragraphs(raw.body_lines)
    paragraphs = clean_body(
        paragraphs, title=article.title, drop_patterns=list(site.selectors.drop_text)
    )
    paragraphs, trailer = split_agency_trailer(paragraphs)
    dateline = find_dateline_agencies(paragraphs[0]) if paragraphs else []
    byline = agencies_in_byline(raw.author_candidates)
    article.agencies = _unique_mentions(trailer + dateline + byline)
    article.body = "\n\n".join(paragraphs)
    article.word_count = word_count(article.body)
    raw_lines = [clean_text(line) for line in raw.body_lines]
    titles = [article.title, *raw.title_candidates.values()]
    for title in titles:
        not_found = soft_404(title, raw_lines, article.word_count)
        if not_found:
            raise Rejected("soft_404", not_found, url=article.url)
    stub = paywalled(article, raw_lines, article.word_count)
    if stub:
        raise Rejected("paywalled_stub", f"{stub}; title {article.title!r}"[:500], url=article.url)
    if article.word_count < min_words:
        raise Rejected(
            "no_article_text",
            f"{article.word_count} words after cleaning (minimum {min_words})",
            url=article.url,
        )
    if not has_prose(paragraphs):
        raise Rejected(
            "no_article_text",
            f"{article.word_count} words but not one sentence (a video, gallery or teaser page)",
            url=article.url,
        )

    candidates = list(raw.date_candidates)
    if hints.get("feed_published"):
        candidates.append(DateCandidate(source="feed", raw=str(hints["feed_published"])))
    if hints.get("sitemap_published"):
        candidates.append(DateCandidate(source="sitemap", raw=str(hints["sitemap_published"])))
    dates = choose_dates(candidates, fetched_at=article.fetched_at, tz=site.tz)
    article.published, article.modified = dates.published, dates.modified
    article.date_rejections = list(dates.rejections)

    counts = [c for c in (parse_read_count(t) for t in raw.read_count_texts) if c is not None]
    article.read_count = counts[0] if counts else None

    labels = raw.tag_candidates or _hint_list(hints, "sitemap_keywords")
    labels = labels or _hint_list(hints, "feed_tags")
    article.tags = normalise_tags([clean_text(label) for label in labels])
    article.section = choose_section([clean_text(s) for s in raw.section_candidates])

    accounts = raw.author_accounts
    authors = parse_authors([clean_text(a) for a in raw.author_candidates], raw.site_name, accounts)
    if not authors.people:
        # no byline, but the text ends with its signature and credit: "C.J. (avec Belga)"
        signatures = [s for s in (trailer_signature(m.raw) for m in trailer) if s]
        signed = parse_authors(signatures, raw.site_name, accounts)
        authors = Authors(signed.people, authors.desks) if signed.people else authors
    article.authors, article.desks = list(authors.people), list(authors.desks)

    article.canonical_url = choose_canonical_url(article.final_url, raw.canonical_candidates)
    return article
