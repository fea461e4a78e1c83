"""Pipeline 4: the content fingerprint that storage's unique constraints deduplicate on."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Self

from scrapy.crawler import Crawler

from crawler.items import Article

_NON_WORD = re.compile(r"\W+")


def content_hash(title: str | None, body: str) -> str:
    """sha256 of title and body, casefolded, with punctuation and spacing ignored.

    Two URLs of one site serving the same text (print view, tracking variants that escaped the
    URL rules) get one hash, so storage folds them into one article.
    """
    text = unicodedata.normalize("NFC", f"{title or ''}\n{body}").casefold()
    return hashlib.sha256(_NON_WORD.sub(" ", text).strip().encode("utf-8")).hexdigest()


class DedupPipeline:
    """Fingerprints the article; the database's constraints have the final word on duplicates.

    Nothing is dropped here: a second URL of a known article must still reach storage, which
    records it as an alias of the first.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, article: Article) -> Article:
        article.content_hash = content_hash(article.title, article.body)
        article.raw = None  # the candidates are not needed past this point
        return article
