"""Publication and modification dates of French-language news pages.

Three steps, each pure: `find_date_candidates` lists every date string the page offers, in
order of trust; `parse_date` turns one string into a UTC value with its precision (or says
why it cannot); `choose_dates` picks the published and modified dates from the candidates.
htmldate's search is the last resort, asked only when no date the page offers can be used
(`library.find_library_date_candidates`; imported from its module, so that code that only
parses dates, such as the crawl's own process, does not load htmldate).

    grammar   the parser: regexes, month table, parse_date, parse_candidate
    choose    choose_dates: trust of each source, published beside modified
    layout    where the headline sits; which elements are this article's, not a teaser's
    finders   find_date_candidates: JSON-LD, meta, <time>, visible text, URL; dates_in_text
    library   htmldate, the last resort, with dateparser held to a dozen languages
"""

from crawler.fields.dates.choose import (
    DISCOVERY_SOURCES,
    LIBRARY_SOURCE,
    SOURCE_TRUST,
    DateChoice,
    choose_dates,
)
from crawler.fields.dates.finders import dates_in_text, find_date_candidates
from crawler.fields.dates.grammar import (
    EARLIEST_DATE,
    FUTURE_DATE,
    FUTURE_TOLERANCE,
    IMPOSSIBLE_DATE,
    MODIFIED_BEFORE_PUBLISHED,
    TOO_OLD,
    UNPARSEABLE,
    DateRejection,
    parse_candidate,
    parse_date,
)

__all__ = [
    "DISCOVERY_SOURCES",
    "EARLIEST_DATE",
    "FUTURE_DATE",
    "FUTURE_TOLERANCE",
    "IMPOSSIBLE_DATE",
    "LIBRARY_SOURCE",
    "MODIFIED_BEFORE_PUBLISHED",
    "SOURCE_TRUST",
    "TOO_OLD",
    "UNPARSEABLE",
    "DateChoice",
    "DateRejection",
    "choose_dates",
    "dates_in_text",
    "find_date_candidates",
    "parse_candidate",
    "parse_date",
]
