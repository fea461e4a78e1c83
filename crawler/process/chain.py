"""The one processing chain: a fetched page becomes an Article, or the reason it is not one.

discover → fetch → **process** → store. `process_page` runs extract → normalise → language →
fingerprint on one page. It is pure CPU work (no I/O, no Scrapy, no database), so the crawl
runs it in the process pool (pipelines/process.py), and `scrapy reextract`, the gensite
sample, the tests and the bench call the very same function: nothing else spells the chain.
"""

from __future__ import annotations

import gzip
import time

from crawler.items import Article
from crawler.memory import release_free_memory
from crawler.process.extract import extract_page
from crawler.process.fingerprint import fingerprint
from crawler.process.job import PageJob
from crawler.process.language import apply_language
from crawler.process.normalise import normalise_article
from crawler.process.rejections import Rejected

# After a page this large the worker hands its freed heap pages back to the system.
BIG_PAGE_CHARS = 2_000_000
RAW_HTML_GZIP_LEVEL = 2
# The stages timed, as named in the depeches/time/<stage>_cpu_us stats the bench reads.
STAGES = ("extract", "normalise", "language", "dedup")


class _StageClock:
    """CPU time (this process only) spent in each stage, added to `seconds`."""

    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds
        self._last = time.process_time()

    def lap(self, stage: str) -> None:
        now = time.process_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def process_page(job: PageJob, cpu_seconds: dict[str, float] | None = None) -> Article | Rejected:
    """extract → normalise → language → fingerprint on one page.

    Returns the article ready to store, or the `Rejected` that says why the page is not one
    (returned, never raised). `cpu_seconds`, when given, receives the CPU seconds per stage.
    Any other exception is a bug in a step and propagates.
    """
    clock = _StageClock({} if cpu_seconds is None else cpu_seconds)
    if not job.html.strip():
        return Rejected("empty_page", f"{len(job.html)} characters", url=job.url)
    raw = extract_page(job.html, job.final_url, job.site.selectors)
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
        rejected.url = rejected.url or job.url
        return rejected
    fingerprint(article)
    clock.lap("dedup")
    if len(job.html) > BIG_PAGE_CHARS:
        release_free_memory()
    return article


def process_page_timed(job: PageJob) -> tuple[Article | Rejected, dict[str, float]]:
    """`process_page` and its CPU seconds per stage: what a pool worker sends back."""
    cpu_seconds: dict[str, float] = {}
    return process_page(job, cpu_seconds), cpu_seconds
