"""The report page (crawler/report.py): options, tables beside the charts, the empty archive."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from crawler import exitcodes
from crawler.report import FIELDS, Period, parse_day, parse_sites, ranges_text, render
from crawler.storage.report import BY_NAME, empty_results, run_report_queries
from tests.docs.archive import build_archive

NOW = datetime(2024, 11, 20, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-02", date(2024, 11, 2)),
        ("7d", date(2024, 11, 13)),
        ("0d", date(2024, 11, 20)),
        (" 30d ", date(2024, 10, 21)),
    ],
)
def test_parse_day(value, expected):
    assert parse_day(value, "--since", NOW.date()) == expected


@pytest.mark.parametrize("value", ["yesterday", "7", "7w", "2024-13-01", "-3d", "99999d"])
def test_parse_day_refuses(value):
    with pytest.raises(ValueError, match="--since expects YYYY-MM-DD or Nd"):
        parse_day(value, "--since", NOW.date())


def test_parse_sites(tmp_path):
    for key, country in (("seneweb", "SN"), ("aps", "DZ"), ("lesoleil", "SN")):
        (tmp_path / f"{key}.toml").write_text(
            f'name = "{key}"\ncountry = "{country}"\nbase_url = "https://{key}.example"\n'
            '[discovery]\nfeeds = ["/rss.xml"]\n',
            encoding="utf-8",
        )
    assert parse_sites("seneweb, aps,seneweb", tmp_path) == ["aps", "seneweb"]
    assert parse_sites("all", tmp_path) is None
    assert parse_sites("country:SN", tmp_path) == ["lesoleil", "seneweb"]
    assert parse_sites("country:sn,aps", tmp_path) == ["aps", "lesoleil", "seneweb"]
    with pytest.raises(ValueError, match="not a site key"):
        parse_sites("aps,Le Soleil", tmp_path)
    with pytest.raises(ValueError, match="no site key"):
        parse_sites(" , ", tmp_path)
    with pytest.raises(ValueError, match="no site in group"):
        parse_sites("region:nowhere", tmp_path)


def test_ranges_text():
    days = [date(2024, 11, d) for d in (2, 3, 4, 9, 11, 12)]
    assert ranges_text(days) == "2024-11-02..2024-11-04, 2024-11-09, 2024-11-11..2024-11-12"
    assert ranges_text(days, limit=1) == "2024-11-02..2024-11-04, and 2 more"
    assert ranges_text([]) == ""


@pytest.mark.parametrize(
    ("status", "recorded", "expected"),
    [("ok", None, 0), ("degraded", None, 5), ("failed", None, 1), ("failed", 3, 3),
     ("running", None, None)],
)  # fmt: skip
def test_exit_code_of_a_run(status, recorded, expected):
    assert exitcodes.for_run(status, recorded) == expected


def cells(page: str, section: str) -> list[list[str]]:
    """The body rows of the table of one section, as text."""
    part = page.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("</tr>") if row]


def test_empty_archive_says_so():
    page = render(empty_results(), Period(None, None, None, NOW))
    assert 'id="empty-archive"' in page
    assert "The archive holds no articles, no crawl runs and no rejections" in page
    assert "<svg" not in page and "<script" not in page


def test_report_of_the_fixture_archive(migrated_engine):
    build_archive(migrated_engine)
    since, until = date(2024, 11, 1), date(2024, 11, 16)
    period = Period(since, until, None, NOW)
    page = render(run_report_queries(migrated_engine, since, until, None), period)
    assert page.count('<figure class="chart"') == 5  # no run, no rejection in this archive
    named = set(re.findall(r"<code>(report_\w+)</code>", page))  # "the SQL behind the chart"
    assert named == set(BY_NAME)
    assert "No rejection in this period." in page and "No crawl run in this period." in page
    assert "<script" not in page
    assert not re.search(r'(?:src|href)="(?!#|data:)', page)  # nothing to fetch from anywhere
    # Articles per day: aps has articles on 11-02 and 11-16 -> gap 11-03..11-15 (13 days);
    # quotidien starts 11-14, nothing on 11-15; seneweb's only November article is on 11-16.
    daily = {row[0]: row for row in cells(page, "daily_articles")}
    assert daily["aps"] == ["aps", "2", "2", "13", "2024-11-03..2024-11-15", "none", "none"]
    assert daily["quotidien"][1:5] == ["3", "2", "1", "2024-11-15"]
    assert daily["seneweb"][1:5] == ["1", "1", "0", "none"]
    # Agency share per day (period under 62 days): 11-16 has 4 articles, 3 AFP and 1 APS.
    share = {row[0]: row for row in cells(page, "agency_share")}
    # columns: day, articles, AFP, APS, REUTERS (by total in the period), NONE
    assert share["2024-11-16"] == ["2024-11-16", "4", "3 (75%)", "1 (25%)", "0 (0%)", "0 (0%)"]
    assert share["2024-11-14"] == ["2024-11-14", "1", "0 (0%)", "0 (0%)", "0 (0%)", "1 (100%)"]
    coverage = {row[0]: row for row in cells(page, "field_coverage")}
    assert coverage["quotidien"][:4] == ["quotidien", "3", "100% (3)", "33% (1)"]
    clusters = cells(page, "wire_clusters")
    assert len(clusters) == 1  # the floods were published in October
    assert clusters[0][3:] == ["3", "quotidien +0.0 h; seneweb +1.5 h; aps +4.0 h"]


def test_hostile_text_stays_text():
    """Titles, site keys and reasons come from crawled pages: escaped in tables and charts."""
    hostile = '<script>alert(1)</script> & <img src="http://x.example/p.png">'
    results = empty_results()
    results["report_daily_articles"] = [{"day": "2024-11-02", "site_key": "aps", "articles": 2}]
    results["report_rejections"] = [{"site_key": "aps", "reason": hostile, "rejections": 1}]
    results["report_read_curves"] = [
        {"article_id": 1, "site_key": "aps", "title": hostile, "value": 10,
         "observed_at": "2024-11-02 10:00:00", "observed_epoch": 0},
    ]  # fmt: skip
    period = Period(None, None, ["aps", "nulle-part"], NOW)
    page = render(results, period)
    assert "<script" not in page
    assert not re.search(r'<[a-z][^<>]*\s(?:src|href)="(?!#|data:)', page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img" in page
    assert "No article, run or rejection for nulle-part in this period" in page
    daily = cells(page, "daily_articles")
    assert daily[1][0] == "nulle-part" and daily[1][1:4] == ["0", "0", "1"]  # all gap


def test_a_year_of_forty_sites_stays_under_two_megabytes():
    """The size budget, on query results shaped like a busy year (bench/report_size.py runs
    the same through the database: 0.66 MB)."""
    rng = random.Random(7)
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(365)]
    sites = [f"site-{n:02d}" for n in range(40)]
    agencies = ["AFP", "REUTERS", "APS", "MAP", "BELGA", "AP", "TAP", "APA", "AIP", "NONE"]
    results = empty_results()
    results["report_daily_articles"] = [
        {"day": d.isoformat(), "site_key": s, "articles": rng.randint(1, 30)}
        for d in days
        for s in sites
        if rng.random() > 0.03
    ]
    results["report_troubled_runs"] = [
        {"day": d.isoformat(), "site_key": s, "status": "degraded", "runs": 1}
        for d in days
        for s in sites
        if rng.random() < 0.05
    ]
    results["report_agency_share"] = [
        {"day": d.isoformat(), "agency": a, "articles": rng.randint(0, 200)}
        for d in days
        for a in agencies
    ]
    results["report_field_coverage"] = [
        {"site_key": s, "articles": 4000, **{column: rng.randint(0, 4000) for column, _ in FIELDS}}
        for s in sites
    ]
    results["report_rejections"] = [
        {"site_key": s, "reason": f"reason_{r}", "rejections": rng.randint(1, 300)}
        for s in sites
        for r in range(12)
    ]
    results["report_recent_runs"] = [
        {"run_id": 14600 - n, "started_at": datetime(2025, 12, 31, 6, tzinfo=UTC),
         "spider": "site", "site_key": sites[n], "status": "ok", "duration_seconds": 300,
         "pages": "200", "new_articles": 12, "exit_code": None, "close_reason": "finished",
         "closed_by_run": None, "degraded_reasons": None}
        for n in range(40)
    ]  # fmt: skip
    results["report_read_curves"] = [
        {"article_id": a, "site_key": "site-00", "title": f"Dépêche {a}", "value": 1000 * k,
         "observed_at": datetime(2025, 12, 1 + k, tzinfo=UTC), "observed_epoch": 0}
        for a in range(10)
        for k in range(4)
    ]  # fmt: skip
    results["report_wire_clusters"] = [
        {"cluster_id": c, "outlets": 12, "members": 12, "article_id": c * 100 + m,
         "site_key": sites[m], "title": f"Dépêche {c}",
         "published_at": datetime(2025, 12, 1, tzinfo=UTC), "hours_after_first": m * 1.5}
        for c in range(12)
        for m in range(12)
    ]  # fmt: skip
    page = render(results, Period(None, None, None, NOW))
    assert page.count('<figure class="chart"') == 7
    assert len(page.encode("utf-8")) < 2 * 1024 * 1024
