"""The SQL of `scrapy report` (crawler/storage/report.py) on SQLite and PostgreSQL.

The archive is the hand-written one of docs/queries.md (tests/docs/archive.py), plus two crawl
runs and three rejections written here; expected rows are read off those fixtures.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from crawler.storage.report import BY_NAME, report_parameters, run_report_queries
from crawler.storage.repository import Repository
from tests.docs.archive import build_archive


@pytest.fixture
def archive(migrated_engine):
    build_archive(migrated_engine)
    repository = Repository(migrated_engine, pipeline_version="fixture")
    ok = repository.start_run("site", "aps")
    repository.record_rejection(ok, "https://aps.example/a.html", "aps", "http_404", "404")
    repository.finish_run(
        ok,
        "ok",
        {"close_reason": "finished", "downloader/response_count": 12, "depeches/articles/new": 2},
    )
    bad = repository.start_run("site", "seneweb")
    repository.record_rejection(bad, "https://seneweb.example/a.html", "seneweb", "http_404", "")
    repository.record_rejection(bad, "https://seneweb.example/b.html", "seneweb", "empty_body", "")
    repository.finish_run(
        bad,
        "degraded",
        {"close_reason": "finished", "depeches/degraded_reasons": ["saw 2 articles, median 9"]},
    )
    return migrated_engine


def rows(engine, name, since=None, until=None, sites=None):
    sql = BY_NAME[name].sql(engine.dialect.name)
    with engine.connect() as connection:
        result = connection.execute(text(sql), report_parameters(since, until, sites))
        return [dict(row._mapping) for row in result]


def test_articles_per_day(archive):
    assert [tuple(r.values()) for r in rows(archive, "report_daily_articles")] == [
        ("2024-10-05", "fraternite", 1),
        ("2024-10-05", "niamey", 1),
        ("2024-10-21", "seneweb", 1),
        ("2024-11-02", "aps", 1),
        ("2024-11-04", "fraternite", 1),
        ("2024-11-14", "quotidien", 1),
        ("2024-11-16", "aps", 1),
        ("2024-11-16", "quotidien", 2),
        ("2024-11-16", "seneweb", 1),
    ]
    november = (date(2024, 11, 1), date(2024, 11, 15))
    filtered = rows(archive, "report_daily_articles", *november, ["aps", "quotidien"])
    assert [tuple(r.values()) for r in filtered] == [
        ("2024-11-02", "aps", 1),
        ("2024-11-14", "quotidien", 1),
    ]


def test_agency_share_counts_none(archive):
    assert [tuple(r.values()) for r in rows(archive, "report_agency_share")] == [
        ("2024-10-05", "AFP", 2),
        ("2024-10-21", "NONE", 1),
        ("2024-11-02", "APS", 1),
        ("2024-11-04", "REUTERS", 1),
        ("2024-11-14", "NONE", 1),
        ("2024-11-16", "AFP", 3),
        ("2024-11-16", "APS", 1),
    ]


def test_field_coverage(archive):
    # site, articles, date, authors, tags, section, agencies, read count, language
    assert [tuple(r.values()) for r in rows(archive, "report_field_coverage")] == [
        ("aps", 2, 2, 2, 2, 0, 2, 1, 2),
        ("fraternite", 2, 2, 1, 2, 0, 2, 1, 2),
        ("niamey", 1, 1, 0, 1, 0, 1, 1, 1),
        ("quotidien", 3, 3, 1, 3, 0, 2, 3, 3),
        ("seneweb", 2, 2, 1, 2, 0, 1, 2, 2),
    ]


def test_rejections_and_runs(archive):
    today = datetime.now(UTC).date()
    assert [tuple(r.values()) for r in rows(archive, "report_rejections")] == [
        ("aps", "http_404", 1),
        ("seneweb", "empty_body", 1),
        ("seneweb", "http_404", 1),
    ]
    assert rows(archive, "report_rejections", until=date(2024, 12, 31)) == []
    runs = rows(archive, "report_recent_runs")
    assert [(r["site_key"], r["status"]) for r in runs] == [("seneweb", "degraded"), ("aps", "ok")]
    assert int(runs[1]["pages"]) == 12
    assert int(runs[1]["new_articles"]) == 2
    assert runs[1]["close_reason"] == "finished"
    assert json.loads(runs[0]["degraded_reasons"]) == ["saw 2 articles, median 9"]
    assert runs[0]["duration_seconds"] >= 0
    assert [tuple(r.values()) for r in rows(archive, "report_troubled_runs")] == [
        (today.isoformat(), "seneweb", "degraded", 1)
    ]
    assert rows(archive, "report_troubled_runs", sites=["aps"]) == []


def test_read_curves_of_the_most_read(archive):
    curves = [
        (r["site_key"], r["title"][:12], r["value"]) for r in rows(archive, "report_read_curves")
    ]
    assert curves == [
        ("niamey", "Inondations ", 2000),
        ("aps", "Le port de D", 1200),
        ("aps", "Le port de D", 1500),
        ("quotidien", "Le Sénégal a", 900),
        ("seneweb", "Budget 2025 ", 450),
        ("quotidien", "Une mission ", 300),
        ("seneweb", "Lutte : le c", 300),
        ("seneweb", "Lutte : le c", 300),
        ("quotidien", "Kaffrine att", 50),
        ("quotidien", "Kaffrine att", 80),
        ("fraternite", "Cacao : les ", 40),
    ]


def test_wire_clusters_with_hours_after_first(archive):
    def members(**filters):
        return [
            (r["outlets"], r["members"], r["site_key"], round(float(r["hours_after_first"]), 2))
            for r in rows(archive, "report_wire_clusters", **filters)
        ]

    budget = [
        (3, 3, "quotidien", 0.0),
        (3, 3, "seneweb", 1.5),
        (3, 3, "aps", 4.0),
    ]
    floods = [(2, 2, "niamey", 0.0), (2, 2, "fraternite", 12.0)]
    assert members() == budget + floods
    assert members(sites=["niamey"]) == floods  # a cluster shows every outlet that ran it
    assert members(since=date(2024, 11, 1)) == budget
    # one outlet running a dispatch at two URLs is not a cluster *across outlets*
    with archive.begin() as connection:
        cluster = connection.execute(
            text("INSERT INTO clusters (created_at) VALUES (:t) RETURNING id"),
            {"t": datetime(2024, 11, 16, tzinfo=UTC)},
        ).scalar_one()
        connection.execute(
            text("UPDATE articles SET cluster_id = :c WHERE canonical_url IN (:a, :b)"),
            {"c": cluster, "a": "https://quotidien.example/fmi.html",
             "b": "https://quotidien.example/arachide.html"},
        )  # fmt: skip
    assert members() == budget + floods


def test_every_query_runs_on_an_empty_archive(migrated_engine):
    results = run_report_queries(migrated_engine, None, None, None)
    assert set(results) == set(BY_NAME)
    assert all(found == [] for found in results.values())
