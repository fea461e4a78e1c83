"""Truncation judged from the transfer, not from the HTML.

A page served without `</body>` and `</html>` is complete (both end tags are optional in
HTML5); a page is cut when the transfer says so. A body shorter than its Content-Length is
Scrapy's data loss (an error with DOWNLOAD_FAIL_ON_DATALOSS, the "dataloss" flag without). A
compressed body whose stream stops before its end is not caught by Scrapy: its decompression
keeps "as much data as possible" and hands back the first part of the page as if it were all
of it. `CutStreamMiddleware` looks at the stream before it is decompressed and flags such a
response "dataloss" too; the spider turns that flag into a `truncated` rejection.
"""

from __future__ import annotations

import zlib
from typing import Any, Self

import brotli
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

DATALOSS_FLAG = "dataloss"  # the flag Scrapy itself puts on a body shorter than announced
CUT_STREAM_FLAG = "compressed stream cut"  # said next to it when the stream is the reason
_CHUNK = 64 * 1024


def cut_stream(body: bytes, encoding: str, limit: int) -> bool:
    """Does this gzip / deflate / br stream stop before its end?

    Only the stream's completeness is checked: the output is thrown away as it comes, and
    after `limit` decompressed bytes the check stops (an oversized body is the compression
    middleware's to refuse). Unknown encodings and streams that are not even valid at their
    start are left to that middleware too (False).
    """
    encoding = encoding.strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            return not _zlib_stream_ends(zlib.decompressobj(wbits=47), body, limit)
        if encoding == "deflate":
            # zlib-wrapped as the RFC says, or raw deflate as some servers send it
            wrapped = len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0
            wbits = 15 if wrapped else -15
            return not _zlib_stream_ends(zlib.decompressobj(wbits=wbits), body, limit)
        if encoding == "br":
            return not _brotli_stream_ends(body, limit)
    except (zlib.error, brotli.error):
        return False
    return False


def _zlib_stream_ends(decompressor: Any, body: bytes, limit: int) -> bool:
    produced = 0
    for start in range(0, len(body), _CHUNK):
        data = body[start : start + _CHUNK]
        while data:
            produced += len(decompressor.decompress(data, _CHUNK))
            if decompressor.eof or produced > limit > 0:
                return True
            data = decompressor.unconsumed_tail
    return bool(decompressor.eof)


def _brotli_stream_ends(body: bytes, limit: int) -> bool:
    # as Scrapy's own decompression does: a few kilobytes of brotli can hold gigabytes, so the
    # output comes out one bounded chunk at a time
    decompressor = brotli.Decompressor()
    produced = len(decompressor.process(body, output_buffer_limit=_CHUNK))
    while not decompressor.is_finished():
        if produced > limit > 0:
            return True
        chunk = decompressor.process(b"", output_buffer_limit=_CHUNK)
        if not chunk:
            break
        produced += len(chunk)
    return bool(decompressor.is_finished())


class CutStreamMiddleware:
    """Flags "dataloss" on a compressed response whose stream is cut (before decompression).

    Sits closer to the downloader than HttpCompressionMiddleware (590), so it sees the body
    as it was transferred.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE", 0))

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        encodings = response.headers.getlist(b"Content-Encoding")
        if not encodings or not response.body or DATALOSS_FLAG in response.flags:
            return response
        outer = encodings[-1].decode("latin-1").split(",")[-1]  # the last one applied
        if cut_stream(response.body, outer, self.limit):
            return response.replace(flags=[*response.flags, DATALOSS_FLAG, CUT_STREAM_FLAG])
        return response
