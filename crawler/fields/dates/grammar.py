"""The date grammar: French (and English, Arabic-script) date strings parsed to UTC values.

`parse_date` turns one string into a UTC value with its precision, or says why it cannot.
A handful of compiled regexes and a month table: fast and predictable, no guessing library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from crawler.fields.html import normalise_space
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


def trie_alternation(words: list[str]) -> str:
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


_MONTH_ALT = trie_alternation(list(_MONTHS))
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

ABSOLUTE_PATTERNS: tuple[re.Pattern[str], ...] = (
    _ISO_RE,
    _NUMERIC_DMY_RE,
    _TEXT_DMY_RE,
    _TEXT_MDY_RE,
)
RELATIVE_PATTERNS: tuple[re.Pattern[str], ...] = (_AGO_RE, _DAY_WORD_RE)
ALL_PATTERNS: tuple[re.Pattern[str], ...] = (*ABSOLUTE_PATTERNS, *RELATIVE_PATTERNS)

_MAX_PARSE_CHARS = 2000

_AGO_UNITS: dict[str, str] = {
    "s": "seconds", "sec": "seconds", "seconde": "seconds", "secondes": "seconds",
    "m": "minutes", "mn": "minutes", "min": "minutes", "mins": "minutes",
    "minute": "minutes", "minutes": "minutes",
    "h": "hours", "hr": "hours", "hrs": "hours", "heure": "hours", "heures": "hours",
    "j": "days", "jour": "days", "jours": "days",
    "sem": "weeks", "semaine": "weeks", "semaines": "weeks",
}  # fmt: skip


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
        parsed = _parse(normalise_space(text_raw[:_MAX_PARSE_CHARS]), text_raw, fetched_utc, tz)
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
    found = _first_match(text, ALL_PATTERNS)
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


def written_day(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) as written in an absolute date with its year, for comparisons only."""
    found = _first_match(normalise_space(text), ABSOLUTE_PATTERNS)
    if found is None or not found["y"]:
        return None
    year = int(found["y"])
    if year < 100:
        year = 2000 + year if year < 70 else 1900 + year
    groups = found.groupdict()
    month = _MONTHS.get(groups["mon"].lower().rstrip(".")) if groups.get("mon") else None
    return year, month if month is not None else int(found["m"]), int(found["d"])
