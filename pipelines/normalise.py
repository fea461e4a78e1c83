"""Pipeline 2: raw candidates → normalised fields (pure functions of crawler.fields)."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler

from crawler.fields.agencies import (
    agencies_in_byline,
    find_dateline_agencies,
    split_agency_trailer,
)
from crawler.fields.authors import parse_authors
from crawler.fields.body import clean_body
from crawler.fields.counters import parse_read_count
from crawler.fields.dates import choose_dates
from crawler.fields.tags import choose_section, normalise_tags
from crawler.fields.text import clean_paragraphs, clean_text, word_count
from crawler.fields.titles import choose_title
from crawler.fields.urls import choose_canonical_url
from crawler.items import AgencyMention, Article, DateCandidate
from crawler.sites import SiteConfig
from pipelines.errors import Rejected
from pipelines.sitectx import site_config


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
    if article.word_count < min_words:
        raise Rejected(
            "no_article_text",
            f"{article.word_count} words after cleaning (minimum {min_words})",
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

    authors = parse_authors([clean_text(a) for a in raw.author_candidates])
    article.authors, article.desks = list(authors.people), list(authors.desks)

    article.canonical_url = choose_canonical_url(article.final_url, raw.canonical_candidates)
    return article


class NormalisePipeline:
    """Title, body, dates, read count, tags, section, authors, agencies and canonical URL."""

    def __init__(self, crawler: Crawler, min_words: int) -> None:
        self.crawler = crawler
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.getint("MIN_ARTICLE_WORDS", 40))

    def process_item(self, article: Article) -> Article:
        site = site_config(self.crawler, article.site, article.final_url)
        return normalise_article(article, site, self.min_words)
