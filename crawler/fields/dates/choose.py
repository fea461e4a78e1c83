"""Choosing the published and modified dates among a page's candidates, by source trust."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo

from crawler.fields.dates.grammar import (
    FUTURE_DATE,
    MODIFIED_BEFORE_PUBLISHED,
    DateRejection,
    _as_utc,
    parse_date,
)
from crawler.items import DateCandidate, ParsedDate


@dataclass(frozen=True)
class DateChoice:
    """The dates kept for an article, and the candidates refused on the way."""

    published: ParsedDate | None
    modified: ParsedDate | None
    rejections: list[tuple[str, str]] = field(default_factory=list)  # (raw, reason)


# Order of trust, most trusted first; an unknown source ranks last.
# The page is the authority on itself: what the page says (structured, then visible) comes
# before what a feed or sitemap said about it, so an article gets the same date whichever
# discovery path reached it first. "site" is a site file's own date selector.
SOURCE_TRUST: dict[str, int] = {
    "site": 0,
    "jsonld": 1,
    "meta": 2,
    "time": 3,
    "text": 4,
    "feed": 5,
    "sitemap": 6,
    "url": 7,
    "htmldate": 8,
}
# htmldate's extensive search (the library trafilatura uses): the last resort, for pages whose
# date none of the rules above can read (a date in a script, in an odd attribute, in prose).
LIBRARY_SOURCE = "htmldate"
# Sources that describe the page from outside: they never refine a date the page gave.
DISCOVERY_SOURCES = frozenset({"feed", "sitemap"})


# --------------------------------------------------------------------------------------------
# choose_dates
# --------------------------------------------------------------------------------------------


def choose_dates(
    candidates: list[DateCandidate], *, fetched_at: datetime, tz: tzinfo
) -> DateChoice:
    """Published and modified dates: the first acceptable candidate of the most trusted source.

    A day-only winner gives way to a more precise candidate of a less trusted source only when
    both fall on the same calendar day. Refused candidates are listed with their reason.
    """
    rejections: list[tuple[str, str]] = []
    cache: dict[str, ParsedDate | DateRejection] = {}

    def parse(raw: str) -> ParsedDate | DateRejection:
        if raw not in cache:
            cache[raw] = parse_date(raw, fetched_at=fetched_at, tz=tz)
        return cache[raw]

    def reject(raw: str, reason: str) -> None:
        if (raw, reason) not in rejections:
            rejections.append((raw, reason))

    fetched_day = _as_utc(fetched_at).astimezone(tz).date()

    def parse_source(candidate: DateCandidate) -> ParsedDate | DateRejection:
        result = parse(candidate.raw)
        if (
            candidate.source == LIBRARY_SOURCE
            and isinstance(result, ParsedDate)
            and result.local_day > fetched_day
        ):
            return DateRejection(raw=candidate.raw, reason=FUTURE_DATE)  # no tolerance here
        return result

    published = _choose_kind(candidates, "published", parse_source, reject, None)
    modified = _choose_kind(candidates, "modified", parse_source, reject, published)
    return DateChoice(
        published=_with_page_offset(published, candidates, parse),
        modified=_with_page_offset(modified, candidates, parse),
        rejections=rejections,
    )


def _with_page_offset(
    chosen: ParsedDate | None, candidates: list[DateCandidate], parse: _Parser
) -> ParsedDate | None:
    """The chosen instant with the offset another date of the page writes for it.

    JSON-LD often says "2024-05-03T01:46:08Z" where the page's meta says
    "2024-05-02T22:46:08-03:00": the same instant, and only the second tells the local day.
    """
    if chosen is None or chosen.precision == "day" or chosen.offset_written:
        return chosen
    for candidate in candidates:
        if candidate.source in DISCOVERY_SOURCES:
            continue
        other = parse(candidate.raw)
        if (
            isinstance(other, ParsedDate)
            and other.offset_written
            and abs(other.value - chosen.value) <= timedelta(minutes=1)
        ):
            return replace(chosen, offset_minutes=other.offset_minutes, offset_written=True)
    return chosen


_Parser = Callable[[str], ParsedDate | DateRejection]
_SourceParser = Callable[[DateCandidate], ParsedDate | DateRejection]


def _choose_kind(
    candidates: list[DateCandidate],
    kind: str,
    parse: _SourceParser,
    reject: Callable[[str, str], None],
    published: ParsedDate | None,
) -> ParsedDate | None:
    wanted_modified = kind == "modified"
    ordered = sorted(
        (c for c in candidates if (c.kind == "modified") == wanted_modified),
        key=lambda c: SOURCE_TRUST.get(c.source, len(SOURCE_TRUST)),
    )
    for index, candidate in enumerate(ordered):
        result = parse(candidate)
        if isinstance(result, DateRejection):
            reject(candidate.raw, result.reason)
            continue
        if published is not None and _is_before(result, published):
            reject(candidate.raw, MODIFIED_BEFORE_PUBLISHED)
            continue
        winner: ParsedDate = replace(result, source=candidate.source)
        if winner.precision == "day":
            return _more_precise_same_day(winner, ordered[index + 1 :], parse) or winner
        return winner
    return None


def _more_precise_same_day(
    winner: ParsedDate, rest: list[DateCandidate], parse: _SourceParser
) -> ParsedDate | None:
    """A less trusted candidate with a time, written for the same day as the day-only winner."""
    for candidate in rest:
        if candidate.source in DISCOVERY_SOURCES:
            continue
        result = parse(candidate)
        if (
            isinstance(result, ParsedDate)
            and result.precision != "day"
            and result.local_day == winner.value.date()
        ):
            return replace(result, source=candidate.source)
    return None


def _is_before(modified: ParsedDate, published: ParsedDate) -> bool:
    """A modification before the publication is a wrong date (a minute of slack for rounding)."""
    if modified.precision == "day" or published.precision == "day":
        return modified.local_day < published.local_day
    return modified.value < published.value - timedelta(minutes=1)
