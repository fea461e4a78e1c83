"""Items that flow from the spiders through the pipelines to storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any


@dataclass
class FetchedPage:
    """What a spider yields for one article response: no field parsing happens in spiders."""

    url: str
    final_url: str
    status: int
    html: str = field(repr=False)
    fetched_at: datetime
    site: str
    headers: dict[str, str] = field(default_factory=dict)
    # What discovery already knew about this URL (feed pubDate, news-sitemap title/keywords...).
    hints: dict[str, Any] = field(default_factory=dict)
    # Set when the fetch itself failed (robots_disallowed, fetch_failed, not_html...): the page
    # then carries no HTML and the first pipeline turns it into a recorded rejection.
    error: str | None = None
    error_detail: str = ""
    # Where an imported page came from (scrapy crawl warc / ccnews): file and record offset.
    warc_file: str | None = None
    warc_offset: int | None = None


@dataclass(frozen=True)
class DateCandidate:
    """A date string found somewhere in or around the page, before parsing."""

    source: str  # site | jsonld | meta | time | text | feed | sitemap | url | htmldate
    raw: str
    kind: str = "published"  # published | modified


@dataclass(frozen=True)
class ParsedDate:
    """A normalised date: UTC value, how precise it is, and where it came from."""

    value: datetime  # timezone-aware UTC; for precision "day", midnight UTC of the written day
    precision: str  # day | minute | second
    raw: str
    source: str
    # The publication's own UTC offset, in minutes east of UTC, for dates with a time: the
    # offset written on the page, else the site's zone at that instant (None for day-only
    # dates: their day is already the local day). `offset_written` says which. Two dates that
    # name the same instant with the same precision, raw string and source are equal.
    offset_minutes: int | None = field(default=None, compare=False)
    offset_written: bool = field(default=False, compare=False)

    @property
    def local_day(self) -> date:
        """The calendar day of the publication where it was published."""
        if self.offset_minutes is None:
            return self.value.date()
        return (self.value + timedelta(minutes=self.offset_minutes)).date()


@dataclass(frozen=True)
class Tag:
    label: str  # as displayed on the page
    slug: str  # accent-folded, for joins


@dataclass(frozen=True)
class AgencyMention:
    code: str  # AFP, REUTERS, APS... (one table: crawler.fields.agencies.AGENCIES)
    where: str  # trailer | dateline | byline | meta
    raw: str


@dataclass
class RawExtraction:
    """Candidates gathered from the HTML in the extraction worker (picklable, no lxml objects)."""

    body_lines: list[str] = field(default_factory=list)
    title_candidates: dict[str, str] = field(default_factory=dict)
    site_name: str | None = None
    description: str | None = None
    date_candidates: list[DateCandidate] = field(default_factory=list)
    author_candidates: list[str] = field(default_factory=list)
    author_accounts: list[str] = field(default_factory=list)  # names markup says are people
    tag_candidates: list[str] = field(default_factory=list)
    section_candidates: list[str] = field(default_factory=list)
    read_count_texts: list[str] = field(default_factory=list)
    canonical_candidates: list[str] = field(default_factory=list)
    html_lang: str | None = None
    extractor: str = ""


@dataclass
class Article:
    """One article as `process_page` builds it and storage writes it."""

    url: str
    final_url: str
    site: str
    fetched_at: datetime
    raw: RawExtraction | None = None
    hints: dict[str, Any] = field(default_factory=dict)
    canonical_url: str = ""
    title: str | None = None
    description: str | None = None
    body: str = ""
    published: ParsedDate | None = None
    modified: ParsedDate | None = None
    date_rejections: list[tuple[str, str]] = field(default_factory=list)  # (raw, reason)
    authors: list[str] = field(default_factory=list)
    desks: list[str] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    section: str | None = None
    agencies: list[AgencyMention] = field(default_factory=list)
    read_count: int | None = None
    language: str | None = None
    language_confidence: float | None = None
    word_count: int = 0
    content_hash: str = ""
    extractor: str = ""
    # The fetched page, gzip-compressed, kept so `scrapy reextract` can rerun `process_page`.
    raw_html_gz: bytes = field(default=b"", repr=False)
    raw_html_bytes: int = 0  # the page's size before compression; 0 when not known
    status: int = 200
    # MinHash of the body for wire-story clustering (crawler.clustering), set by the
    # fingerprint step; None when the body is too short to cluster.
    minhash: list[int] | None = field(default=None, repr=False)
    # True once crawler.process.fingerprint has set content_hash and minhash (in the pool), so
    # storage does not compute them again; articles built by hand leave it False.
    fingerprinted: bool = False
    # Provenance of an imported page (FetchedPage.warc_file / warc_offset), kept in raw_pages.
    warc_file: str | None = None
    warc_offset: int | None = None

    @property
    def agency_codes(self) -> list[str]:
        seen: list[str] = []
        for mention in self.agencies:
            if mention.code not in seen:
                seen.append(mention.code)
        return seen
