"""Reading and writing WARC files (ISO 28500), with FastWARC.

FastWARC (a C++ reader) reads WARC/1.0 and 1.1, plain or gzipped per record, as a stream: one
record at a time, so memory stays flat on a 1 GB CC-NEWS file. On 1,206 records built from
the pages of ../shared/corpus (39 MB gzipped, 191 MB of HTML) it read 1,510 records/s where
warcio read 855 records/s (bench/warc.py, docs/performance.md).

`read_warc` turns records into `WarcPage`s, skipping (and naming the reason of) everything that
is not an HTML page the import wants, with the cheap checks first: the record type, the HTTP
status, the Content-Type, the host, then the declared language (Content-Language, `<html
lang>`, `<meta http-equiv=content-language>`), before the spider hands the page to the same
`process_page` as a crawl. `warc_response` writes a page back (scrapy export --format warc).
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from crawler import PIPELINE_VERSION

# Custom WARC fields written by the export so that an import gives back the same articles:
# the URL first requested (the target URI is the URL after redirects) and discovery's hints.
REQUESTED_URI = "WARC-Depeches-Requested-URI"
HINTS = "WARC-Depeches-Hints"
MAX_HINTS_CHARS = 20_000
HTML_TYPES = ("text/html", "application/xhtml+xml")
LANGUAGE_SNIFF_BYTES = 16_384

_HTML_LANG = re.compile(rb"<html\b[^>]{0,2000}?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3})\b", re.I)
_META_LANG = re.compile(
    rb"<meta\b[^>]{0,500}?http-equiv\s*=\s*[\"']?content-language[\"']?[^>]{0,500}?"
    rb"content\s*=\s*[\"']?\s*([A-Za-z]{2,3})\b",
    re.I,
)
_GLOB_CHARS = re.compile(r"[*?\[]")


class WarcSourceError(ValueError):
    """A `-a file=` entry that names nothing readable."""


class SourceReadError(OSError):
    """The file's bytes stopped coming (network, disk): not a corrupt record, retry later."""


class TrackedStream:
    """A binary stream that remembers its own read errors, told apart from corrupt data."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.error: BaseException | None = None
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.raw.read(size)
        except Exception as exc:
            self.error = exc
            raise
        self.position += len(data)
        return data

    def tell(self) -> int:
        """Bytes read so far (FastWARC asks; a download cannot tell it)."""
        return self.position

    def close(self) -> None:
        self.raw.close()


@dataclass
class WarcPage:
    """One HTTP response record that passed the pre-filter."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)
    date: datetime
    offset: int
    requested_url: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass
class Skipped:
    """A record left out, and why (a key of the run's stats: depeches/warc/skipped/<reason>)."""

    reason: str
    offset: int
    url: str = ""


@dataclass(frozen=True)
class RecordFilter:
    """Which records the import wants: languages (primary subtags), hosts, size."""

    languages: frozenset[str] = frozenset({"fr"})
    wants_host: Callable[[str], bool] | None = None
    max_bytes: int = 20 * 1024 * 1024


def primary_languages(values: Iterable[str]) -> set[str]:
    """ "fr-FR, en" and "fr_CA" → {"fr", "en"}: the primary subtags, lower case."""
    found: set[str] = set()
    for value in values:
        for token in value.replace("_", "-").split(","):
            primary = token.strip().split("-", 1)[0].strip().lower()
            if 2 <= len(primary) <= 3 and primary.isalpha():
                found.add(primary)
    return found


def declared_languages(content_language: str | None, head: bytes) -> set[str]:
    """Languages the response declares: Content-Language, `<html lang>`, meta content-language."""
    head = head[:LANGUAGE_SNIFF_BYTES]
    values = [content_language or ""]
    values += [m.group(1).decode("ascii") for m in _HTML_LANG.finditer(head)]
    values += [m.group(1).decode("ascii") for m in _META_LANG.finditer(head)]
    return primary_languages(values)


def _target_uri(record: WarcRecord) -> str:
    uri = (record.headers.get("WARC-Target-URI") or "").strip()
    return uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri  # WARC/0.x style


def parse_warc_date(text: str | None) -> datetime | None:
    """A WARC-Date (W3C-ISO8601, with or without fraction), as an aware UTC datetime."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _hints(record: WarcRecord) -> dict[str, Any]:
    text = record.headers.get(HINTS)
    if not text or len(text) > MAX_HINTS_CHARS:
        return {}
    try:
        hints = json.loads(text)
    except ValueError:
        return {}
    return hints if isinstance(hints, dict) else {}


def _page_or_skip(record: WarcRecord, wanted: RecordFilter) -> WarcPage | Skipped:
    offset = record.stream_pos
    kind = record.record_type
    if kind != WarcRecordType.response:
        name = getattr(kind, "name", str(kind)).lower()
        return Skipped(f"{name}_record", offset)
    url = _target_uri(record)
    date = parse_warc_date(record.headers.get("WARC-Date"))
    if not url.lower().startswith(("http://", "https://")) or date is None:
        return Skipped("corrupt" if date is None or not url else "not_http", offset, url)
    http = record.http_headers
    if http is None or not record.is_http:
        return Skipped("not_http", offset, url)
    if http.status_code != 200:
        return Skipped("http_status", offset, url)
    content_type = (http.get("Content-Type") or "").strip()
    if content_type and not content_type.lower().startswith(HTML_TYPES):
        return Skipped("not_html", offset, url)
    if wanted.wants_host is not None:
        host = url.split("/", 3)[2].rsplit("@", 1)[-1].split(":", 1)[0].lower()
        if not wanted.wants_host(host):
            return Skipped("host", offset, url)
    if record.content_length > wanted.max_bytes:
        return Skipped("too_large", offset, url)
    body = record.reader.read(wanted.max_bytes + 1)
    if len(body) > wanted.max_bytes:
        return Skipped("too_large", offset, url)
    encoded = http.get("Transfer-Encoding") or http.get("Content-Encoding")
    if not encoded and len(body) < record.content_length:  # decoding changes the length
        return Skipped("truncated", offset, url)
    declared = declared_languages(http.get("Content-Language"), body)
    if declared and wanted.languages and not declared & wanted.languages:
        return Skipped("language", offset, url)
    headers = {str(k).lower(): str(v) for k, v in http.items()}
    return WarcPage(
        url=url,
        status=200,
        headers=headers,
        body=body,
        date=date,
        offset=offset,
        requested_url=record.headers.get(REQUESTED_URI) or None,
        hints=_hints(record),
    )


def read_warc(stream: TrackedStream, wanted: RecordFilter) -> Iterator[WarcPage | Skipped]:
    """Every record of the stream, as a page to import or the reason it is left out.

    Never raises on bad data: a record that cannot be parsed ends the file with one
    `Skipped("corrupt")` (a stream cannot be resynchronised reliably past it). A stream that
    fails to deliver its bytes raises SourceReadError: the file was not read, not bad.
    """
    # read() is all FastWARC needs of a Python stream (no seek: downloads cannot)
    records = ArchiveIterator(
        stream,  # type: ignore[arg-type]
        parse_http=True,
        auto_decode="all",
        fsspec_args=False,
    )
    offset = 0
    while True:
        try:
            record = next(records)
            offset = record.stream_pos
            outcome = _page_or_skip(record, wanted)
        except StopIteration:
            return
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # FastWARC's Rust panics are BaseExceptions
            if stream.error is not None:
                raise SourceReadError(f"{type(stream.error).__name__}: {stream.error}") from exc
            yield Skipped("corrupt", offset, f"{type(exc).__name__}: {exc}")
            return
        yield outcome


def expand_sources(spec: str | None) -> list[str]:
    """`-a file=` entries: comma-separated paths, globs and http(s) URLs, in order, unique.

    Raises WarcSourceError naming the entry for a missing file or a glob matching nothing.
    """
    entries = [entry.strip() for entry in (spec or "").split(",") if entry.strip()]
    if not entries:
        raise WarcSourceError("give -a file=PATH|GLOB|URL (comma-separated for several)")
    sources: list[str] = []
    for entry in entries:
        if entry.lower().startswith(("http://", "https://")):
            sources.append(entry)
        elif _GLOB_CHARS.search(entry):
            matches = sorted(glob.glob(entry))
            if not matches:
                raise WarcSourceError(f"{entry!r}: no file matches")
            sources.extend(matches)
        elif Path(entry).is_file():
            sources.append(entry)
        else:
            raise WarcSourceError(f"{entry!r}: no such file")
    return list(dict.fromkeys(sources))


# -- writing -------------------------------------------------------------------------------


def warc_date(value: datetime) -> str:
    """WARC-Date text: UTC, with the microseconds when there are some (WARC/1.1)."""
    value = value.astimezone(UTC)
    spec = "microseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _gzipped(record: WarcRecord) -> bytes:
    buffer = io.BytesIO()
    record.write(buffer)
    return gzip.compress(buffer.getvalue(), compresslevel=6)


def warcinfo_record(filename: str, created: datetime) -> bytes:
    """The file's first record: what wrote it (one gzip member)."""
    record = WarcRecord()
    record.init_headers(record_type=WarcRecordType.warcinfo)
    record.headers["WARC-Date"] = warc_date(created)
    record.headers["WARC-Filename"] = filename
    record.headers["Content-Type"] = "application/warc-fields"
    record.set_bytes_content(
        f"software: depeches {PIPELINE_VERSION}\r\nformat: WARC File Format 1.1\r\n".encode()
    )
    return _gzipped(record)


def warc_response(
    url: str,
    fetched_at: datetime,
    status: int,
    html: bytes,
    *,
    requested_url: str | None = None,
    hints: dict[str, Any] | None = None,
    content_type: str = "text/html; charset=utf-8",
) -> bytes:
    """One response record (one gzip member) of a stored page, its HTML as UTF-8."""
    record = WarcRecord()
    record.init_headers(record_type=WarcRecordType.response)
    record.headers["WARC-Date"] = warc_date(fetched_at)
    record.headers["WARC-Target-URI"] = url
    record.headers["Content-Type"] = "application/http; msgtype=response"
    if requested_url and requested_url != url:
        record.headers[REQUESTED_URI] = requested_url
    if hints:
        text = json.dumps(hints, ensure_ascii=True, separators=(",", ":"), default=str)
        if len(text) <= MAX_HINTS_CHARS:
            record.headers[HINTS] = text
    head = (
        f"HTTP/1.1 {status} OK\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(html)}\r\n\r\n"
    ).encode("ascii")
    record.set_bytes_content(head + html)
    return _gzipped(record)
