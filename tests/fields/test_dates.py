"""Dates of French-language news pages: parsing, finding on the page, choosing.

Expected values are worked out by hand from the input strings. Reference instant: fetched on
Tuesday 29 October 2024 at 10:00 UTC (11:00 in Paris, which is on winter time, UTC+1, since
27 October 2024).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.fields.dates import (
    DateChoice,
    DateRejection,
    choose_dates,
    dates_in_text,
    find_date_candidates,
    parse_candidate,
    parse_date,
)
from crawler.fields.dates.library import find_library_date_candidates
from crawler.fields.html import parse_html
from crawler.items import DateCandidate, ParsedDate

PARIS = ZoneInfo("Europe/Paris")
ALGIERS = ZoneInfo("Africa/Algiers")
CONAKRY = ZoneInfo("Africa/Conakry")
TORONTO = ZoneInfo("America/Toronto")
FETCHED = datetime(2024, 10, 29, 10, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# parse_date: accepted forms
# --------------------------------------------------------------------------------------------

ACCEPTED = [
    # ISO 8601
    ("2024-10-28", utc(2024, 10, 28), "day"),
    ("2024-10-28T14:32:00+01:00", utc(2024, 10, 28, 13, 32), "minute"),
    ("2024-10-28T14:32:00Z", utc(2024, 10, 28, 14, 32), "minute"),
    ("2024-10-28 14:32:00", utc(2024, 10, 28, 13, 32), "minute"),  # no offset: Paris time
    ("2024-10-28T14:32", utc(2024, 10, 28, 13, 32), "minute"),
    ("2024-10-28T14:32:07.373Z", utc(2024, 10, 28, 14, 32, 7), "minute"),
    ("2024-10-28T14:32:00+0100", utc(2024, 10, 28, 13, 32), "minute"),
    ("2024-10-28 14:32:00 +01:00", utc(2024, 10, 28, 13, 32), "minute"),
    ("2024-10-28T14:32:00-04:00", utc(2024, 10, 28, 18, 32), "minute"),
    ("2024-10-28T09:08:21+0000", utc(2024, 10, 28, 9, 8, 21), "minute"),
    # RFC 822 (feeds)
    ("Mon, 28 Oct 2024 14:32:00 +0100", utc(2024, 10, 28, 13, 32), "minute"),
    ("Mon, 28 Oct 2024 14:32:00 GMT", utc(2024, 10, 28, 14, 32), "minute"),
    # French day month year
    ("28 Octobre 2024", utc(2024, 10, 28), "day"),
    ("28 octobre 2024", utc(2024, 10, 28), "day"),
    ("28 OCTOBRE 2024", utc(2024, 10, 28), "day"),
    ("28 oct. 2024", utc(2024, 10, 28), "day"),
    ("28 oct 2024", utc(2024, 10, 28), "day"),
    ("1er mars 2024", utc(2024, 3, 1), "day"),
    ("15 août 2024", utc(2024, 8, 15), "day"),
    ("15 aout 2024", utc(2024, 8, 15), "day"),
    ("15 AOÛT 2024", utc(2024, 8, 15), "day"),
    ("3 févr. 2024", utc(2024, 2, 3), "day"),
    ("3 fév. 2024", utc(2024, 2, 3), "day"),
    ("3 fevrier 2024", utc(2024, 2, 3), "day"),
    ("3 Février 2024", utc(2024, 2, 3), "day"),
    ("24 déc. 2023", utc(2023, 12, 24), "day"),
    ("24 DÉC. 2023", utc(2023, 12, 24), "day"),
    ("24 decembre 2023", utc(2023, 12, 24), "day"),
    ("14 juil. 2024", utc(2024, 7, 14), "day"),
    ("2 sept. 2024", utc(2024, 9, 2), "day"),
    ("2 avr. 2024", utc(2024, 4, 2), "day"),
    ("Jeudi 24 Décembre 2020 à 07h47", utc(2020, 12, 24, 6, 47), "minute"),
    # no year: the latest such day not after the fetch (29 October 2024)
    ("1er mars", utc(2024, 3, 1), "day"),
    ("1er novembre", utc(2023, 11, 1), "day"),
    ("29 octobre", utc(2024, 10, 29), "day"),
    ("Le 17 juillet à 22:09", utc(2024, 7, 17, 20, 9), "minute"),  # summer time, UTC+2
    # with a time
    ("lundi 28 octobre 2024 à 14h32", utc(2024, 10, 28, 13, 32), "minute"),
    ("Lundi 28 Octobre 2024 - 14:32", utc(2024, 10, 28, 13, 32), "minute"),
    ("28 octobre 2024 à 14 h 32", utc(2024, 10, 28, 13, 32), "minute"),
    ("28 octobre 2024 à 14H32", utc(2024, 10, 28, 13, 32), "minute"),
    ("28 octobre 2024 14:32", utc(2024, 10, 28, 13, 32), "minute"),
    ("28 octobre 2024 à 14h", utc(2024, 10, 28, 13, 0), "minute"),
    ("15 juillet 2024 à 14h32", utc(2024, 7, 15, 12, 32), "minute"),  # CEST, UTC+2
    ("Publié le 28/10/2024 à 14h32", utc(2024, 10, 28, 13, 32), "minute"),
    (
        "Publié le 28/10/2024 à 14h32 Mis à jour le 28/10/2024 à 16h05",
        utc(2024, 10, 28, 13, 32),
        "minute",
    ),
    ("Publié le 06/01/2024 - 14:16 UTC+1", utc(2024, 1, 6, 13, 16), "minute"),
    ("Publié le 27 Mar 20 à 9:21", utc(2020, 3, 27, 8, 21), "minute"),
    # numeric, day first always
    ("28/10/2024", utc(2024, 10, 28), "day"),
    ("28-10-2024", utc(2024, 10, 28), "day"),
    ("28.10.2024", utc(2024, 10, 28), "day"),
    ("05/10/2024", utc(2024, 10, 5), "day"),
    ("28/10/24", utc(2024, 10, 28), "day"),
    ("10.12.19", utc(2019, 12, 10), "day"),
    # URL fragments
    ("2024/10/28", utc(2024, 10, 28), "day"),
    ("02-11-2023", utc(2023, 11, 2), "day"),
    ("20180601", utc(2018, 6, 1), "day"),
    # relative to the fetch, in the site's zone
    ("il y a 3 heures", utc(2024, 10, 29, 7, 0), "minute"),
    ("il y a 5 min", utc(2024, 10, 29, 9, 55), "minute"),
    ("Il y a 1 h", utc(2024, 10, 29, 9, 0), "minute"),
    ("il y a 2 jours", utc(2024, 10, 27), "day"),
    ("hier à 18h", utc(2024, 10, 28, 17, 0), "minute"),
    ("hier", utc(2024, 10, 28), "day"),
    ("Hier à 18:30", utc(2024, 10, 28, 17, 30), "minute"),
    ("aujourd'hui à 9h05", utc(2024, 10, 29, 8, 5), "minute"),
    ("Aujourd’hui", utc(2024, 10, 29), "day"),
    ("avant-hier", utc(2024, 10, 27), "day"),
    # English month names
    ("October 28, 2024", utc(2024, 10, 28), "day"),
    ("Oct. 28, 2024 at 2:32 pm", utc(2024, 10, 28, 13, 32), "minute"),
    ("28 October 2024", utc(2024, 10, 28), "day"),
    # NBSP and narrow NBSP anywhere
    ("28\u00a0octobre\u00a02024\u00a0à\u00a014h32", utc(2024, 10, 28, 13, 32), "minute"),
    ("28\u202foctobre 2024 à 14\u202fh\u202f32", utc(2024, 10, 28, 13, 32), "minute"),
    ("\u00a0Publié le\u202f28/10/2024\u00a0", utc(2024, 10, 28), "day"),
    # a day up to the tolerance after the fetch is still fine
    ("30 octobre 2024", utc(2024, 10, 30), "day"),
    # Arabic-script month names printed by Maghreb templates (Algeria/Tunisia, Morocco,
    # Middle East spellings), with or without bidi marks
    ("09 أفريل 2024 - 11:45", utc(2024, 4, 9, 9, 45), "minute"),
    ("12 مارس 2024", utc(2024, 3, 12), "day"),
    ("3 جويلية 2024", utc(2024, 7, 3), "day"),
    ("3 يوليوز 2024", utc(2024, 7, 3), "day"),
    ("3 يوليو 2024", utc(2024, 7, 3), "day"),
    ("15 غشت 2024", utc(2024, 8, 15), "day"),
    ("15 اغسطس 2024", utc(2024, 8, 15), "day"),
    ("\u200f28 أكتوبر 2024\u200f", utc(2024, 10, 28), "day"),
    ("الاثنين 28 اكتوبر 2024", utc(2024, 10, 28), "day"),
]


@pytest.mark.parametrize(("raw", "value", "precision"), ACCEPTED)
def test_parse_date_accepts(raw: str, value: datetime, precision: str) -> None:
    result = parse_date(raw, fetched_at=FETCHED, tz=PARIS)
    assert result == ParsedDate(value=value, precision=precision, raw=raw, source="")


@pytest.mark.parametrize(
    ("raw", "tz", "value", "precision"),
    [
        ("15 juillet 2024 à 14h32", ALGIERS, utc(2024, 7, 15, 13, 32), "minute"),  # UTC+1
        ("15 juillet 2024 à 14h32", CONAKRY, utc(2024, 7, 15, 14, 32), "minute"),  # UTC
        ("15 juillet 2024 à 14h32", TORONTO, utc(2024, 7, 15, 18, 32), "minute"),  # EDT, -4
        ("28 octobre 2024 à 23h30", TORONTO, utc(2024, 10, 29, 3, 30), "minute"),
        # a day-only date never crosses midnight, whatever the zone
        ("2024-10-28", TORONTO, utc(2024, 10, 28), "day"),
        ("28 octobre 2024", ALGIERS, utc(2024, 10, 28), "day"),
        # the written offset beats the site's zone
        ("2024-07-15T14:32:00+01:00", TORONTO, utc(2024, 7, 15, 13, 32), "minute"),
        # "hier" is yesterday in the site's zone: 10:00 UTC is already the 29th in Toronto
        ("hier", TORONTO, utc(2024, 10, 28), "day"),
    ],
)
def test_parse_date_uses_site_zone(raw: str, tz: ZoneInfo, value: datetime, precision: str) -> None:
    assert parse_date(raw, fetched_at=FETCHED, tz=tz) == ParsedDate(value, precision, raw, "")


def test_relative_day_follows_local_calendar() -> None:
    # 23:30 UTC on the 28th is already the 29th in Paris: "hier" is then the 28th
    late = datetime(2024, 10, 28, 23, 30, tzinfo=UTC)
    assert parse_date("hier", fetched_at=late, tz=PARIS) == ParsedDate(
        utc(2024, 10, 28), "day", "hier", ""
    )


def test_29_february_without_year_goes_back_to_a_leap_year() -> None:
    fetched = datetime(2025, 6, 1, tzinfo=UTC)
    result = parse_date("29 février", fetched_at=fetched, tz=PARIS)
    assert result == ParsedDate(utc(2024, 2, 29), "day", "29 février", "")


# --------------------------------------------------------------------------------------------
# parse_date: rejections
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("31 février 2024", "impossible_date"),
        ("31 février", "impossible_date"),
        ("30/02/2024", "impossible_date"),
        ("2024-13-01", "impossible_date"),
        ("32 octobre 2024", "impossible_date"),
        ("28 octobre 2024 à 14h32 +25:00", "impossible_date"),
        ("12 mars 2031", "future_date"),
        ("2031-01-01T00:00:00Z", "future_date"),
        ("31 octobre 2024", "future_date"),  # more than a day after the fetch
        ("12 mars 1985", "too_old"),
        ("12/03/85", "too_old"),
        ("1989-12-31", "too_old"),
        ("il y a 100000 jours", "too_old"),
        ("il y a 999999999 jours", "too_old"),
        ("n'importe quoi", "unparseable"),
        ("", "unparseable"),
        ("Lu: 97", "unparseable"),
        ("Temps de lecture : 3 min", "unparseable"),
        ("14h32", "unparseable"),
    ],
)
def test_parse_date_rejects(raw: str, reason: str) -> None:
    assert parse_date(raw, fetched_at=FETCHED, tz=PARIS) == DateRejection(raw=raw, reason=reason)


def test_parse_candidate_sets_source() -> None:
    candidate = DateCandidate(source="feed", raw="Mon, 28 Oct 2024 14:32:00 +0100")
    result = parse_candidate(candidate, fetched_at=FETCHED, tz=PARIS)
    assert result == ParsedDate(utc(2024, 10, 28, 13, 32), "minute", candidate.raw, "feed")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parse_date_never_raises(raw: str) -> None:
    result = parse_date(raw, fetched_at=FETCHED, tz=PARIS)
    if isinstance(result, ParsedDate):
        assert utc(1990, 1, 1) <= result.value <= FETCHED + timedelta(days=1)
        assert result.value.tzinfo is not None
        assert result.value.utcoffset() == timedelta(0)
        assert result.precision in {"day", "minute"}
    else:
        assert isinstance(result, DateRejection)
        assert result.reason in {"impossible_date", "future_date", "too_old", "unparseable"}


@settings(max_examples=200, deadline=None)
@given(
    day=st.integers(1, 31),
    month=st.sampled_from(
        [
            ("janvier", 1),
            ("févr.", 2),
            ("mars", 3),
            ("avril", 4),
            ("mai", 5),
            ("juin", 6),
            ("juillet", 7),
            ("août", 8),
            ("sept.", 9),
            ("octobre", 10),
            ("nov.", 11),
            ("déc", 12),
        ]
    ),
    year=st.integers(1991, 2023),
    decoration=st.sampled_from(["{}", "Publié le {}", "lundi {} ", "\u00a0{}\u202f| Lu: 97"]),
)
def test_french_day_month_year_round_trip(
    day: int, month: tuple[str, int], year: int, decoration: str
) -> None:
    raw = decoration.format(f"{day} {month[0]} {year}")
    result = parse_date(raw, fetched_at=FETCHED, tz=PARIS)
    try:
        expected = datetime(year, month[1], day, tzinfo=UTC)
    except ValueError:
        assert result == DateRejection(raw, "impossible_date")
    else:
        assert result == ParsedDate(expected, "day", raw, "")


# --------------------------------------------------------------------------------------------
# dates_in_text
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Publié le 05/11/2024 à 09h15 Mis à jour le 05/11/2024 à 11h40",
            [
                ("published", "Publié le 05/11/2024 à 09h15"),
                ("modified", "Mis à jour le 05/11/2024 à 11h40"),
            ],
        ),
        (
            "Publié le 30 août 2023 à 14h52, modifié le 30 août 2023 à 15h54",
            [
                ("published", "Publié le 30 août 2023 à 14h52"),
                ("modified", "modifié le 30 août 2023 à 15h54"),
            ],
        ),
        ("Par Jeanne Dupont — 28 Octobre 2024 | Lu: 97", [("published", "28 Octobre 2024")]),
        ("Mis à jour il y a 3 heures", [("modified", "Mis à jour il y a 3 heures")]),
        ("Lu: 97 fois", []),
        # institutional footers: "Dernière modification :" labels the page's last change
        ("Dernière modification : 4 janvier 2024", [("modified", "modification : 4 janvier 2024")]),
        (
            "Message posté le 02/11/2020 à 21:14 par Anne",
            [("published", "posté le 02/11/2020 à 21:14")],
        ),
    ],
)
def test_dates_in_text(text: str, expected: list[tuple[str, str]]) -> None:
    assert dates_in_text(text) == expected


# --------------------------------------------------------------------------------------------
# find_date_candidates + choose_dates on small pages
# --------------------------------------------------------------------------------------------

WORDPRESS_PAGE = """<!doctype html>
<html lang="fr"><head>
<meta property="article:published_time" content="2024-10-28T14:32:00+01:00">
<meta property="article:modified_time" content="2024-10-28T16:05:00+01:00">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Le Quotidien"},
  {"@type": "NewsArticle", "headline": "Le titre",
   "datePublished": "2024-10-28T13:32:00+00:00", "dateModified": "2024-10-28T15:05:00+00:00"}
]}
</script>
</head><body class="single has-sidebar">
<article class="post">
  <header class="entry-header">
    <h1 class="entry-title">Le conseil municipal vote le budget</h1>
    <div class="entry-meta"><span class="posted-on"><a href="/2024/10/28/budget/" rel="bookmark"
      ><time class="entry-date published" datetime="2024-10-28T14:32:00+01:00">28 octobre 2024</time
      ><time class="updated" datetime="2024-10-28T16:05:00+01:00">28 octobre 2024</time></a
    ></span></div>
  </header>
  <div class="entry-content"><p>Le budget a été voté hier soir par 25 voix contre 4.</p></div>
</article>
<aside class="widget-area"><section class="widget"><ul>
  <li><a href="/2024/09/12/autre/">Une autre nouvelle</a>
      <span class="post-date">12 septembre 2024</span></li>
</ul></section></aside>
</body></html>"""


def test_wordpress_page_candidates_and_choice() -> None:
    tree = parse_html(WORDPRESS_PAGE)
    candidates = find_date_candidates(tree, "https://quotidien.example/2024/10/28/budget/")
    assert candidates == [
        DateCandidate("jsonld", "2024-10-28T13:32:00+00:00", "published"),
        DateCandidate("jsonld", "2024-10-28T15:05:00+00:00", "modified"),
        DateCandidate("meta", "2024-10-28T14:32:00+01:00", "published"),
        DateCandidate("meta", "2024-10-28T16:05:00+01:00", "modified"),
        DateCandidate("time", "2024-10-28T14:32:00+01:00", "published"),
        DateCandidate("time", "2024-10-28T16:05:00+01:00", "modified"),
        DateCandidate("text", "28 octobre 2024", "published"),
        DateCandidate("text", "28 octobre 2024", "modified"),
        DateCandidate("url", "2024/10/28", "published"),
    ]
    choice = choose_dates(candidates, fetched_at=FETCHED, tz=PARIS)
    assert choice == DateChoice(
        published=ParsedDate(utc(2024, 10, 28, 13, 32), "minute", "2024-10-28T13:32:00+00:00",
                             "jsonld"),
        modified=ParsedDate(utc(2024, 10, 28, 15, 5), "minute", "2024-10-28T15:05:00+00:00",
                            "jsonld"),
        rejections=[],
    )  # fmt: skip


READ_COUNT_PAGE = """<html><body><div class="page">
<header class="site"><nav><a href="/">Accueil</a> <span class="date">Mardi 29 octobre 2024</span></nav></header>
<main>
  <h1>Le marché central rouvre ses portes après travaux</h1>
  <div><span>28 Octobre 2024</span> | <span>Lu: 97</span></div>
  <p>Les commerçants ont retrouvé leurs étals ce lundi matin.</p>
</main>
<div class="fil-info"><h3>Fil d'info</h3><ul>
  <li><span class="date">29 Octobre 2024</span> Une autre dépêche</li>
</ul></div>
<div id="comments"><p class="comment-date">Le 28 octobre 2024 à 18h40</p></div>
<footer><p class="date">© Le Journal, 27 octobre 2024</p></footer>
</div></body></html>"""  # noqa: E501


def test_lone_visible_date_next_to_read_count() -> None:
    tree = parse_html(READ_COUNT_PAGE)
    candidates = find_date_candidates(tree, "https://journal.example/marche-central-rouvre")
    assert candidates == [DateCandidate("text", "28 Octobre 2024", "published")]
    choice = choose_dates(candidates, fetched_at=FETCHED, tz=PARIS)
    assert choice.published == ParsedDate(utc(2024, 10, 28), "day", "28 Octobre 2024", "text")
    assert choice.modified is None


PUBLISHED_UPDATED_PAGE = """<html><body><article>
<h1>Inondations : le point sur la situation dans la région</h1>
<p class="infos">Publié le 05/11/2024 à 09h15 Mis à jour le 05/11/2024 à 11h40</p>
<p>Les pluies ont cessé dans la nuit.</p>
</article></body></html>"""


def test_published_and_updated_in_one_line() -> None:
    tree = parse_html(PUBLISHED_UPDATED_PAGE)
    candidates = find_date_candidates(tree, "https://journal.example/inondations-point")
    assert candidates == [
        DateCandidate("text", "Publié le 05/11/2024 à 09h15", "published"),
        DateCandidate("text", "Mis à jour le 05/11/2024 à 11h40", "modified"),
    ]
    fetched = datetime(2024, 11, 5, 12, 0, tzinfo=UTC)
    choice = choose_dates(candidates, fetched_at=fetched, tz=PARIS)
    assert choice == DateChoice(
        published=ParsedDate(utc(2024, 11, 5, 8, 15), "minute", candidates[0].raw, "text"),
        modified=ParsedDate(utc(2024, 11, 5, 10, 40), "minute", candidates[1].raw, "text"),
        rejections=[],
    )


@pytest.mark.parametrize(
    ("url", "raw", "value"),
    [
        ("https://www.exemple.dz/actualite/2024/10/28/depeche", "2024/10/28", utc(2024, 10, 28)),
        ("https://exemple.be/id123/article/2020-12-24/titre", "2020-12-24", utc(2020, 12, 24)),
        ("https://exemple.fr/meteo/tempete-02-11-2023-XVZ4H2T.php", "02-11-2023", utc(2023, 11, 2)),
        ("https://exemple.fr/sport/2282359-20180601-video-bleus", "20180601", utc(2018, 6, 1)),
    ],
)  # fmt: skip
def test_url_only_page(url: str, raw: str, value: datetime) -> None:
    tree = parse_html("<html><body><h1>Une dépêche sans date</h1><p>Texte.</p></body></html>")
    candidates = find_date_candidates(tree, url)
    assert candidates == [DateCandidate("url", raw, "published")]
    choice = choose_dates(candidates, fetched_at=FETCHED, tz=PARIS)
    assert choice.published == ParsedDate(value, "day", raw, "url")


@pytest.mark.parametrize(
    "url",
    [
        "https://exemple.fr/article/32590953.html",  # an id, not a date
        "https://exemple.fr/2024/13/45/titre",  # no such month
        "https://exemple.fr/2024/10/titre",  # month only
    ],
)
def test_url_without_a_usable_date(url: str) -> None:
    tree = parse_html("<html><body><h1>Titre</h1></body></html>")
    assert find_date_candidates(tree, url) == []


IMPOSSIBLE_JSONLD_PAGE = """<html><head>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Titre",
 "datePublished": "31 février 2024"}
</script></head><body><article>
<h1>Le festival annonce sa programmation</h1>
<span class="article-date">28 Octobre 2024</span>
<p>Texte.</p></article></body></html>"""


def test_impossible_jsonld_date_gives_way_to_text() -> None:
    tree = parse_html(IMPOSSIBLE_JSONLD_PAGE)
    candidates = find_date_candidates(tree, "https://journal.example/festival")
    assert candidates == [
        DateCandidate("jsonld", "31 février 2024", "published"),
        DateCandidate("text", "28 Octobre 2024", "published"),
    ]
    choice = choose_dates(candidates, fetched_at=FETCHED, tz=PARIS)
    assert choice == DateChoice(
        published=ParsedDate(utc(2024, 10, 28), "day", "28 Octobre 2024", "text"),
        modified=None,
        rejections=[("31 février 2024", "impossible_date")],
    )


TEASERS_PAGE = """<html><head>
<meta name="og:updated_time" value="2024-10-28T16:05:00+00:00">
</head><body>
<header><h4 class="date">Aujourd'hui</h4></header>
<main><article class="main">
  <h1>Grève des transports : ce qui change mardi</h1>
  <div class="time"><time datetime="2024-10-30T10:18:46Z">Publié le 28 octobre 2024</time></div>
  <p>Texte.</p>
  <div class="forum"><time datetime="2024-10-28T19:00:00Z">Le 28 octobre à 20:00</time></div>
  <div class="reactions"><p><b>Modou</b> <span class="date">29/10/2024 à 08:14</span></p></div>
</article>
<section class="more"><article class="apercu"><a href="/autre">
  <h2>Autre article</h2><time datetime="2024-10-20T09:00:00Z">Publié le 20 octobre</time>
</a></article></section>
<div class="teaser"><time datetime="2024-10-21T09:00:00Z">21/10/24</time></div>
</main></body></html>"""


def test_teasers_comments_and_contradicting_time_element() -> None:
    tree = parse_html(TEASERS_PAGE)
    candidates = find_date_candidates(tree, "https://journal.example/greve-transports")
    assert candidates == [
        # meta given in a "value" attribute, as some pages do
        DateCandidate("meta", "2024-10-28T16:05:00+00:00", "modified"),
        # the reader is told 28 October while the attribute says 30: the visible claim first
        DateCandidate("time", "Publié le 28 octobre 2024", "published"),
        DateCandidate("time", "2024-10-30T10:18:46Z", "published"),
        DateCandidate("text", "Publié le 28 octobre 2024", "published"),
    ]


KINDS_PAGE = """<html><body><article>
<h1>Le titre de la dépêche de ce matin</h1>
<div class="dates">
  <time class="entry-date published updated" datetime="2024-10-28T09:00:00+01:00">28/10/2024</time>
  <span>Mis à jour le</span> <!-- maj --><time datetime="2024-10-28T16:05:00+01:00"
    >28/10/2024 à 16h05</time>
  <time itemprop="dateModified" datetime="2024-10-28T17:00:00+01:00"></time>
</div>
</article></body></html>"""


def test_published_or_modified_from_class_label_and_microdata() -> None:
    tree = parse_html(KINDS_PAGE)
    candidates = find_date_candidates(tree, "https://journal.example/depeche")
    assert candidates == [
        # "published updated" together is WordPress for "never modified"
        DateCandidate("time", "2024-10-28T09:00:00+01:00", "published"),
        # the label sits just before the element
        DateCandidate("time", "2024-10-28T16:05:00+01:00", "modified"),
        DateCandidate("time", "2024-10-28T17:00:00+01:00", "modified"),
        DateCandidate("text", "28/10/2024", "published"),
        DateCandidate("text", "Mis à jour le 28/10/2024 à 16h05", "modified"),
    ]
    choice = choose_dates(candidates, fetched_at=FETCHED, tz=PARIS)
    assert choice.published == ParsedDate(
        utc(2024, 10, 28, 8, 0), "minute", "2024-10-28T09:00:00+01:00", "time"
    )
    assert choice.modified == ParsedDate(
        utc(2024, 10, 28, 15, 5), "minute", "2024-10-28T16:05:00+01:00", "time"
    )


META_PAGE = """<html><head>
<meta name="DC.date" content="2024-10-27">
<meta itemprop="datePublished" content="2024-10-28T09:00:00+01:00">
<meta name="pubdate" content="20241028">
<meta property="og:updated_time" content="2024-10-28T16:05:00+01:00">
<meta name="description" content="Le 12 mars 2020, la ville a voté.">
<meta name="date" content="bientôt">
</head><body><main><p>Texte sans titre.</p></main></body></html>"""


def test_meta_names_in_order_of_trust() -> None:
    tree = parse_html(META_PAGE)
    assert find_date_candidates(tree, "https://journal.example/x") == [
        DateCandidate("meta", "2024-10-28T09:00:00+01:00", "published"),
        DateCandidate("meta", "20241028", "published"),
        DateCandidate("meta", "2024-10-27", "published"),
        DateCandidate("meta", "2024-10-28T16:05:00+01:00", "modified"),
    ]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", []),
        ("<html><body></body></html>", []),
        # a bare date in prose, in no date element and next to no headline: not a dateline
        ("<p>Le 28 octobre 2024, la ville a voté.</p>", []),
        ("<p class='date'>28 octobre 2024</p>", [DateCandidate("text", "28 octobre 2024")]),
    ],
)
def test_pages_without_headline(html: str, expected: list[DateCandidate]) -> None:
    assert find_date_candidates(parse_html(html), "not a url") == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # a lower-case "posté le" (a forum's message line) and a "Dernière modification"
        # footer are found by their labels, whatever the element's class
        (
            "<div><h1>Ligne 12 : on se mobilise ?</h1><div class='m'><p class='message-info'>"
            "Message posté le 02/11/2020 à 21:14 par Anne</p><p>Bonsoir à tous.</p></div></div>",
            [DateCandidate("text", "posté le 02/11/2020 à 21:14", "published")],
        ),
        (
            "<div><div><h1>Le moulin retrouve sa roue</h1><p>Après deux ans.</p></div>"
            "<div><p class='maj'>Dernière modification : 4 janvier 2024</p></div></div>",
            [DateCandidate("text", "modification : 4 janvier 2024", "modified")],
        ),
    ],
)
def test_labels_found_whatever_the_class(html: str, expected: list[DateCandidate]) -> None:
    assert find_date_candidates(parse_html(html), "not a url") == expected


TEASER_LIST_FIRST_PAGE = """<html><body><div class="row">
<div class="col-md-3"><div class="box">
  <div class="box-title">Toute l'actu</div>
  <ul><li><span class="time">12/03/2024 08:40</span>
  <a href="/joal-pont.html">Joal-Fadiouth : les travaux du nouveau pont ont débuté</a></li></ul>
</div>
<div class="bloc"><h4>Fil d'info</h4>
  <div class="item"><span class="date">11/03/2024 19:05</span> <a href="/saly.html">Saly</a></div>
</div></div>
<div class="col-md-9">
  <h1>Mbour : les pêcheurs artisanaux dénoncent la raréfaction de la sardinelle</h1>
  <div class="meta"><span class="date">Publié le 12/03/2024 à 09h15</span></div>
  <p>Les pêcheurs artisanaux de Mbour ont manifesté lundi.</p>
</div></div></body></html>"""


def test_teaser_lists_before_the_article_are_not_its_date() -> None:
    # a list item linking to another headline, and a block headed "Fil d'info", hold the
    # dates of other articles whatever their classes say
    tree = parse_html(TEASER_LIST_FIRST_PAGE)
    candidates = find_date_candidates(tree, "https://journal.example/mbour-sardinelle")
    assert candidates == [DateCandidate("text", "Publié le 12/03/2024 à 09h15", "published")]


NO_H1_PAGE = """<html><head>
<title>Maroc : les réserves des barrages remontent après les pluies - Le Matin du Souss</title>
</head><body><div class="corps"><div class="colonne">
<div class="encadre-titre">Fil d'info</div>
<div class="titre">Maroc : les réserves des barrages remontent après les pluies</div>
<div class="infos"><span>28/03/2024</span> | <span>Lu: 230</span></div>
<div class="texte"><p>Le taux de remplissage des barrages a atteint 32,5 % jeudi.</p></div>
</div></div></body></html>"""


def test_page_without_h1_finds_the_headline_by_the_page_title() -> None:
    tree = parse_html(NO_H1_PAGE)
    candidates = find_date_candidates(tree, "https://matin.example/maroc-barrages")
    assert candidates == [DateCandidate("text", "28/03/2024", "published")]


def test_page_without_h1_finds_the_headline_after_a_site_first_title() -> None:
    # "Site - Rubrique - Headline": the element printing the headline is still found, so
    # the masthead's date of the day above it is not taken for the article's
    html = NO_H1_PAGE.replace(
        "<title>Maroc : les réserves des barrages remontent après les pluies - Le Matin du Souss",
        "<title>Le Matin du Souss - Économie - Maroc : les réserves des barrages remontent"
        " après les pluies",
    ).replace(
        '<div class="corps">',
        '<div class="corps"><div class="date-du-jour">Lundi 2 décembre 2024</div>',
    )
    candidates = find_date_candidates(parse_html(html), "https://matin.example/maroc-barrages")
    assert candidates[0] == DateCandidate("text", "28/03/2024", "published")


MASTHEAD_DATE_PAGE = """<html><body><div class="page">
<div class="bandeau"><div class="date-du-jour">Lundi 2 décembre 2024</div></div>
<div class="colonne">
  <h1>Mali : plus de 1 500 écoles toujours fermées dans le centre du pays</h1>
  <div class="date">Publié le 12 mars 2024</div>
  <p>Plus de 1 500 écoles restent fermées dans le centre du Mali.</p>
</div></div></body></html>"""


def test_date_in_the_headlines_own_branch_comes_before_the_masthead() -> None:
    # both are "next to the headline"; the one joining it lower in the tree ranks first
    candidates = find_date_candidates(parse_html(MASTHEAD_DATE_PAGE), "https://x.example/a")
    assert candidates == [
        DateCandidate("text", "Publié le 12 mars 2024", "published"),
        DateCandidate("text", "2 décembre 2024", "published"),
    ]


def test_page_without_h1_and_without_matching_title_element() -> None:
    html = NO_H1_PAGE.replace('class="titre"', 'class="chapo"')
    assert find_date_candidates(parse_html(html), "https://matin.example/maroc-barrages") == []


# --------------------------------------------------------------------------------------------
# choose_dates on candidate lists
# --------------------------------------------------------------------------------------------


def pub(source: str, raw: str) -> DateCandidate:
    return DateCandidate(source, raw, "published")


def mod(source: str, raw: str) -> DateCandidate:
    return DateCandidate(source, raw, "modified")


@pytest.mark.parametrize(
    ("candidates", "published", "modified", "rejections"),
    [
        pytest.param([], None, None, [], id="nothing"),
        pytest.param(
            [pub("url", "2024/10/28"), pub("text", "28 Octobre 2024")],
            ParsedDate(utc(2024, 10, 28), "day", "28 Octobre 2024", "text"),
            None, [], id="text-beats-url-same-day",
        ),
        pytest.param(
            [pub("jsonld", "2024-10-28T14:32:00+01:00"), pub("text", "27 octobre 2024")],
            ParsedDate(utc(2024, 10, 28, 13, 32), "minute", "2024-10-28T14:32:00+01:00",
                       "jsonld"),
            None, [], id="jsonld-with-time-kept",
        ),
        pytest.param(
            [pub("meta", "2024-10-28"), pub("time", "2024-10-28T14:32:00+01:00")],
            ParsedDate(utc(2024, 10, 28, 13, 32), "minute", "2024-10-28T14:32:00+01:00", "time"),
            None, [], id="day-upgraded-by-same-day-time",
        ),
        pytest.param(
            [pub("meta", "2024-10-28"), pub("text", "27 octobre 2024 à 23h50")],
            ParsedDate(utc(2024, 10, 28), "day", "2024-10-28", "meta"),
            None, [], id="day-kept-when-time-is-another-day",
        ),
        pytest.param(
            [pub("url", "2024/10/25"), pub("sitemap", "2024-10-27"),
             pub("feed", "Mon, 28 Oct 2024 06:00:00 GMT")],
            ParsedDate(utc(2024, 10, 28, 6, 0), "minute", "Mon, 28 Oct 2024 06:00:00 GMT",
                       "feed"),
            None, [], id="feed-before-sitemap-and-url",
        ),
        pytest.param(
            [pub("feed", "Mon, 28 Oct 2024 11:20:00 +0000"), pub("text", "28 Octobre 2024")],
            ParsedDate(utc(2024, 10, 28), "day", "28 Octobre 2024", "text"),
            None, [], id="page-text-before-feed-and-not-refined-by-it",
        ),
        pytest.param(
            [pub("text", "28 Octobre 2024"), pub("site", "lundi 28 octobre 2024 - 09:05")],
            ParsedDate(utc(2024, 10, 28, 8, 5), "minute", "lundi 28 octobre 2024 - 09:05", "site"),
            None, [], id="site-selector-first",
        ),
        pytest.param(
            [pub("jsonld", "2031-05-01T10:00:00Z"), pub("meta", "2024-10-28T08:00:00Z")],
            ParsedDate(utc(2024, 10, 28, 8, 0), "minute", "2024-10-28T08:00:00Z", "meta"),
            None, [("2031-05-01T10:00:00Z", "future_date")], id="future-jsonld-skipped",
        ),
        pytest.param(
            [pub("jsonld", "2024-10-28T14:00:00Z"), mod("jsonld", "2024-10-28T09:00:00Z"),
             mod("meta", "2024-10-28T15:00:00Z")],
            ParsedDate(utc(2024, 10, 28, 14, 0), "minute", "2024-10-28T14:00:00Z", "jsonld"),
            ParsedDate(utc(2024, 10, 28, 15, 0), "minute", "2024-10-28T15:00:00Z", "meta"),
            [("2024-10-28T09:00:00Z", "modified_before_published")],
            id="modified-before-published-skipped",
        ),
        pytest.param(
            [pub("time", "n'importe quoi"), pub("text", "12 mars 1985"), pub("url", "2024/10/28")],
            ParsedDate(utc(2024, 10, 28), "day", "2024/10/28", "url"),
            None, [("n'importe quoi", "unparseable"), ("12 mars 1985", "too_old")],
            id="all-rejections-recorded",
        ),
    ],
)  # fmt: skip
def test_choose_dates(
    candidates: list[DateCandidate],
    published: ParsedDate | None,
    modified: ParsedDate | None,
    rejections: list[tuple[str, str]],
) -> None:
    choice = choose_dates(candidates, fetched_at=FETCHED, tz=PARIS)
    assert choice == DateChoice(published=published, modified=modified, rejections=rejections)


# --------------------------------------------------------------------------------------------
# The publication's own offset: written on the page, else the site's zone
# --------------------------------------------------------------------------------------------

KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("raw", "tz", "offset", "written", "local_day"),
    [
        # a written offset is the publication's: 20:23 at UTC-4 is of the 24th, not the 25th
        ("2020-08-24T20:23:00-04:00", PARIS, -240, True, date(2020, 8, 24)),
        ("2024-07-15T02:10:00+05:30", PARIS, 330, True, date(2024, 7, 15)),
        ("Publié le 06/01/2024 - 14:16 UTC+1", TORONTO, 60, True, date(2024, 1, 6)),
        # "Z", "GMT", "+00:00": a server's habit, the day is read in the site's zone
        ("2024-10-28T14:32:00Z", PARIS, 60, False, date(2024, 10, 28)),
        ("2024-10-28T23:30:00Z", PARIS, 60, False, date(2024, 10, 29)),
        ("2024-10-28T23:30:00Z", KOLKATA, 330, False, date(2024, 10, 29)),
        ("2024-10-28T23:30:00+00:00", CONAKRY, 0, False, date(2024, 10, 28)),
        ("Mon, 28 Oct 2024 14:32:00 GMT", ALGIERS, 60, False, date(2024, 10, 28)),
        # no offset written: the site's zone, summer or winter time
        ("28 octobre 2024 à 23h30", TORONTO, -240, False, date(2024, 10, 28)),
        ("15 juillet 2024 à 14h32", PARIS, 120, False, date(2024, 7, 15)),
        ("il y a 3 heures", PARIS, 60, False, date(2024, 10, 29)),
        # only the day: no offset, the day as written
        ("2024-10-28", PARIS, None, False, date(2024, 10, 28)),
        ("28 octobre 2024", TORONTO, None, False, date(2024, 10, 28)),
    ],
)
def test_parse_date_keeps_the_publication_offset(
    raw: str, tz: ZoneInfo, offset: int | None, written: bool, local_day: date
) -> None:
    result = parse_date(raw, fetched_at=FETCHED, tz=tz)
    assert isinstance(result, ParsedDate)
    assert (result.offset_minutes, result.offset_written, result.local_day) == (
        offset,
        written,
        local_day,
    )


@pytest.mark.parametrize(
    ("candidates", "source", "offset", "local_day"),
    [
        # JSON-LD in UTC, the meta of the same instant with the page's offset: that offset
        (
            [pub("jsonld", "2022-05-04T01:46:08Z"), pub("meta", "2022-05-03T22:46:08-03:00")],
            "jsonld", -180, date(2022, 5, 3),
        ),
        # another instant says nothing about this one: the site's zone (Paris, summer time)
        (
            [pub("jsonld", "2022-05-04T01:46:08Z"), pub("meta", "2022-05-03T10:00:00-03:00")],
            "jsonld", 120, date(2022, 5, 4),
        ),
        # a feed's date is not the page's word on its own offset
        (
            [pub("jsonld", "2022-05-04T01:46:08Z"), pub("feed", "Tue, 03 May 2022 22:46:08 -0300")],
            "jsonld", 120, date(2022, 5, 4),
        ),
    ],
)  # fmt: skip
def test_choose_dates_takes_the_offset_the_page_writes(
    candidates: list[DateCandidate], source: str, offset: int, local_day: date
) -> None:
    published = choose_dates(candidates, fetched_at=FETCHED, tz=PARIS).published
    assert published is not None
    assert (published.source, published.offset_minutes, published.local_day) == (
        source,
        offset,
        local_day,
    )


# --------------------------------------------------------------------------------------------
# htmldate: the last source
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidates", "published", "rejections"),
    [
        # the page's own sources and the URL come first
        (
            [pub("htmldate", "2024-10-01"), pub("url", "2024/10/28")],
            ParsedDate(utc(2024, 10, 28), "day", "2024/10/28", "url"), [],
        ),
        # alone, it is taken, with its provenance and day precision
        (
            [pub("htmldate", "2024-10-29")],
            ParsedDate(utc(2024, 10, 29), "day", "2024-10-29", "htmldate"), [],
        ),
        # never a day after the fetch (29 October), not even the day of tolerance of the others
        ([pub("htmldate", "2024-10-30")], None, [("2024-10-30", "future_date")]),
    ],
)  # fmt: skip
def test_htmldate_is_the_last_source(
    candidates: list[DateCandidate],
    published: ParsedDate | None,
    rejections: list[tuple[str, str]],
) -> None:
    choice = choose_dates(candidates, fetched_at=FETCHED, tz=PARIS)
    assert (choice.published, choice.rejections) == (published, rejections)


BLOG_WITHOUT_DATE_MARKUP = """<html><head><title>Le marché de Sandaga rouvre ses portes</title>
</head><body><div id="page"><h1>Le marché de Sandaga rouvre ses portes</h1>
<div class="entry"><p>Après trois ans de travaux, les commerçants ont retrouvé leurs places
lundi matin, dans un bâtiment entièrement rénové.</p>
<p>La mairie promet des allées plus larges et un parking souterrain.</p></div>
<div class="footer-info">Cet article a été écrit le 12/03/2024 par la rédaction.</div>
</div></body></html>"""


def test_htmldate_finds_a_date_the_rules_leave() -> None:
    tree = parse_html(BLOG_WITHOUT_DATE_MARKUP)
    url = "https://blog.example/sandaga"
    found = find_date_candidates(tree, url)
    assert found == []  # a date in the footer text: no rule of ours reads it
    assert find_library_date_candidates(tree, url, found) == [
        DateCandidate("htmldate", "2024-03-12", "published")
    ]


def test_htmldate_is_not_asked_when_the_page_has_a_usable_date() -> None:
    html = BLOG_WITHOUT_DATE_MARKUP.replace(
        "</head>", '<meta property="article:published_time" content="2024-03-11T09:00:00Z">'
    )
    tree = parse_html(html)
    found = find_date_candidates(tree, "https://blog.example/sandaga")
    assert found == [DateCandidate("meta", "2024-03-11T09:00:00Z", "published")]
    assert find_library_date_candidates(tree, "https://blog.example/sandaga", found) == []
    # a candidate that cannot be used (a date in 2031) does not count: htmldate is asked
    # (and reads the page's meta itself)
    unusable = [DateCandidate("meta", "2031-03-11T09:00:00Z", "published")]
    assert find_library_date_candidates(tree, "https://blog.example/sandaga", unusable) == [
        DateCandidate("htmldate", "2024-03-11", "published")
    ]


COPYRIGHT_ONLY = """<html><head><title>Le marché de Sandaga rouvre ses portes</title></head><body>
<h1>Le marché de Sandaga rouvre ses portes</h1>
<p>Après trois ans de travaux, les commerçants ont retrouvé leurs places lundi matin.</p>
<footer><p>© 2016 Le Journal de Dakar. Tous droits réservés.</p></footer></body></html>"""


def test_htmldate_first_of_month_needs_the_day_written() -> None:
    # htmldate reads "© 2016" as 1 January 2016: a year is not a publication day
    tree = parse_html(COPYRIGHT_ONLY)
    assert find_library_date_candidates(tree, "https://journal.example/sandaga", []) == []
    # a first of the month the page does write is kept
    written = COPYRIGHT_ONLY.replace(
        "<footer>", '<div class="footer-info">Article écrit le 01/03/2024.</div><footer>'
    )
    tree = parse_html(written)
    assert find_library_date_candidates(tree, "https://journal.example/sandaga", []) == [
        DateCandidate("htmldate", "2024-03-01", "published")
    ]
