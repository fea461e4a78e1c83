"""htmldate's search: the last resort, asked only when no date the page offers is usable."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import htmldate
from lxml import etree
from lxml.html import HtmlElement

from crawler.fields.dates.choose import LIBRARY_SOURCE
from crawler.fields.dates.grammar import ABSOLUTE_PATTERNS, parse_date, written_day
from crawler.fields.page import Page
from crawler.items import DateCandidate, ParsedDate


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
    # the month names of all ~200 dateparser locales (htmldate's date cue for text with no
    # year): each worker would otherwise load every locale on its own, ~30 MB apiece
    from htmldate import extractors

    month_words = getattr(extractors, "month_words", None)
    if callable(month_words):
        month_words()


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
    for pattern in ABSOLUTE_PATTERNS:
        for found in pattern.finditer(page):
            if written_day(found.group(0)) == wanted:
                return True
    return False
