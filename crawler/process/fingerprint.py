"""Step 4 of the chain: the content fingerprint that storage's unique constraints deduplicate on."""

from __future__ import annotations

from crawler import clustering
from crawler.fields.text import content_hash
from crawler.items import Article


def fingerprint(article: Article) -> Article:
    """Set the content hash and the near-duplicate MinHash; drop the raw candidates, which no
    later stage reads."""
    article.content_hash = content_hash(article.title, article.body)
    article.minhash = clustering.signature_if_long_enough(article.body)
    article.fingerprinted = True
    article.raw = None
    return article
