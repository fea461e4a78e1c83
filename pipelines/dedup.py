"""Pipeline 4: the content fingerprint that storage's unique constraints deduplicate on."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from crawler.fields.text import content_hash
from crawler.items import Article


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
