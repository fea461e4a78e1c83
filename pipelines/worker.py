"""Pipelines 1 to 4 in one worker call: a page crosses to the process pool once.

Extraction, normalisation, language detection and the content fingerprint are pure CPU work on
one page. Running them together in the pool costs one pickling round trip per page (instead
of two) and leaves the reactor process only Scrapy's own work and the database writes, so
both cores go to the pages. The stages are the pipelines' own functions, applied in their
order; the pipelines downstream see `stages_done` and pass the article on.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler.extraction import ExtractOptions, extract_page
from crawler.items import Article
from crawler.memory import release_free_memory
from crawler.sites import SiteConfig
from pipelines.dedup import fingerprint
from pipelines.errors import Rejected
from pipelines.language import apply_language
from pipelines.normalise import normalise_article

# After a page this large the worker hands its freed heap pages back to the system.
BIG_PAGE_CHARS = 2_000_000
WORKER_STAGES = frozenset({"normalise", "language", "dedup"})
# zlib's fast levels: on the corpus pages (154 kB on average) level 2 takes 1.5 ms a page and
# keeps 23 % of the bytes, level 6 (the default) 4.0 ms for 20 %. The raw page is kept to
# extract again later, not to ship: 2.5 ms of every page's CPU is worth more than 4 kB of disk.
RAW_HTML_GZIP_LEVEL = 2


@dataclass(frozen=True)
class PageJob:
    """What a worker needs to turn one fetched page into an article."""

    url: str
    final_url: str
    html: str
    site: SiteConfig
    fetched_at: datetime
    status: int = 200
    hints: dict[str, Any] = field(default_factory=dict)
    min_words: int = 25


@dataclass
class PageOutcome:
    """The article ready to store, or why it was rejected; CPU seconds per stage either way."""

    article: Article | None = None
    reason: str | None = None
    detail: str = ""
    cpu_seconds: dict[str, float] = field(default_factory=dict)


class _StageClock:
    """CPU time (this process only) spent in each stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.process_time()

    def lap(self, stage: str) -> None:
        now = time.process_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def process_page(job: PageJob) -> PageOutcome:
    """extract → normalise → language → dedup on one page (never raises a Rejected)."""
    clock = _StageClock()
    raw = extract_page(job.html, job.final_url, ExtractOptions.from_site(job.site))
    encoded = job.html.encode("utf-8")
    article = Article(
        url=job.url,
        final_url=job.final_url,
        site=job.site.key,
        fetched_at=job.fetched_at,
        raw=raw,
        hints=job.hints,
        extractor=raw.extractor,
        raw_html_gz=gzip.compress(encoded, compresslevel=RAW_HTML_GZIP_LEVEL),
        raw_html_bytes=len(encoded),
        status=job.status,
    )
    clock.lap("extract")
    stage = "normalise"
    try:
        normalise_article(article, job.site, job.min_words)
        clock.lap(stage)
        stage = "language"
        apply_language(article, job.site)
        clock.lap(stage)
    except Rejected as rejected:
        clock.lap(stage)
        return PageOutcome(
            reason=rejected.reason, detail=rejected.detail, cpu_seconds=clock.seconds
        )
    fingerprint(article)
    clock.lap("dedup")
    if len(job.html) > BIG_PAGE_CHARS:
        release_free_memory()
    article.stages_done = WORKER_STAGES
    return PageOutcome(article=article, cpu_seconds=clock.seconds)
