"""What both spiders share: article requests, the article callback and the failure path.

Every article request ends as exactly one `FetchedPage`: with HTML, or with an error from the
closed list of `crawler.process.rejections.REASONS` that the process pipeline turns into a
rejection. The checks made here are about the fetch itself, not about fields:

- redirects are followed here (not by Scrapy's middleware, whose hops the dupefilter can drop
  silently): a loop, too many hops or a non-HTTP target is `redirect_failed`, a host outside
  the site is `offsite`;
- a body that is a PDF, an image or other binary data is `not_html`, whatever its Content-Type;
- the text is decoded once, with fallbacks (`decode_html`): a BOM wins, then the declared
  charsets (header, then `<meta>`) unless the bytes contradict them, then UTF-8, then
  windows-1252 (the WHATWG default for French); a page still full of U+FFFD is
  `encoding_suspect`;
- HTML that stops inside a tag is `truncated`, as is a body shorter than its Content-Length
  (Scrapy's data loss, after retries); a page without `</body>`/`</html>` is not (both are
  optional in HTML5);
- failures map to `timeout`, `too_large`, `truncated`, `offsite`, `redirect_failed`,
  `private_address` (crawler/fetch/netguard.py), `robots_*` or `fetch_failed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import urljoin

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from twisted.internet.error import TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)
from w3lib.url import safe_url_string

from crawler.fetch.middlewares import ROBOTS_UNAVAILABLE
from crawler.fetch.netguard import PrivateAddressError, PrivateAddressLookupError
from crawler.fetch.safety import check_settings
from crawler.fetch.transfer import DATALOSS_FLAG
from crawler.items import FetchedPage
from crawler.sites import SiteConfig

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
# What a redirect hop keeps of the request's meta (not Scrapy's per-download keys).
FORWARDED_META = ("site_key", "hints", "article", "dont_redirect")
# What an exception without a message meant (Scrapy raises these two bare).
SILENT_FAILURES = {
    "DownloadCancelledError": "cancelled mid-body, which Scrapy does past DOWNLOAD_MAXSIZE",
    "ResponseDataLossError": "the connection closed before Content-Length bytes arrived",
}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

# File signatures of what is served as text/html by mistake (or on purpose).
BINARY_SIGNATURES = (
    b"%PDF-",
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",  # JPEG
    b"PK\x03\x04",  # zip, docx, xlsx, epub
    b"\x1f\x8b",  # gzip
    b"BM",  # bitmap (followed by its size, never by text)
    b"OggS",
    b"ID3",  # mp3
    b"wOFF",
    b"wOF2",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0",  # old Office documents
)
# WHATWG MIME sniffing: bytes that never occur in text.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
SNIFF_BYTES = 4096
BINARY_RATIO = 0.1
# More replacement characters than this share of the non-ASCII text: the decoding failed.
SUSPECT_RATIO = 0.1
SUSPECT_MIN = 3
# ...and at least one in this many characters: a failed decoding garbles every accented
# letter; a handful of U+FFFD in a long, mostly ASCII page is damage in the source (an image
# caption), not a wrong charset, and the article is kept.
SUSPECT_SPACING = 2000
# A declared or tried charset that produces more U+FFFD than this share of the non-ASCII
# characters it decodes is not the page's charset (a stray bad byte in a real UTF-8 page is
# tolerated).
TOLERATED_ERRORS = 0.01
_REPLACEMENT = "\ufffd"
_UTF8_REPLACEMENT = "\ufffd".encode()


def _non_ascii(text: str) -> int:
    """Characters above U+007F (counted in C: a page is 100,000 characters and more)."""
    return len(text) - len(text.encode("ascii", "ignore"))


def _looks_utf16(body: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII markup leaves a NUL in every other byte."""
    sample = body[:1024]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _decode(body: bytes, codec: str) -> tuple[str, int]:
    """Text and the number of replacement characters the decoding added."""
    text = body.decode(codec, "replace")
    literal = body.count(_UTF8_REPLACEMENT) if codec.replace("_", "-") == "utf-8" else 0
    return text, max(0, text.count(_REPLACEMENT) - literal)


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """The page's text and the charset it was decoded with.

    A BOM wins (it cannot be there by accident); then the charset of the Content-Type header
    and the one of `<meta>`, each only if the bytes do not contradict it; then UTF-16 guessed
    from its NUL bytes, UTF-8, and windows-1252 last (it decodes anything).
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        bom_codec = resolve_encoding(bom_encoding) or bom_encoding
        return body[len(bom) :].decode(bom_codec, "replace"), bom_codec
    candidates = [
        http_content_type_encoding(content_type),
        html_body_declared_encoding(body[:SNIFF_BYTES]),
        _looks_utf16(body),
        "utf-8",
    ]
    if _is_utf8_despite_declaration(body, candidates[:2]):
        return body.decode("utf-8"), "utf-8"
    tried: set[str] = set()
    for candidate in candidates:
        codec = resolve_encoding(candidate) if candidate else None
        if not codec or codec in tried:
            continue
        tried.add(codec)
        try:
            text, errors = _decode(body, codec)
        except LookupError:
            continue
        if errors == 0 or errors <= TOLERATED_ERRORS * (_non_ascii(text) - errors):
            return text, codec
    return body.decode("cp1252", "replace"), "cp1252"


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _is_utf8_despite_declaration(body: bytes, declared: list[str | None]) -> bool:
    """UTF-8 bytes under a single-byte declaration (a template saying ISO-8859-2 or latin-1).

    Read with the declared charset they would become mojibake ("bÄ\x99dzie" for "będzie");
    valid UTF-8 with multi-byte sequences is never single-byte text by chance. A multi-byte
    declaration (Shift_JIS, GBK...) is left alone.
    """
    codecs = [c for c in (resolve_encoding(d) for d in declared if d) if c]
    if not codecs or not all(_single_byte(c) for c in codecs):
        return False
    if not _UTF8_MULTIBYTE.search(body):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _single_byte(codec: str) -> bool:
    """One character per byte: the three bytes of UTF-8 "一" read as three characters."""
    try:
        return len(b"\xe4\xb8\x80".decode(codec, "replace")) == 3
    except LookupError:
        return False


def binary_kind(body: bytes) -> str | None:
    """What a body that is not text is, judged from its first bytes; None for text."""
    head = body[:SNIFF_BYTES]
    for signature in BINARY_SIGNATURES:
        if head.startswith(signature):
            return f"binary data starting with {signature!r}"
    if read_bom(head)[0] or _looks_utf16(head):
        return None
    binary = len(_BINARY_BYTES.findall(head))
    if head and binary > BINARY_RATIO * len(head):
        return f"{binary} control bytes in the first {len(head)}"
    return None


def encoding_problem(text: str) -> str | None:
    """Why a decoded page is not trustworthy text (replacement characters), or None."""
    bad = text.count(_REPLACEMENT)
    if bad < SUSPECT_MIN or bad * SUSPECT_SPACING < len(text):
        return None
    if bad > SUSPECT_RATIO * _non_ascii(text):
        return f"{bad} U+FFFD among {_non_ascii(text)} non-ASCII characters"
    return None


# UTF-8 read as windows-1252 / Latin-1: "Ã©" for "é", "â€™" for "’", "Â " for a no-break space.
_MOJIBAKE = re.compile(
    "Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2018-\u201e\u2020-\u2026\u20ac\u2122]|â€|Â[\u00a0-\u00bf]"
)


def undo_double_encoding(text: str) -> str:
    """A page whose UTF-8 was decoded as windows-1252 and encoded again, put back.

    Only when mojibake is dense (not a single quoted "Ã©"), and only if the reverse trip is
    lossless; otherwise the text is returned as it was.
    """
    if "Ã" not in text and "â€" not in text and "Â" not in text:
        return text  # the common case, found by a plain substring scan (the regex is slower)
    found = len(_MOJIBAKE.findall(text))
    if found < SUSPECT_MIN or found <= SUSPECT_RATIO * _non_ascii(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


_LAST_TAG_OPEN = re.compile(r"<[a-zA-Z/!][^>]*\Z")


def truncation(text: str) -> str | None:
    """Why this HTML is cut off (it stops inside a tag), or None.

    A missing `</body>` or `</html>` is no sign: both end tags are optional in HTML5, and
    pages served whole without them are common. A body cut in transfer (shorter than its
    Content-Length, Scrapy's data loss) is caught by the download itself (`failure_reason`).
    """
    tail = text[-4096:].rstrip()
    if _LAST_TAG_OPEN.search(tail):
        return f"ends inside a tag: {tail[-60:]!r}"
    return None


def failure_reason(exc: BaseException) -> str:
    """The rejection reason of a fetch that produced no response."""
    message = str(exc)
    lowered = message.lower()
    if isinstance(exc, PrivateAddressError | PrivateAddressLookupError):
        return "private_address"
    if isinstance(exc, IgnoreRequest):
        if message.startswith(ROBOTS_UNAVAILABLE):
            return "robots_unavailable"
        if "robots.txt" in lowered:
            return "robots_disallowed"
        if "offsite" in lowered:
            return "offsite"
        if "redirect" in lowered:
            return "redirect_failed"
    if "download_maxsize" in lowered or ("larger than" in lowered and "max size" in lowered):
        return "too_large"  # before and after decompression (gzip, deflate, brotli bombs)
    if isinstance(exc, DownloadTimeoutError | TwistedTimeoutError | TCPTimedOutError):
        return "timeout"
    if isinstance(exc, ResponseDataLossError) or "dataloss" in lowered or "data loss" in lowered:
        return "truncated"
    if isinstance(exc, DownloadCancelledError):
        # Scrapy cancels a download mid-body only when it grows past DOWNLOAD_MAXSIZE (its
        # exception then has no message; the warning before it says "larger than download
        # max size")
        return "too_large"
    return "fetch_failed"


class ArticleSpider(scrapy.Spider):
    """Base class: turns article responses (and failed fetches) into `FetchedPage` items."""

    sites: list[SiteConfig]
    max_redirects: int = 5

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        check_settings(crawler.settings)  # before any request, whatever started the crawl
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES", 5)
        return spider

    def article_request(
        self, url: str, site: SiteConfig, hints: dict[str, Any] | None = None
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            # redirects are followed by parse_article, so that every hop is accounted for
            meta={
                "site_key": site.key,
                "hints": hints or {},
                "article": True,
                "dont_redirect": True,
            },
        )

    def _page(self, response: Response, **fields: Any) -> FetchedPage:
        meta = response.meta
        redirects = meta.get("redirect_urls") or []
        content_type = response.headers.get(b"Content-Type") or b""
        return FetchedPage(
            url=redirects[0] if redirects else response.url,
            final_url=response.url,
            status=response.status,
            html=fields.pop("html", ""),
            fetched_at=datetime.now(UTC),
            site=meta["site_key"],
            headers={"content-type": content_type.decode("latin-1")},
            hints=dict(meta.get("hints") or {}),
            **fields,
        )

    def _site_by_key(self, key: str) -> SiteConfig | None:
        return next((s for s in self.sites if s.key == key), None)

    def parse_article(self, response: Response) -> Iterator[FetchedPage | scrapy.Request]:
        """One page (or the next redirect hop); a bug here still leaves a recorded rejection."""
        try:
            yield from self._parse_article(response)
        except Exception as exc:
            self.logger.exception("article callback failed on %s", response.url)
            detail = f"spider: {type(exc).__name__}: {exc}"[:500]
            yield self._page(response, error="pipeline_error", error_detail=detail)

    def _parse_article(self, response: Response) -> Iterator[FetchedPage | scrapy.Request]:
        content_type = response.headers.get(b"Content-Type") or b""
        location = response.headers.get(b"Location")
        if response.status in REDIRECT_STATUSES and location:
            yield self._follow(response, location)
            return
        if response.status != 200:
            yield self._page(response, error="http_status", error_detail=str(response.status))
            return
        if content_type and not content_type.lower().startswith(HTML_TYPES):
            detail = content_type.decode("latin-1")
            yield self._page(response, error="not_html", error_detail=detail)
            return
        if DATALOSS_FLAG in response.flags:
            # the transfer itself was cut: fewer bytes than Content-Length, or a compressed
            # stream that stops before its end (crawler.fetch.transfer)
            detail = "transfer cut: " + ", ".join(response.flags)
            yield self._page(response, error="truncated", error_detail=detail)
            return
        binary = binary_kind(response.body)
        if binary is not None or (not isinstance(response, TextResponse) and response.body):
            detail = binary or type(response).__name__
            yield self._page(response, error="not_html", error_detail=detail)
            return
        html, _codec = decode_html(response.body, content_type.decode("latin-1") or None)
        html = undo_double_encoding(html)
        problem = encoding_problem(html)
        if problem is not None:
            yield self._page(response, error="encoding_suspect", error_detail=problem)
            return
        cut = truncation(html) if html.strip() else None
        if cut is not None:
            yield self._page(response, error="truncated", error_detail=cut)
            return
        yield self._page(response, html=html)

    def _follow(self, response: Response, location: bytes) -> FetchedPage | scrapy.Request:
        """The next hop of a redirect, or the rejection that ends the chain."""
        chain = [*(response.meta.get("redirect_urls") or []), response.url]
        target = urljoin(response.url, safe_url_string(location.decode("latin-1").strip()))
        hops = " → ".join([*chain, target])[:400]
        site = self._site_by_key(response.meta["site_key"])
        if not target.lower().startswith(("http://", "https://")):
            return self._page(
                response, error="redirect_failed", error_detail=f"to a non-HTTP URL: {hops}"
            )
        if site is not None and not site.generic and not site.owns(target):
            return self._page(response, error="offsite", error_detail=f"redirect: {hops}")
        if target in chain:
            return self._page(response, error="redirect_failed", error_detail=f"loop: {hops}")
        if len(chain) > self.max_redirects:
            detail = f"more than {self.max_redirects} redirects: {hops}"
            return self._page(response, error="redirect_failed", error_detail=detail)
        meta = {k: v for k, v in response.meta.items() if k in FORWARDED_META}
        meta.update(redirect_urls=chain, redirect_times=len(chain))
        request = response.request
        assert request is not None  # a response handed to a callback has its request
        return request.replace(
            url=target, meta=meta, dont_filter=True, priority=request.priority + 2
        )

    def article_failed(self, failure: Failure) -> Iterator[FetchedPage]:
        """A fetch that never produced a response still ends as a recorded rejection."""
        request = failure.request  # type: ignore[attr-defined]
        name = type(failure.value).__name__
        message = str(failure.value) or SILENT_FAILURES.get(name, "")
        detail = f"{name}: {message}".replace("\x00", "")[:500]
        redirects = request.meta.get("redirect_urls") or []
        yield FetchedPage(
            url=redirects[0] if redirects else request.url,
            final_url=request.url,
            status=0,
            html="",
            fetched_at=datetime.now(UTC),
            site=request.meta["site_key"],
            hints=dict(request.meta.get("hints") or {}),
            error=failure_reason(failure.value),
            error_detail=detail,
        )
