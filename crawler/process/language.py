"""Step 3 of the chain: the language of title and body by langdetect (fixed seed), `<html lang>`
only as a hint."""

from __future__ import annotations

from crawler.items import Article
from crawler.process.rejections import Rejected
from crawler.sites import SiteConfig

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
