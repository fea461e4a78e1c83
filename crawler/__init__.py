"""depeches: crawl francophone news sites into a deduplicated SQL archive.

A page goes discover (spiders/) → fetch (fetch/) → process (process/) → store (storage/);
pipelines/ at the project root holds the two Scrapy adapters between them (process, store).
"""

__version__ = "0.1.0"
# Bumped whenever a pipeline rule changes what is stored, so researchers can tell which rules
# produced a row (articles.pipeline_version) and `scrapy reextract` can find stale rows.
PIPELINE_VERSION = "2026.11.25"
