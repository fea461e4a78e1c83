"""Every worked query of docs/queries.md runs on both databases with hand-computed results."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text

from crawler.storage.docs import QUERIES_DOC, parse_queries_doc

from .archive import PORT_BODY, PORT_URL, build_archive

QUERIES = {query.name: query for query in parse_queries_doc(QUERIES_DOC.read_text("utf-8"))}
_SQLITE_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def plain(value):
    """One Python value for both databases: numbers as floats, times as 'YYYY-MM-DD HH:MM:SS'."""
    if isinstance(value, Decimal | float):
        return round(float(value), 3)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and _SQLITE_TIME.match(value):
        return value[:19]
    return value


@pytest.fixture
def archive(migrated_engine):
    build_archive(migrated_engine)
    return migrated_engine


def run(engine, name, **params):
    sql = QUERIES[name].for_dialect(engine.dialect.name)
    with engine.connect() as connection:
        return [tuple(plain(v) for v in row) for row in connection.execute(text(sql), params)]


def test_ten_queries_are_documented():
    assert len(QUERIES) == 10
    assert all(query.title and query.description for query in QUERIES.values())
    assert not QUERIES["full_text_search"].portable  # the only one with two variants
    assert all(q.portable for name, q in QUERIES.items() if name != "full_text_search")


def test_worked_queries(archive):
    assert run(archive, "afp_share_by_outlet_month") == [
        ("aps", "2024-11", 2, 0, 0.0),
        ("fraternite", "2024-10", 1, 1, 100.0),
        ("fraternite", "2024-11", 1, 0, 0.0),
        ("niamey", "2024-10", 1, 1, 100.0),
        ("quotidien", "2024-11", 3, 2, 66.7),
        ("seneweb", "2024-10", 1, 0, 0.0),
        ("seneweb", "2024-11", 1, 1, 100.0),
    ]
    assert [row[1:] for row in run(archive, "dispatch_lag")] == [
        (2, 2, "niamey", "fraternite", 12.0),
        (3, 3, "quotidien", "aps", 4.0),
    ]
    assert run(archive, "most_read_per_site") == [
        ("aps", 1, "Le port de Dakar bat un record", 1500),
        ("fraternite", 1, "Cacao : les prix s'envolent", 40),
        ("niamey", 1, "Inondations meurtrières à Niamey", 2000),
        ("quotidien", 1, "Le Sénégal adopte son budget 2025", 900),
        ("quotidien", 2, "Une mission du FMI à Dakar", 300),
        ("seneweb", 1, "Budget 2025 : les députés disent oui", 450),
        ("seneweb", 2, "Lutte : le combat de Thiès reporté", 300),
    ]
    assert run(archive, "tag_trends_weekly") == [
        ("2024-09-30", "inondations", 2),
        ("2024-10-21", "lutte", 1),
        ("2024-10-28", "economie", 1),
        ("2024-11-04", "cacao", 1),
        ("2024-11-04", "economie", 1),
        ("2024-11-11", "economie", 3),
        ("2024-11-11", "budget", 2),
        ("2024-11-11", "agriculture", 1),
        ("2024-11-11", "fmi", 1),
    ]
    assert run(archive, "article_revisions", url=PORT_URL) == [
        (
            "2024-11-03 08:00:00",
            "crawl",
            "body",
            "Le port de Dakar bat un record",
            PORT_BODY,
            "Le port de Dakar bat un record",
        )
    ]
    assert run(archive, "daily_volume_per_site", since="2024-11-01", until="2024-11-30") == [
        ("2024-11-02", "aps", 1, 48),
        ("2024-11-04", "fraternite", 1, 35),
        ("2024-11-14", "quotidien", 1, 30),
        ("2024-11-16", "aps", 1, 140),
        ("2024-11-16", "quotidien", 2, 350),
        ("2024-11-16", "seneweb", 1, 180),
    ]
    assert run(archive, "top_authors") == [
        ("Awa Ndiaye", 3, 2),
        ("Moussa Diop", 2, 2),
        ("Koffi Yao", 1, 1),
    ]
    assert run(archive, "agency_by_country") == [
        ("AFP", "CI", 1),
        ("AFP", "NE", 1),
        ("AFP", "SN", 3),
        ("APS", "SN", 2),
        ("REUTERS", "CI", 1),
    ]
    assert run(archive, "full_text_search", q="thies") == [
        ("seneweb", "Lutte : le combat de Thiès reporté", "2024-10-21 09:00:00")
    ]
    assert [row[:2] for row in run(archive, "full_text_search", q="NIAMEY fleuve")] in (
        [
            ("niamey", "Inondations meurtrières à Niamey"),
            ("fraternite", "Niger : Niamey sous les eaux"),
        ],
        [
            ("fraternite", "Niger : Niamey sous les eaux"),
            ("niamey", "Inondations meurtrières à Niamey"),
        ],
    )  # both copies, best first: the ranking functions differ between the databases
    assert run(archive, "read_count_changes") == [
        ("aps", "Le port de Dakar bat un record", 2, 1200, 1500, 300),
        ("quotidien", "Kaffrine attend le prix de l'arachide", 2, 50, 80, 30),
    ]
