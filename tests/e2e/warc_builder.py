"""WARC files for the tests, written byte by byte from the spec (ISO 28500), not by the code
under test: WARC/1.0 or 1.1, plain or gzipped per record, with the malformed records the
import must survive."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_SITE = ROOT / "demo" / "site"
DEMO_ORIGIN = "https://exemple.sn"

# An English article of ours: a page the import must leave out (not French).
ENGLISH_PAGE = b"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Harbour strike ends after two weeks</title>
</head><body><article><h1>Harbour strike ends after two weeks</h1>
<p>Dock workers in the port returned to work on Monday after the union and the port authority
signed an agreement on overtime pay, ending a strike that had left dozens of ships waiting.</p>
<p>The agreement raises the overtime rate and sets up a joint committee on safety.</p>
</article></body></html>"""

# The same kind of article without any declared language: only the full extraction can tell.
UNDECLARED_ENGLISH = (
    ENGLISH_PAGE.replace(b' lang="en-GB"', b"").replace(b"Harbour", b"Rail")
    + b"<!-- "
    + b"The railway strike ended on Monday after an agreement on pay. " * 3
    + b"-->"
)


def http_response(
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    *,
    status: str = "200 OK",
    extra: str = "",
) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode("latin-1") + body


def record(
    warc_type: str,
    uri: str,
    block: bytes,
    *,
    version: str = "1.1",
    date: str = "2024-11-05T08:30:00Z",
    content_type: str | None = None,
    declared_length: int | None = None,
    extra: str = "",
) -> bytes:
    if content_type is None:
        content_type = {
            "response": "application/http; msgtype=response",
            "request": "application/http; msgtype=request",
            "revisit": "application/http; msgtype=response",
        }.get(warc_type, "application/warc-fields")
    length = len(block) if declared_length is None else declared_length
    head = (
        f"WARC/{version}\r\nWARC-Type: {warc_type}\r\nWARC-Date: {date}\r\n"
        f"WARC-Record-ID: <urn:uuid:{abs(hash((uri, warc_type, date))):032x}>\r\n"
        f"WARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\n{extra}"
        f"Content-Length: {length}\r\n\r\n"
    )
    return head.encode("utf-8") + block + b"\r\n\r\n"


@dataclass
class WarcBuilder:
    """Records in order; `write` gzips each one on its own (or not)."""

    records: list[bytes] = field(default_factory=list)

    def add(self, raw: bytes) -> WarcBuilder:
        self.records.append(raw)
        return self

    def page(self, uri: str, body: bytes, **kwargs: str) -> WarcBuilder:
        return self.add(record("response", uri, http_response(body), **kwargs))

    def write(self, path: Path, *, gzipped: bool = True, tail: bytes = b"") -> Path:
        members = [gzip.compress(r) if gzipped else r for r in self.records]
        path.write_bytes(b"".join(members) + tail)
        return path


def demo_expected() -> dict:
    return json.loads((DEMO_SITE.parent / "expected.json").read_text(encoding="utf-8"))


def demo_articles() -> dict[str, bytes]:
    """The demo site's article pages (demo/expected.json), by URL path."""
    pages = {}
    for url_path in demo_expected()["articles"]:
        file = DEMO_SITE / (url_path.lstrip("/") + ("index.html" if url_path.endswith("/") else ""))
        pages[url_path] = file.read_bytes().replace(b"{{BASE}}", DEMO_ORIGIN.encode())
    return pages
