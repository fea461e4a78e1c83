"""Publication and modification dates of French-language news pages.

Three steps, each pure: `find_date_candidates` lists every date string the page offers, in
order of trust; `parse_date` turns one string into a UTC value with its precision (or says
why it cannot); `choose_dates` picks the published and modified dates from the candidates.
The French parser is a handful of compiled regexes and a month table: fast and predictable,
no guessing library in the hot path. htmldate's search is the last resort, asked only when no
date the page offers can be used (`find_library_date_candidates`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import htmldate
from lxml import etree
from lxml.html import HtmlElement

from crawler.fields.html import is_listing_block, meta_contents, short_text
from crawler.fields.page import Page
from crawler.items import DateCandidate, ParsedDate

# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------

IMPOSSIBLE_DATE = "impossible_date"
FUTURE_DATE = "future_date"
TOO_OLD = "too_old"
UNPARSEABLE = "unparseable"
MODIFIED_BEFORE_PUBLISHED = "modified_before_published"

EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class DateRejection:
    """Why a date string was not accepted (a short snake_case reason code)."""

    raw: str
    reason: str


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
# Regexes of the parser
# --------------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {
    # French, with and without accents, full and abbreviated
    "janvier": 1, "janv": 1, "jan": 1,
    "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2, "fev": 2,
    "mars": 3, "mar": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7,
    "août": 8, "aout": 8, "aoû": 8, "aou": 8,
    "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
    # English, seen on some francophone sites
    "january": 1, "february": 2, "feb": 2, "march": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "october": 10, "november": 11, "december": 12,
    # Arabic script, printed by Maghreb templates next to French text: the Algerian and
    # Tunisian names (from French), the Moroccan ones, and the Middle-East ones, with the
    # hamza-less spellings of the months that start with alif
    "جانفي": 1, "يناير": 1, "فيفري": 2, "فبراير": 2, "مارس": 3,
    "أفريل": 4, "افريل": 4, "أبريل": 4, "ابريل": 4, "ماي": 5, "مايو": 5,
    "جوان": 6, "يونيو": 6, "يونيه": 6, "جويلية": 7, "يوليوز": 7, "يوليو": 7, "يوليه": 7,
    "أوت": 8, "اوت": 8, "غشت": 8, "أغسطس": 8, "اغسطس": 8,
    "سبتمبر": 9, "شتنبر": 9, "أكتوبر": 10, "اكتوبر": 10,
    "نوفمبر": 11, "نونبر": 11, "ديسمبر": 12, "دجنبر": 12,
}  # fmt: skip


def _trie_alternation(words: list[str]) -> str:
    """A regex matching any of the words, written as a prefix tree.

    Python's re tries a flat alternation word by word at every position; a prefix tree is
    several times faster on the 50 month names and the sidebar words.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return render(trie)


_MONTH_ALT = _trie_alternation(list(_MONTHS))
_MONTH_INITIALS = "".join(sorted({name[0] for name in _MONTHS}))

# Offsets: ISO "+01:00", RFC 822 "+0100", "Z", "GMT", "UTC+1" and a few zone abbreviations.
_ZONE_ABBREVIATIONS: dict[str, int] = {
    "z": 0, "utc": 0, "gmt": 0, "wet": 0, "west": 60, "cet": 60, "cest": 120, "wat": 60,
    "est": -300, "edt": -240, "hne": -300, "hae": -240,
}  # fmt: skip
_TZ = (
    r"(?P<tz>[+-](?:\d{2}:?\d{2}|\d{2})(?!\d)"
    r"|(?:UTC|GMT)(?:\s?[+-]\s?\d{1,2}(?::?\d{2})?(?!\d))?(?![a-zà-ÿ])"
    r"|(?:Z|CEST|CET|WEST|WET|WAT|EDT|EST|HNE|HAE)(?![a-zà-ÿ]))"
)
# A clock time: "14h32", "14 h 32", "14H", "14 heures", "14:32", "14:32:05.123", "2:32 pm".
_CLOCK = (
    r"(?P<H>[01]?\d|2[0-3])\s?"
    r"(?:(?:heures?|h)(?:\s?(?P<M>[0-5]\d)(?!\d)|(?![a-zà-ÿ\d]))"
    r"|:(?P<M2>[0-5]\d)(?::(?P<S>[0-5]\d)(?:[.,]\d{1,9})?)?(?!\d))"
    r"(?:\s?(?P<ampm>[ap])\.?m\.?(?![a-z]))?"
    r"(?:\s?" + _TZ + r")?"
)
# What may stand between a date and its time: " à ", " - ", ", ", "T", " | ", " at ".
_GAP = r"(?:\s|[,|@–—-]|à|a(?=\s)|at(?=\s)|vers(?=\s)|T(?=\d)){0,8}?"
_TIME_TAIL = r"(?:" + _GAP + _CLOCK + r")?"

_ISO_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})(?P<sep>[-/._])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)" + _TIME_TAIL,
    re.IGNORECASE,
)
# Day first, always: 28/10/2024, 28-10-2024, 28.10.2024, 28/10/24.
_NUMERIC_DMY_RE = re.compile(
    r"(?<!\d)(?<!\d[-/._])(?P<d>\d{1,2})(?P<sep>[-/._])(?P<m>\d{1,2})(?P=sep)"
    r"(?P<y>\d{4}|\d{2})(?!\d)" + _TIME_TAIL,
    re.IGNORECASE,
)
_TEXT_DMY_RE = re.compile(
    r"(?<!\d)(?P<d>[0-3]?\d)\s?(?:er|ᵉʳ|st|nd|rd|th)?\.?\s?"
    r"(?P<mon>" + _MONTH_ALT + r")(?![a-zà-ÿ\u0620-\u064a])\.?"
    r"(?:\s?,?\s?(?P<y>\d{4}(?!\d)|\d{2}(?!\s?[\d:h])))?" + _TIME_TAIL,
    re.IGNORECASE,
)
_TEXT_MDY_RE = re.compile(
    r"(?<![a-zà-ÿ\u0620-\u064a])(?=[" + _MONTH_INITIALS + r"])(?P<mon>" + _MONTH_ALT + r")"
    r"(?![a-zà-ÿ\u0620-\u064a])\.?\s?"
    r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)\s?,?\s?(?P<y>\d{4})(?!\d)" + _TIME_TAIL,
    re.IGNORECASE,
)
_AGO_RE = re.compile(
    r"\bil\s?y\s?a\s(?P<n>\d{1,9}|une?)\s?"
    r"(?P<unit>secondes?|sec|s|minutes?|mins?|mn|m|heures?|hrs?|h|jours?|j|semaines?|sem)"
    r"(?![a-zà-ÿ])",
    re.IGNORECASE,
)
_DAY_WORD_RE = re.compile(
    r"\b(?P<rel>avant[-\s]?hier|hier|aujourd['’]\s?hui)\b" + _TIME_TAIL,
    re.IGNORECASE,
)
_COMPACT_RE = re.compile(r"[/_-]?(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)[/_.-]?")

_ABSOLUTE_PATTERNS: tuple[re.Pattern[str], ...] = (
    _ISO_RE,
    _NUMERIC_DMY_RE,
    _TEXT_DMY_RE,
    _TEXT_MDY_RE,
)
_RELATIVE_PATTERNS: tuple[re.Pattern[str], ...] = (_AGO_RE, _DAY_WORD_RE)
_ALL_PATTERNS: tuple[re.Pattern[str], ...] = (*_ABSOLUTE_PATTERNS, *_RELATIVE_PATTERNS)

_WS_RE = re.compile(r"\s+")  # \s covers NBSP (U+00A0) and narrow NBSP (U+202F)
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad\u061c]")  # bidi marks too
_MAX_PARSE_CHARS = 2000

_AGO_UNITS: dict[str, str] = {
    "s": "seconds", "sec": "seconds", "seconde": "seconds", "secondes": "seconds",
    "m": "minutes", "mn": "minutes", "min": "minutes", "mins": "minutes",
    "minute": "minutes", "minutes": "minutes",
    "h": "hours", "hr": "hours", "hrs": "hours", "heure": "hours", "heures": "hours",
    "j": "days", "jour": "days", "jours": "days",
    "sem": "weeks", "semaine": "weeks", "semaines": "weeks",
}  # fmt: skip


def _normalise_space(raw: str) -> str:
    """One plain space wherever any Unicode space was (NBSP, narrow NBSP, tabs, newlines)."""
    return _WS_RE.sub(" ", _INVISIBLE_RE.sub("", raw)).strip()


def _first_match(text: str, patterns: tuple[re.Pattern[str], ...]) -> re.Match[str] | None:
    """The leftmost date expression of the text; on a tie, the earlier pattern wins."""
    best: re.Match[str] | None = None
    for pattern in patterns:
        found = pattern.search(text)
        if found and (best is None or found.start() < best.start()):
            best = found
            if found.start() == 0:
                break  # nothing can start earlier: spare the other searches
    return best


# --------------------------------------------------------------------------------------------
# parse_date
# --------------------------------------------------------------------------------------------


class _Rejected(Exception):
    """Internal signal: the string holds a date, but not an acceptable one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_date(raw: str, *, fetched_at: datetime, tz: tzinfo) -> ParsedDate | DateRejection:
    """Parse one date string; never raises: a string it cannot use gives a DateRejection.

    A day-only date is midnight UTC of the written day; a date with a time uses the written
    offset, else the site's zone `tz`, and is converted to UTC, the publication's own offset
    kept beside it (`ParsedDate.offset_minutes`, see `_timed_value`).
    """
    text_raw = raw if isinstance(raw, str) else ""
    try:
        fetched_utc = _as_utc(fetched_at)
        parsed = _parse(_normalise_space(text_raw[:_MAX_PARSE_CHARS]), text_raw, fetched_utc, tz)
        if parsed is None:
            return DateRejection(raw=text_raw, reason=UNPARSEABLE)
        if parsed.value < EARLIEST_DATE:
            return DateRejection(raw=text_raw, reason=TOO_OLD)
        if parsed.value > fetched_utc + FUTURE_TOLERANCE:
            return DateRejection(raw=text_raw, reason=FUTURE_DATE)
    except _Rejected as rejected:
        return DateRejection(raw=text_raw, reason=rejected.reason)
    except OverflowError:  # arithmetic ran out of the calendar: far too far back
        return DateRejection(raw=text_raw, reason=TOO_OLD)
    except Exception:  # the contract is "never raise": any surprise is an unusable string
        return DateRejection(raw=text_raw, reason=UNPARSEABLE)
    return parsed


def parse_candidate(
    candidate: DateCandidate, *, fetched_at: datetime, tz: tzinfo
) -> ParsedDate | DateRejection:
    """`parse_date` on a candidate, with the candidate's source written into the result."""
    result = parse_date(candidate.raw, fetched_at=fetched_at, tz=tz)
    if isinstance(result, ParsedDate):
        return replace(result, source=candidate.source)
    return result


def _as_utc(moment: datetime) -> datetime:
    """Aware UTC datetime (a naive one is taken as UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _parse(text: str, raw: str, fetched_utc: datetime, tz: tzinfo) -> ParsedDate | None:
    compact = _COMPACT_RE.fullmatch(text)
    if compact:
        day = _make_date(int(compact["y"]), int(compact["m"]), int(compact["d"]))
        return _day_value(day, raw)
    found = _first_match(text, _ALL_PATTERNS)
    if found is None:
        return None
    local_today = fetched_utc.astimezone(tz).date()
    if found.re is _AGO_RE:
        return _from_ago(found, raw, fetched_utc, tz)
    if found.re is _DAY_WORD_RE:
        word = found["rel"].lower()
        days_back = 0 if word.startswith("aujourd") else 2 if word.startswith("avant") else 1
        return _with_clock(local_today - timedelta(days=days_back), found, raw, tz)
    day = _written_date(found, local_today)
    return _with_clock(day, found, raw, tz)


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Rejected(IMPOSSIBLE_DATE) from None


def _expand_year(two_digits: int, reference_year: int) -> int:
    """'24' → 2024; a two-digit year that would land in the future is read as 19xx."""
    year = 2000 + two_digits
    return year if year <= reference_year + 1 else year - 100


def _written_date(found: re.Match[str], local_today: date) -> date:
    """The calendar day as written; a missing year is the latest such day not after today."""
    groups = found.groupdict()
    day = int(groups["d"])
    month = _MONTHS.get(groups["mon"].lower().rstrip(".")) if groups.get("mon") else None
    if month is None:
        month = int(groups["m"])
    year_text = groups.get("y")
    if year_text:
        year = int(year_text)
        if len(year_text) == 2:
            year = _expand_year(year, local_today.year)
        return _make_date(year, month, day)
    return _latest_day_without_year(month, day, local_today)


def _latest_day_without_year(month: int, day: int, local_today: date) -> date:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise _Rejected(IMPOSSIBLE_DATE)
    year = (
        local_today.year
        if (month, day) <= (local_today.month, local_today.day)
        else (local_today.year - 1)
    )
    for candidate_year in range(year, year - 8, -1):  # 29 February: the previous leap year
        try:
            return date(candidate_year, month, day)
        except ValueError:
            continue
    raise _Rejected(IMPOSSIBLE_DATE)


def _day_value(day: date, raw: str) -> ParsedDate:
    """Midnight UTC of the written day: a day-only date never moves across midnight."""
    value = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return ParsedDate(value=value, precision="day", raw=raw, source="")


def _with_clock(day: date, found: re.Match[str], raw: str, tz: tzinfo) -> ParsedDate:
    groups = found.groupdict()
    if groups.get("H") is None:
        return _day_value(day, raw)
    hour = int(groups["H"])
    minute = int(groups.get("M") or groups.get("M2") or 0)
    second = int(groups.get("S") or 0)
    ampm = (groups.get("ampm") or "").lower()
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    zone = _zone_of(groups.get("tz"), tz)
    local = datetime.combine(day, time(hour, minute, second), tzinfo=zone)
    return _timed_value(local, raw, tz, written=zone is not tz)


def _timed_value(local: datetime, raw: str, tz: tzinfo, *, written: bool) -> ParsedDate:
    """A date with a time, with the publication's own offset.

    A non-zero offset written next to the time is the publication's; a zero one ("Z", "GMT",
    "+00:00") is most often a server's habit, so the day is then read in the site's zone, as
    is a time written without an offset.
    """
    value = local.astimezone(UTC)  # precision "minute": seconds, when written, stay in it
    own = local.utcoffset() if written else None
    offset = (own or value.astimezone(tz).utcoffset()) or timedelta(0)
    return ParsedDate(
        value=value,
        precision="minute",
        raw=raw,
        source="",
        offset_minutes=int(offset.total_seconds() // 60),
        offset_written=bool(own),
    )


_OFFSET_RE = re.compile(r"(?P<sign>[+-])\s?(?P<hh>\d{1,2}):?(?P<mm>\d{2})?$")


def _zone_of(written: str | None, site_zone: tzinfo) -> tzinfo:
    """The offset written next to the time, else the site's zone."""
    if not written:
        return site_zone
    label = written.strip().lower()
    if label in _ZONE_ABBREVIATIONS:
        return timezone(timedelta(minutes=_ZONE_ABBREVIATIONS[label]))
    offset = _OFFSET_RE.search(label)
    if offset is None:
        return UTC  # "UTC" / "GMT" followed by nothing usable
    minutes = int(offset["hh"]) * 60 + int(offset["mm"] or 0)
    if offset["sign"] == "-":
        minutes = -minutes
    try:
        return timezone(timedelta(minutes=minutes))
    except ValueError:
        raise _Rejected(IMPOSSIBLE_DATE) from None


def _from_ago(found: re.Match[str], raw: str, fetched_utc: datetime, tz: tzinfo) -> ParsedDate:
    """'il y a 3 heures' → minute precision; 'il y a 2 jours' → the local day, day precision."""
    amount_text = found["n"].lower()
    amount = 1 if amount_text in ("un", "une") else int(amount_text)
    unit = _AGO_UNITS[found["unit"].lower()]
    if unit in ("days", "weeks"):
        days = amount * (7 if unit == "weeks" else 1)
        return _day_value(fetched_utc.astimezone(tz).date() - timedelta(days=days), raw)
    moment = fetched_utc - timedelta(**{unit: amount})
    moment = moment.replace(second=0, microsecond=0)
    return _timed_value(moment, raw, tz, written=False)


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


# --------------------------------------------------------------------------------------------
# find_date_candidates
# --------------------------------------------------------------------------------------------

_META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "og:pubdate",
    "publication_date",
    "publication-date",
    "date.published",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "datecreated",
    "date",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
)
_META_MODIFIED = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "updated_time",
    "modified_time",
    "article:modified",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "date.modified",
    "date.updated",
    "last-modified",
    "lastmod",
)
_META_RANK: dict[str, tuple[int, str]] = {
    **{name: (rank, "published") for rank, name in enumerate(_META_PUBLISHED)},
    **{name: (rank, "modified") for rank, name in enumerate(_META_MODIFIED)},
}

_TIME_XPATH = "//time[@datetime]"
_BODY_META_XPATH = ".//*[@itemprop][@content]"
# Elements whose class/id says date, time, meta, byline..., time elements without a machine
# date, and the parents of visible "Publié le" / "Mis à jour" labels.
_TEXT_XPATH = (
    ".//*[self::time[not(@datetime)]"
    " or contains(@class,'date') or contains(@class,'Date') or contains(@class,'time')"
    " or contains(@class,'publi') or contains(@class,'byline') or contains(@class,'meta')"
    " or contains(@id,'date') or starts-with(@itemprop,'date')]"
    " | .//text()[contains(.,'Publi') or contains(.,'à jour') or contains(.,'Mis en ligne')"
    " or contains(.,'Modifié') or contains(.,'odification') or contains(.,'Actualisé')"
    " or contains(.,'osté le') or contains(.,'Updated')]/.."
)
# Each string test costs XPath a copy per node: keep the lists short (the labels' own case is
# enough) and the search confined to `_Layout.scope`.

# Page regions that hold other articles' dates: sidebars, "Fil d'info", related, comments...
_SIDEBAR_WORDS = (
    "aside sidebar side-bar widget comment reaction forum reply fil-info fil-d-info filinfo"
    " fil_info teaser mostread most-read popular populaire recommend trending listing listpost"
    " list-post snippet chrono- agenda newsletter insert journal kiosque related a-lire lire-aussi"
    " readmore read-more more-stories carousel slider ticker nav menu breadcrumb social"
    " outbrain taboola latest suggest see-also promo cookie modal popup"
)
_SIDEBAR_RE = re.compile(_trie_alternation(_SIDEBAR_WORDS.split()))  # on lower-cased hints
# The heading of a block listing other articles ("Fil d'info", "Les plus lus"...): dates under it
# are the teasers' dates, whatever the block's classes say (often none: "col-md-3", "bloc").
_TEASER_LINK_WORDS = 4  # a link this long next to a date is another article's headline
# Elements that may carry the headline when a page has no <h1> (checked against the title).
_HEADLINE_HINT_XPATH = (
    "//body//*[self::h2 or @itemprop='headline' or contains(@class,'titre')"
    " or contains(@class,'title') or contains(@class,'headline')]"
)
_TITLE_SEPARATOR_RE = re.compile(r"^\s*[-|–—:·•»]")
_TITLE_SEPARATOR_END_RE = re.compile(r"\s[-|–—:·•»]\s*$")
_EXCLUDED_TAGS = frozenset({"aside", "nav", "template", "noscript", "select", "option"})
_NEAR_LEVELS = 3  # up to the h1's great-grandparent counts as "next to the headline"
_SCOPE_LEVELS = 2  # dates are looked for in the h1's grandparent, or its <article> if higher
_MAX_TEXT_CHARS = 300
_MAX_NEIGHBOUR_CHARS = 100  # an unlabelled block next to the h1: a dateline is short
_MAX_TEXT_CANDIDATES = 12
_BLOCK_TAGS = ("article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6")
_SIBLINGS_AFTER = 4
_SIBLINGS_BEFORE = 3

_HAS_DATE_HINT_RE = re.compile(r"\d{4}|\d{1,2}[-/.]\d{1,2}|\d{1,2}\s?[a-zé]{3}")
_MODIFIED_HINT_RE = re.compile(r"modif|updat|mise?[-_ ]?[àa][-_ ]?jour|\bmaj\b|actualis", re.I)
_MARKER_RE = re.compile(
    r"(?P<mod>mise?\s[àa]\sjour|\bm[àa]j\b|modifi(?:[ée]e?|cation)|actualis[ée]e?|updated"
    r"|last\smodified)"
    r"|(?P<pub>publi[ée]e?|mis\sen\sligne|post[ée]e?|published|posted|paru)",
    re.IGNORECASE,
)
_MARKER_REACH = 25  # a label applies to a date that starts at most this far after it

_URL_YMD_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<sep>[/_-])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)(?!\d)"
)
_URL_DMY_RE = re.compile(
    r"(?<!\d)(?P<d>[0-3]\d)(?P<sep>[_-])(?P<m>[01]\d)(?P=sep)(?P<y>(?:19|20)\d\d)(?!\d)"
)
_URL_COMPACT_RE = re.compile(
    r"(?<=[-_/])(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?=[-_/.]|$)"
)


@dataclass
class _Layout:
    """Where the headline sits: its ancestors (with their distance) and its <article>, if any."""

    h1_levels: dict[HtmlElement, int]
    article_level: int | None
    scope: HtmlElement  # where visible dates are looked for: the article and its surroundings


def find_date_candidates(source: Page | HtmlElement, url: str) -> list[DateCandidate]:
    """Every date string of the page, most trusted first (jsonld, meta, time, text, url)."""
    page = Page.of(source)
    tree = page.tree
    layout = _layout_of(tree)
    candidates: list[DateCandidate] = []
    candidates.extend(_json_ld_candidates(page))
    candidates.extend(_meta_candidates(tree, layout))
    candidates.extend(_time_candidates(tree, layout))
    candidates.extend(_text_candidates(tree, layout))
    candidates.extend(_url_candidates(url))
    unique: list[DateCandidate] = []
    seen: set[DateCandidate] = set()
    for candidate in candidates:
        if candidate not in seen:
            seen.add(candidate)
            unique.append(candidate)
    return unique


def _json_ld_candidates(page: Page) -> list[DateCandidate]:
    published: list[DateCandidate] = []
    created: list[DateCandidate] = []
    modified: list[DateCandidate] = []
    for article in page.json_ld_articles:
        objects = [article]
        main_entity = article.get("mainEntity")
        if isinstance(main_entity, dict):
            objects.append(main_entity)
        for obj in objects:
            published.extend(_json_ld_values(obj, "datePublished", "published"))
            created.extend(_json_ld_values(obj, "dateCreated", "published"))
            modified.extend(_json_ld_values(obj, "dateModified", "modified"))
    return published + created + modified


def _json_ld_values(obj: dict[str, Any], key: str, kind: str) -> list[DateCandidate]:
    value = obj.get(key)
    values = value if isinstance(value, list) else [value]
    return [
        DateCandidate(source="jsonld", raw=item.strip(), kind=kind)
        for item in values
        if isinstance(item, str) and item.strip()
    ]


def _meta_candidates(tree: HtmlElement, layout: _Layout) -> list[DateCandidate]:
    """<meta> dates in a fixed order of names (article:published_time first), then page order."""
    found: list[tuple[int, int, DateCandidate]] = []
    elements = list(tree.iter("meta"))
    elements.extend(el for el in layout.scope.xpath(_BODY_META_XPATH) if el.tag != "meta")
    for position, element in enumerate(elements):
        key = (
            element.get("property")
            or element.get("name")
            or element.get("itemprop")
            or element.get("http-equiv")
            or ""
        ).lower()
        ranked = _META_RANK.get(key)
        if ranked is None:
            continue
        content = (element.get("content") or element.get("value") or "").strip()
        if not content or not _HAS_DATE_HINT_RE.search(content):
            continue
        if element.get("itemprop") and _in_body(element):
            excluded, _, _ = _placement(element, layout)
            if excluded:  # microdata of a teaser, not of this article
                continue
        rank, kind = ranked
        found.append((rank, position, DateCandidate(source="meta", raw=content, kind=kind)))
    found.sort(key=lambda item: (item[2].kind != "published", item[0], item[1]))
    return [candidate for _, _, candidate in found]


def _in_body(element: HtmlElement) -> bool:
    return any(ancestor.tag == "body" for ancestor in element.iterancestors())


def _time_candidates(tree: HtmlElement, layout: _Layout) -> list[DateCandidate]:
    """<time datetime> elements of this article (not of teasers), nearest the headline first."""
    ranked: list[tuple[tuple[bool, bool], int, list[DateCandidate]]] = []
    for position, element in enumerate(tree.xpath(_TIME_XPATH)):
        machine = _normalise_space(element.get("datetime") or "")
        if not machine or len(machine) > 64 or not _HAS_DATE_HINT_RE.search(machine):
            continue
        excluded, near, in_link = _placement(element, layout)
        if excluded:
            continue
        visible = _short_text(element, _MAX_TEXT_CHARS) or ""
        kind = _time_kind(element, visible)
        found = [DateCandidate(source="time", raw=machine, kind=kind)]
        shown_day = _written_day(visible)
        if shown_day is not None and shown_day != _written_day(machine):
            # the reader sees another day than the attribute says: the visible one is the claim
            found.insert(0, DateCandidate(source="time", raw=visible, kind=kind))
        ranked.append(((not near, in_link), position, found))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [candidate for _, _, found in ranked for candidate in found]


def _time_kind(element: HtmlElement, visible: str) -> str:
    """Published or modified: microdata, then class, then the label shown in or before it."""
    hinted = _kind_from_attributes(element)
    if hinted is not None:
        return hinted
    for text in (visible, _label_before(element)):
        labels = list(_MARKER_RE.finditer(text))
        if labels:
            return "modified" if labels[-1]["mod"] else "published"
    return "published"


def _kind_from_attributes(element: HtmlElement) -> str | None:
    """itemprop first; a class naming "published" beats "updated" (WordPress puts both)."""
    itemprop = (element.get("itemprop") or "").lower()
    if itemprop == "datepublished":
        return "published"
    if itemprop == "datemodified":
        return "modified"
    classes = (element.get("class") or "").lower()
    if "publi" in classes:
        return "published"
    if _MODIFIED_HINT_RE.search(classes):
        return "modified"
    return None


def _label_before(element: HtmlElement) -> str:
    """The few words just before an element: "Mis à jour le <time ...>" (comments skipped)."""
    pieces: list[str] = []
    previous = element.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        pieces.append(previous.tail or "")
        previous = previous.getprevious()
    if previous is None:
        parent = element.getparent()
        pieces.append((parent.text or "") if parent is not None else "")
    else:
        pieces.append(f"{_short_text(previous, 60) or ''} {previous.tail or ''}")
    return _normalise_space(" ".join(reversed(pieces)))[-_MARKER_REACH:]


def _written_day(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) as written in an absolute date with its year, for comparisons only."""
    found = _first_match(_normalise_space(text), _ABSOLUTE_PATTERNS)
    if found is None or not found["y"]:
        return None
    year = int(found["y"])
    if year < 100:
        year = 2000 + year if year < 70 else 1900 + year
    groups = found.groupdict()
    month = _MONTHS.get(groups["mon"].lower().rstrip(".")) if groups.get("mon") else None
    return year, month if month is not None else int(found["m"]), int(found["d"])


def _text_candidates(tree: HtmlElement, layout: _Layout) -> list[DateCandidate]:
    """Visible dates in date/meta/byline elements and next to the headline, not in sidebars."""
    ranked: list[tuple[tuple[bool, bool, int, int], int, HtmlElement]] = []
    seen_elements: set[HtmlElement] = set()
    for position, element in enumerate(layout.scope.xpath(_TEXT_XPATH)):
        if (
            not isinstance(element.tag, str)
            or element in seen_elements
            or element in layout.h1_levels  # the headline or a block around it: not a date
        ):
            continue
        seen_elements.add(element)
        excluded, near, in_link = _placement(element, layout)
        if not excluded:
            # among the dates next to the headline, the one in the closest branch first: the
            # byline under the h1 before a masthead's "date of the day" above it
            level = _branch_level(element, layout) if near else 0
            ranked.append(((not near, in_link, level, 0), position, element))
    for position, element in enumerate(_headline_neighbours(layout)):
        if (
            element in seen_elements
            or element.tag in _BLOCK_TAGS
            or next(element.iterdescendants(*_BLOCK_TAGS, "p"), None) is not None
        ):
            continue  # a list, a teaser, a heading or a run of paragraphs: not a dateline
        seen_elements.add(element)
        excluded, _, in_link = _placement(element, layout)
        if not excluded:
            level = _branch_level(element, layout)
            ranked.append(((False, in_link, level, 1), position, element))
    ranked.sort(key=lambda item: (item[0], item[1]))

    candidates: list[DateCandidate] = []
    for (_, _, _, origin), _, element in ranked:
        unlabelled_neighbour = origin == 1
        text = _short_text(
            element, _MAX_NEIGHBOUR_CHARS if unlabelled_neighbour else _MAX_TEXT_CHARS
        )
        if not text:
            continue
        default_kind = _kind_from_attributes(element) or "published"
        found = dates_in_text(
            text, default_kind=default_kind, relative_needs_label=unlabelled_neighbour
        )
        for kind, raw in found:
            candidate = DateCandidate(source="text", raw=raw, kind=kind)
            if candidate not in candidates:
                candidates.append(candidate)
        if len(candidates) >= _MAX_TEXT_CANDIDATES:
            break
    return candidates[:_MAX_TEXT_CANDIDATES]


def dates_in_text(
    text: str, *, default_kind: str = "published", relative_needs_label: bool = False
) -> list[tuple[str, str]]:
    """(kind, raw) for each date written in a short text; "Mis à jour le ..." makes it modified.

    raw runs from the label ("Publié le") to the end of the date when a label precedes it; a
    date without a label takes `default_kind` (the element's class may say "updated"). With
    `relative_needs_label`, a bare "hier" or "il y a 3 jours" is taken for prose, not a date.
    """
    text = _normalise_space(text)
    matches: list[re.Match[str]] = []
    for pattern in _ALL_PATTERNS:
        matches.extend(pattern.finditer(text))
    matches.sort(key=lambda found: (found.start(), -found.end()))
    markers = list(_MARKER_RE.finditer(text))
    results: list[tuple[str, str]] = []
    previous_end = 0
    for found in matches:
        if found.start() < previous_end:
            continue  # overlaps a date already taken
        label = None
        for marker in markers:
            if previous_end <= marker.start() and marker.end() <= found.start():
                label = marker
        if label is None and relative_needs_label and found.re in _RELATIVE_PATTERNS:
            continue
        kind = default_kind if label is None else "modified" if label["mod"] else "published"
        start = found.start()
        if label is not None and found.start() - label.end() <= _MARKER_REACH:
            start = label.start()
        results.append((kind, text[start : found.end()].strip(" ,;|–—-")))
        previous_end = found.end()
    return results


def find_library_date_candidates(
    source: Page | HtmlElement, url: str, found: list[DateCandidate]
) -> list[DateCandidate]:
    """htmldate's publication day, when none of the dates `found` on the page is usable.

    It ranks last, so it is only looked for when it could be chosen: the search (a copy of
    the tree, then every text node) costs more than all the rules of this module.
    """
    tree = Page.of(source).tree
    now = datetime.now(UTC)
    for candidate in found:
        if candidate.kind == "published" and isinstance(
            parse_date(candidate.raw, fetched_at=now, tz=UTC), ParsedDate
        ):
            return []
    try:
        # its default latest date is the end of today; choose_dates holds it to the fetch day
        day = htmldate.find_date(tree, url=url or None, extensive_search=True, original_date=True)
    except Exception:  # a library surprise must not cost the page its other fields
        return []
    if not day or (day.endswith("-01") and not _written_in_page(tree, day)):
        return []
    return [DateCandidate(source=LIBRARY_SOURCE, raw=day, kind="published")]


# htmldate's extensive search ends with dateparser, which by default tries every one of its
# ~200 locales: ~40 MB more in each process that parses one string, more than the crawl's
# memory budget can carry. A dozen languages cost ~3 MB and, on the broad evaluation set (43
# languages), find every day all the locales find; French, English and Arabic alone (the
# month table above) miss 4 of the 26.
LIBRARY_LANGUAGES = ["fr", "en", "ar", "es", "pt", "de", "it", "nl", "ru", "uk", "pl", "tr"]


@lru_cache(maxsize=1)
def _library_parser() -> Any:
    from dateparser import DateDataParser

    return DateDataParser(
        languages=LIBRARY_LANGUAGES,
        settings={
            # htmldate's own settings for its parser
            "NORMALIZE": True,
            "PARSERS": ["custom-formats", "absolute-time"],
            "PREFER_DATES_FROM": "past",
            "PREFER_LOCALE_DATE_ORDER": True,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "STRICT_PARSING": True,
        },
    )


def _restrict_library_languages() -> None:
    """Give htmldate a dateparser limited to LIBRARY_LANGUAGES.

    htmldate builds its parser in `extractors.get_external_parser` (cached, looked up at each
    use); should a release rename it, htmldate keeps its own and only memory suffers.
    """
    from htmldate import extractors

    if callable(getattr(extractors, "get_external_parser", None)):
        extractors.get_external_parser = _library_parser


_restrict_library_languages()


def warm_up_library() -> None:
    """Load what htmldate loads lazily in its extensive search (dateparser, its locales).

    Called by the worker pool's fork server (crawler/preload.py), so that the workers share
    those pages instead of each loading its own copy.
    """
    htmldate.find_date("<html><body><p>Publié le 31 février 2024</p></body></html>")
    _library_parser().get_date_data("31 février 2024")


_MAX_PAGE_SCAN = 500_000


def _written_in_page(tree: HtmlElement, iso_day: str) -> bool:
    """Is this day written somewhere in the page (text, attributes, scripts)?

    htmldate turns a lone year ("© 2016") into 1 January and a month into its 1st: a first
    of the month it returns is kept only when the page writes that very day.
    """
    try:
        wanted = tuple(int(part) for part in iso_day.split("-"))
        page = etree.tostring(tree, encoding="unicode")[:_MAX_PAGE_SCAN]
    except (ValueError, TypeError, etree.LxmlError):
        return False
    for pattern in _ABSOLUTE_PATTERNS:
        for found in pattern.finditer(page):
            if _written_day(found.group(0)) == wanted:
                return True
    return False


def _url_candidates(url: str) -> list[DateCandidate]:
    """The first valid date written in the URL path: /2024/10/28/, 2024-10-28, 28-10-2024..."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return []
    for pattern in (_URL_YMD_RE, _URL_DMY_RE, _URL_COMPACT_RE):
        for found in pattern.finditer(path):
            try:
                date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                continue
            return [DateCandidate(source="url", raw=found.group(0), kind="published")]
    return []


# --------------------------------------------------------------------------------------------
# Page layout helpers
# --------------------------------------------------------------------------------------------


def _layout_of(tree: HtmlElement) -> _Layout:
    """Find the headline once; the text search is then confined to the block around it.

    XPath string tests cost microseconds per node: searching the article's block rather than
    the whole page (menus, sidebars, inline scripts) is what keeps the walk cheap.
    """
    body = tree.find("body")
    whole_page = body if body is not None else tree
    headline = _main_headline(tree)
    if headline is None:
        main = tree.xpath("(//main | //article)[1]")
        return _Layout(h1_levels={}, article_level=None, scope=main[0] if main else whole_page)
    levels: dict[HtmlElement, int] = {headline: 0}
    article_level: int | None = None
    for level, ancestor in enumerate(headline.iterancestors(), start=1):
        levels[ancestor] = level
        if article_level is None and ancestor.tag == "article":
            article_level = level
    scope_level = max(_SCOPE_LEVELS, article_level or 0)
    scope = next((node for node, level in levels.items() if level == scope_level), None)
    if scope is None or scope.tag in ("body", "html"):
        scope = whole_page
    return _Layout(h1_levels=levels, article_level=article_level, scope=scope)


def _main_headline(tree: HtmlElement) -> HtmlElement | None:
    """The article's h1: inside <article> first, then one that looks like a title, then any.

    A page without an h1 gets the element whose text is the page's own title (og:title, or
    the <title> before its " - Site" suffix): a <div class="titre">, an h2...
    """
    headlines = [h1 for h1 in tree.iter("h1") if (_short_text(h1, 500) or "")]
    if not headlines:
        return _headline_by_title(tree)

    def score(h1: HtmlElement) -> tuple[bool, bool, bool]:
        hints = f"{h1.get('class') or ''} {h1.get('itemprop') or ''}".lower()
        return (
            next(h1.iterancestors("article"), None) is None,
            "title" not in hints and "headline" not in hints,
            len(_short_text(h1, 500) or "") < 15,
        )

    return min(headlines, key=score)


def _headline_by_title(tree: HtmlElement) -> HtmlElement | None:
    titles = [_normalise_space(t).casefold() for t in meta_contents(tree, "og:title")]
    titles += [_normalise_space(t.text_content()).casefold() for t in tree.iter("title")]
    titles = [t for t in titles if t]
    if not titles:
        return None
    for element in tree.xpath(_HEADLINE_HINT_XPATH):
        text = (_short_text(element, 300) or "").casefold()
        if len(text) < 15:
            continue
        for title in titles:
            if (
                title == text
                or (title.startswith(text) and _TITLE_SEPARATOR_RE.match(title[len(text) :]))
                # "Site - Rubrique - Headline": the site name first
                or (title.endswith(text) and _TITLE_SEPARATOR_END_RE.search(title[: -len(text)]))
            ):
                return element
    return None


def _is_teaser_item(node: HtmlElement) -> bool:
    """A list item holding a link to another page with a headline-long text."""
    for link in node.iter("a"):
        href = (link.get("href") or "").strip().lower()
        if href and not href.startswith(("#", "javascript:", "mailto:")):
            text = _short_text(link, 300) or ""
            if len(text.split()) >= _TEASER_LINK_WORDS:
                return True
    return False


def _placement(element: HtmlElement, layout: _Layout) -> tuple[bool, bool, bool]:
    """(excluded, near the headline, inside a link) for an element of the page.

    Only the ancestors the element does not share with the headline are examined, so a page
    wrapper called "has-sidebar" around everything never hides the article's own date.
    """
    node: HtmlElement | None = element
    in_link = False
    in_footer = False  # a <header>/<footer>: the article's own, or the site's
    while node is not None:
        level = layout.h1_levels.get(node)
        if level is not None:
            inside_article = layout.article_level is not None and level <= layout.article_level
            if in_footer and not inside_article:
                return True, False, in_link  # the site's header or footer, not the article's
            near = level <= _NEAR_LEVELS and node.tag not in ("body", "html")
            return False, near, in_link
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _EXCLUDED_TAGS:
            return True, False, in_link
        if tag == "article" and layout.article_level is not None:
            return True, False, in_link  # another article on the page: a teaser
        if tag == "a":
            in_link = True
        if (tag == "li" and _is_teaser_item(node)) or is_listing_block(node):
            return True, False, in_link  # a teaser's date, in a list of other articles
        hints = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
        if len(hints) > 1:
            if _SIDEBAR_RE.search(hints):
                return True, False, in_link
            if "footer" in hints:
                in_footer = True
        if tag in ("footer", "header"):
            in_footer = True
        node = node.getparent()
    return in_footer, False, in_link


def _branch_level(element: HtmlElement, layout: _Layout) -> int:
    """How far up from the headline the element's branch joins it (1: the h1's parent)."""
    for ancestor in element.iterancestors():
        level = layout.h1_levels.get(ancestor)
        if level is not None:
            return level
    return len(layout.h1_levels)


def _headline_neighbours(layout: _Layout) -> list[HtmlElement]:
    """Short elements next to the h1 (and next to its parent): where a lone date usually sits."""
    by_level = sorted(layout.h1_levels.items(), key=lambda item: item[1])
    neighbours: list[HtmlElement] = []
    for node, _ in by_level[:2]:
        if node.tag in ("body", "html"):
            break
        neighbours.extend(_siblings(node.itersiblings(), _SIBLINGS_AFTER))
        neighbours.extend(_siblings(node.itersiblings(preceding=True), _SIBLINGS_BEFORE))
    return neighbours


def _siblings(siblings: Any, limit: int) -> list[HtmlElement]:
    found: list[HtmlElement] = []
    for sibling in siblings:
        if not isinstance(sibling.tag, str):
            continue
        found.append(sibling)
        if len(found) >= limit:
            break
    return found


def _short_text(element: HtmlElement, limit: int) -> str | None:
    """short_text with the date parser's own space rule (invisible characters dropped too)."""
    return short_text(element, limit, _normalise_space)
