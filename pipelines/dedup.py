"""Pipeline 4: the content fingerprint that storage's unique constraints deduplicate on."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from crawler import clustering
from crawler.fields.text import content_hash
from crawler.items import Article


def fingerprint(article: Article) -> Article:
    """Set the content hash and the near-duplicate MinHash; drop the raw candidates, which no
    later stage reads."""
    article.content_hash = content_hash(article.title, article.body)
    article.minhash = clustering.signature_if_long_enough(article.body)
    article.stages_done = article.stages_done | {"dedup"}
    article.raw = None
    return article


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
        if "dedup" in article.stages_done:
            return article
        return fingerprint(article)
