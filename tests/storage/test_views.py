"""Research views: the same rows, with the same meaning, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import text

from crawler.items import AgencyMention, ParsedDate, Tag
from crawler.storage.repository import Repository

from .factories import FETCHED, make_article


def query(engine, sql):
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_article_flat_one_row_per_article(migrated_engine):
    repository = Repository(migrated_engine, pipeline_version="p1")
    repository.ensure_site("exemple", "Le Fil du Sahel", "SN", "Africa/Dakar")
    [full] = repository.save_articles(None, [make_article()])
    repository.save_articles(
        None, [make_article(read_count=150, fetched_at=FETCHED.replace(hour=18))]
    )
    [bare] = repository.save_articles(
        None,
        [
            make_article(
                "sans-rien",
                published=None,
                authors=[],
                desks=[],
                tags=[],
                agencies=[],
                read_count=None,
            )
        ],
    )
    rows = query(
        migrated_engine,
        """SELECT id, site_key, site_name, site_country, published_day, published_week,
                  published_month, published_epoch, published_precision, authors, desks, tags,
                  tag_slugs, agencies, read_count, read_count_observations, revision_count,
                  cluster_id, pipeline_version
           FROM article_flat ORDER BY id""",
    )
    assert rows == [
        (
            full.article_id, "exemple", "Le Fil du Sahel", "SN",
            "2024-11-04", "2024-11-04", "2024-11", 1730730720, "minute",
            "Awa Ndiaye; Moussa Diop", "La rédaction", "Économie; Budget", "economie; budget",
            "AFP; APS", 150, 2, 0, None, "p1",
        ),
        (
            bare.article_id, "exemple", "Le Fil du Sahel", "SN",
            None, None, None, None, None,
            None, None, None, None, None, None, 0, 0, None, "p1",
        ),
    ]  # fmt: skip


def test_week_starts_on_monday_and_days_are_utc(migrated_engine):
    repository = Repository(migrated_engine)
    # 00:30 on Monday 11 Nov at UTC+2 is still Sunday 10 Nov in UTC: days and weeks are UTC.
    sunday = datetime(2024, 11, 11, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    monday = datetime(2024, 11, 11, 0, 30, tzinfo=UTC)
    repository.save_articles(
        None,
        [
            make_article("dimanche", published=ParsedDate(sunday, "minute", "x", "meta")),
            make_article("lundi", published=ParsedDate(monday, "minute", "x", "meta")),
        ],
    )
    assert query(
        migrated_engine,
        "SELECT published_day, published_week FROM article_flat ORDER BY published_at",
    ) == [("2024-11-10", "2024-11-04"), ("2024-11-11", "2024-11-11")]


def test_daily_counts_per_site_and_agency(migrated_engine):
    repository = Repository(migrated_engine)
    day1 = ParsedDate(datetime(2024, 11, 4, 9, 0, tzinfo=UTC), "minute", "x", "meta")
    day2 = ParsedDate(datetime(2024, 11, 5, 0, 0, tzinfo=UTC), "day", "5 novembre 2024", "meta")
    afp = [AgencyMention("AFP", "trailer", "(AFP)"), AgencyMention("AFP", "dateline", "(AFP)")]
    repository.save_articles(
        None,
        [
            make_article("a1", published=day1, agencies=afp, word_count=10),
            make_article("a2", published=day1, agencies=[], word_count=20),
            make_article("a3", published=day2, word_count=5),
            make_article("b1", site="autre", published=day1, word_count=7, tags=[Tag("X", "x")]),
            make_article("b2", site="autre", published=None),
        ],
    )
    assert query(
        migrated_engine,
        "SELECT day, site_key, articles, words FROM daily_site_counts ORDER BY 1, 2",
    ) == [
        ("2024-11-04", "autre", 1, 7),
        ("2024-11-04", "exemple", 2, 30),
        ("2024-11-05", "exemple", 1, 5),
    ]
    # make_article credits APS and AFP by default; a1 credits AFP twice (counted once).
    assert query(
        migrated_engine, "SELECT day, agency, articles FROM daily_agency_counts ORDER BY 1, 2"
    ) == [
        ("2024-11-04", "AFP", 2),
        ("2024-11-04", "APS", 1),
        ("2024-11-05", "AFP", 1),
        ("2024-11-05", "APS", 1),
    ]


def test_local_day_of_publication(migrated_engine):
    # 20:23 at UTC-4 on 24 Aug is 00:23 UTC on the 25th: its local day is the 24th
    evening = ParsedDate(
        datetime(2020, 8, 25, 0, 23, tzinfo=UTC),
        "minute",
        "2020-08-24T20:23:00-04:00",
        "jsonld",
        offset_minutes=-240,
        offset_written=True,
    )
    noon = ParsedDate(datetime(2020, 8, 25, 12, 0, tzinfo=UTC), "minute", "x", "meta", 120)
    Repository(migrated_engine).save_articles(
        None,
        [
            make_article("soir", published=evening, agencies=[], word_count=3),
            make_article("midi", published=noon, agencies=[], word_count=4),
        ],
    )
    assert query(
        migrated_engine,
        "SELECT published_day, published_local_day, published_offset FROM article_flat"
        " ORDER BY published_at",
    ) == [("2020-08-25", "2020-08-24", -240), ("2020-08-25", "2020-08-25", 120)]
    assert query(
        migrated_engine, "SELECT day, site_key, articles, words FROM daily_site_counts ORDER BY 1"
    ) == [("2020-08-24", "exemple", 1, 3), ("2020-08-25", "exemple", 1, 4)]
