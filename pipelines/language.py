"""Pipeline 3: the body's language by langdetect (fixed seed), `<html lang>` only as a hint."""

from __future__ import annotations

import logging
from typing import Self

from scrapy.crawler import Crawler

from crawler.items import Article
from crawler.sites import SiteConfig
from crawler.workers import WorkerPool
from pipelines.errors import Rejected
from pipelines.sitectx import site_config

logger = logging.getLogger(__name__)

SAMPLE_CHARS = 600  # three or four sentences: langdetect is as sure as on the whole text
MIN_SAMPLE_CHARS = 20


def detect_language(text: str, html_lang: str | None = None) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, probability); the `<html lang>` primary subtag when text is too short."""
    from langdetect.lang_detect_exception import LangDetectException

    from crawler.langid import detect_langs

    hint = (html_lang or "").strip().lower().replace("_", "-").split("-")[0] or None
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_SAMPLE_CHARS:
        return hint, None
    try:
        best = detect_langs(sample)[0]
    except LangDetectException:
        return hint, None
    return str(best.lang).split("-")[0], round(float(best.prob), 4)


def apply_language(article: Article, site: SiteConfig) -> Article:
    """Set the article's language and confidence; Rejected if the site refuses that language."""
    html_lang = article.raw.html_lang if article.raw else None
    text = f"{article.title or ''}\n{article.body}"
    article.language, article.language_confidence = detect_language(text, html_lang)
    if site.language_policy == "reject" and article.language and article.language != site.language:
        raise Rejected(
            "language_rejected",
            f"{article.language} ({article.language_confidence}), site wants {site.language}",
            url=article.url,
        )
    return article


class LanguagePipeline:
    """Runs detection in the worker pool; rejects other languages only where the site says so."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pool = WorkerPool.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_item(self, article: Article) -> Article:
        if "language" in article.stages_done:
            return article
        site = site_config(self.crawler, article.site, article.final_url)
        result: Article = await self.pool.run(30, apply_language, article, site)
        return result
