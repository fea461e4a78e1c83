"""Process: one fetched page → one Article or the reason it is not one (`chain.process_page`).

discover (crawler/spiders) → fetch (crawler/fetch) → **process** → store (crawler/storage).
Pure CPU work, no I/O: extract.py (trafilatura and the field finders), normalise.py,
language.py, fingerprint.py, chained by chain.py; rejections.py names every reason a page is
dropped; pool.py is the process pool the crawl runs the chain in.

This module stays import-light: settings/base.py reads its threshold.
"""

# Fewer words than this after cleaning: not an article (no_article_text). The production
# threshold: settings/base.py's MIN_ARTICLE_WORDS is this constant, and every caller without
# Scrapy settings (tests, the bench, reextract's default) uses it.
DEFAULT_MIN_ARTICLE_WORDS = 25
