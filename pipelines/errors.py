"""Why an article did not make it into the archive: a closed list of reasons."""

from __future__ import annotations

from scrapy.exceptions import DropItem

REASONS = {
    "http_status": "the server answered with a non-200 status",
    "robots_disallowed": "robots.txt forbids this URL; it was not fetched",
    "robots_unavailable": "robots.txt answered 5xx/429 or was unreachable: host skipped this run",
    "fetch_failed": "network error, timeout or refused connection",
    "not_html": "the response is not an HTML page",
    "too_large": "the response exceeds the size limit",
    "empty_page": "the page holds no markup at all",
    "no_article_text": "no article text found (too few words after cleaning)",
    "extraction_failed": "the extractor raised on this page",
    "extraction_timeout": "extraction took longer than EXTRACTION_TIMEOUT",
    "language_rejected": "the article is not in the site's language and the site rejects those",
    "pipeline_error": "a pipeline raised an unexpected error on this article (a bug: see the log)",
}


class Rejected(DropItem):
    """Dropped with a reason from REASONS; the crawl-run extension records it as a rejection."""

    def __init__(self, reason: str, detail: str = "", url: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown rejection reason {reason!r}")
        self.reason = reason
        self.detail = detail
        self.url = url
        super().__init__(f"{reason}: {detail}" if detail else reason)
