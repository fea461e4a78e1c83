"""What the crawl's own process hands to the pool: a fetched page, and the call that runs the
chain on it in a worker.

The crawl's process builds jobs and reads their results but never extracts, so it does not
import the chain (`crawler.process.chain`: trafilatura, htmldate, justext, the finders); the
workers have it from their fork server (crawler/preload.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crawler.process import DEFAULT_MIN_ARTICLE_WORDS
from crawler.sites import SiteConfig

if TYPE_CHECKING:
    from crawler.items import Article
    from crawler.process.rejections import Rejected


@dataclass(frozen=True)
class PageJob:
    """One fetched page and what the chain needs to know about it."""

    url: str
    final_url: str
    html: str
    site: SiteConfig
    fetched_at: datetime
    status: int = 200
    hints: dict[str, Any] = field(default_factory=dict)
    min_words: int = DEFAULT_MIN_ARTICLE_WORDS


def run_in_worker(job: PageJob) -> tuple[Article | Rejected, dict[str, float]]:
    """`chain.process_page_timed(job)`, imported where it runs (a pool worker)."""
    from crawler.process.chain import process_page_timed

    return process_page_timed(job)
