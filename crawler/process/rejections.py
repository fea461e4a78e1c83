"""Why a page did not make it into the archive: a closed list of reasons.

`process_page` returns a `Rejected`; the process pipeline raises it, so Scrapy drops the item
and the crawl-run extension records the rejection.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

REASONS = {
    "http_status": "the server answered with a non-200 status",
    "robots_disallowed": "robots.txt forbids this URL; it was not fetched",
    "robots_unavailable": "robots.txt answered 5xx/429 or was unreachable: host skipped this run",
    "fetch_failed": "network error or refused connection (after retries)",
    "timeout": "no complete response within DOWNLOAD_TIMEOUT (after retries): slow or stalled",
    "truncated": "the body ended early: shorter than its Content-Length, or HTML cut off mid-tag",
    "private_address": "the host is or resolves to a private, loopback or reserved address "
    "(crawler/fetch/netguard.py); ALLOW_PRIVATE_NETWORKS opens ranges",
    "offsite": "a redirect led outside the site's domains; the target was not fetched",
    "redirect_failed": "a redirect loop, more than REDIRECT_MAX_TIMES hops, or a non-HTTP target",
    "not_html": "the response is not an HTML page (by Content-Type, or binary bytes as text/html)",
    "encoding_suspect": "the text is full of U+FFFD whatever the charset tried: bytes already lost",
    "too_large": "the response exceeds DOWNLOAD_MAXSIZE, before or after decompression",
    "empty_page": "the page holds no markup at all",
    "no_article_text": "no article text found (too few words after cleaning)",
    "soft_404": "a 'page not found' page answered with status 200",
    "paywalled_stub": "only the subscribers' teaser is served, the text is behind a paywall",
    "extraction_failed": "the extractor raised on this page",
    "extraction_timeout": "extraction ran longer than EXTRACTION_TIMEOUT: its worker was killed "
    "(retried in later runs, FRONTIER_MAX_ATTEMPTS in all)",
    "language_rejected": "the article is not in the site's language and the site rejects those",
    "pipeline_error": "a pipeline raised an unexpected error on this article (a bug: see the log)",
    "database_refused": "the database refused the article's row (a data error, not an outage): "
    "the detail names the error; the rest of the batch is stored",
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

    def __reduce__(self) -> tuple[type[Rejected], tuple[str, str, str]]:
        # crosses the process pool's pipe: rebuilt from its fields, not from the message
        return (type(self), (self.reason, self.detail, self.url))
