"""Export: record fields and formats, CSV safety, filters, and the scrapy commands."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from scrapy.cmdline import execute
from scrapy.settings import Settings
from sqlalchemy import text

from crawler.items import ParsedDate
from crawler.storage.engine import make_engine
from crawler.storage.export import EXPORT_FIELDS, export_articles
from crawler.storage.repository import Repository

from .factories import FETCHED, make_article

ROOT = Path(__file__).resolve().parents[2]


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def stored(migrated_engine):
    """Three articles on two sites: minute, day, and no publication date."""
    repository = Repository(migrated_engine)
    repository.save_articles(
        None,
        [
            make_article("budget-2025"),
            make_article(
                "hivernage",
                site="autre",
                canonical_url="https://autre.ci/hivernage",
                url="https://autre.ci/hivernage",
                final_url="https://autre.ci/hivernage",
                title='=HYPERLINK("https://evil.example","cliquez")',
                published=ParsedDate(
                    datetime(2024, 10, 28, tzinfo=UTC), "day", "28/10/2024", "url"
                ),
                authors=[],
                desks=[],
                tags=[],
                agencies=[],
                read_count=None,
                language_confidence=None,
            ),
            make_article("sans-date", published=None, body="-5 degrés à Dakar.", tags=[]),
        ],
    )
    return migrated_engine


def test_jsonl_record_fields_and_formats(stored, tmp_path):
    out = tmp_path / "articles.jsonl"
    assert export_articles(stored, out, "jsonl") == 3
    records = read_jsonl(out)
    assert [r["canonical_url"] for r in records] == [
        "https://www.exemple.sn/actualite/budget-2025.html",
        "https://autre.ci/hivernage",
        "https://www.exemple.sn/actualite/sans-date.html",
    ]
    first = records[0]
    assert list(first) == list(EXPORT_FIELDS)
    assert first == {
        "id": first["id"],
        "url": "https://www.exemple.sn/actualite/budget-2025.html?utm_source=rss",
        "canonical_url": "https://www.exemple.sn/actualite/budget-2025.html",
        "final_url": "https://www.exemple.sn/actualite/budget-2025.html",
        "site": "exemple",
        "title": "Titre de budget-2025",
        "description": "Le chapeau.",
        "body": "Premier paragraphe de budget-2025.\n\nSecond paragraphe.",
        "published_at": "2024-11-04T14:32:00+00:00",
        "published_precision": "minute",
        "published_offset": None,  # stored without its offset: shown in UTC
        "published_local_day": "2024-11-04",
        "modified_at": None,
        "authors": ["Awa Ndiaye", "Moussa Diop"],
        "desks": ["La rédaction"],
        "tags": ["Économie", "Budget"],
        "tag_slugs": ["economie", "budget"],
        "read_count": 120,
        "agencies": ["AFP", "APS"],
        "language": "fr",
        "language_confidence": 0.99,
        "section": "Économie",
        "word_count": 6,
        "cluster_id": None,
        "first_seen_at": "2024-11-04T15:00:00+00:00",
        "last_seen_at": "2024-11-04T15:00:00+00:00",
    }
    assert "Économie" in out.read_text(encoding="utf-8")  # UTF-8, not \\u escapes
    day = records[1]
    assert (day["published_at"], day["published_precision"]) == ("2024-10-28", "day")
    assert (day["authors"], day["tags"], day["agencies"], day["read_count"]) == ([], [], [], None)
    assert records[2]["published_at"] is None


def test_published_at_keeps_the_publication_offset(migrated_engine, tmp_path):
    # "2020-08-24T20:23:00-04:00" on the page: 00:23 UTC on the 25th, published on the 24th
    evening = ParsedDate(
        datetime(2020, 8, 25, 0, 23, tzinfo=UTC),
        "minute",
        "2020-08-24T20:23:00-04:00",
        "jsonld",
        offset_minutes=-240,
        offset_written=True,
    )
    morning = ParsedDate(  # 09:10 UTC on the 25th written as 05:10 at UTC-04:00
        datetime(2020, 8, 25, 9, 10, tzinfo=UTC), "minute", "x", "meta", offset_minutes=-240
    )
    Repository(migrated_engine).save_articles(
        None,
        [
            make_article("soir", published=evening),
            make_article("matin", published=morning, body="Autre texte, autre empreinte."),
        ],
    )
    out = tmp_path / "articles.jsonl"
    assert export_articles(migrated_engine, out, "jsonl") == 2
    soir, matin = read_jsonl(out)
    assert soir["published_at"] == "2020-08-24T20:23:00-04:00"
    assert (soir["published_offset"], soir["published_local_day"]) == (-240, "2020-08-24")
    assert matin["published_at"] == "2020-08-25T05:10:00-04:00"
    assert matin["published_local_day"] == "2020-08-25"
    # the SQL of docs/schema.md: articles per local day, the same on both databases
    with migrated_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT published_local_day, count(*) FROM articles"
                " GROUP BY published_local_day ORDER BY published_local_day"
            )
        ).all()
    assert [(str(day), n) for day, n in rows] == [("2020-08-24", 1), ("2020-08-25", 1)]


def test_csv_is_spreadsheet_safe(stored, tmp_path):
    out = tmp_path / "articles.csv"
    assert export_articles(stored, out, "csv") == 3
    with out.open(encoding="utf-8", newline="") as stream:
        table = list(csv.reader(stream))
    assert table[0] == list(EXPORT_FIELDS)
    records = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert records[0]["authors"] == "Awa Ndiaye; Moussa Diop"
    assert records[0]["tags"] == "Économie; Budget"
    assert records[0]["body"] == "Premier paragraphe de budget-2025.\n\nSecond paragraphe."
    assert records[1]["title"] == '\'=HYPERLINK("https://evil.example","cliquez")'
    assert records[1]["read_count"] == ""
    assert records[2]["body"] == "'-5 degrés à Dakar."
    assert records[0]["read_count"] == "120"


def test_site_and_since_filters(stored, tmp_path):
    out = tmp_path / "filtered.jsonl"
    assert export_articles(stored, out, "jsonl", site="exemple") == 2
    assert {r["site"] for r in read_jsonl(out)} == {"exemple"}
    # 2024-11-04 14:32 is kept, 2024-10-28 is before, the undated article is left out.
    assert export_articles(stored, out, "jsonl", since=date(2024, 11, 4)) == 1
    assert [r["title"] for r in read_jsonl(out)] == ["Titre de budget-2025"]
    assert export_articles(stored, out, "jsonl", since=date(2024, 11, 5)) == 0
    assert out.read_text(encoding="utf-8") == ""
    assert export_articles(stored, out, "jsonl", site="autre", since=date(2024, 10, 28)) == 1


def test_unknown_format_is_refused(stored, tmp_path):
    with pytest.raises(ValueError, match="jsonl, csv, parquet"):
        export_articles(stored, tmp_path / "x.xlsx", "xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_until_language_and_agency_filters(stored, tmp_path):
    out = tmp_path / "filtered.jsonl"
    # until is inclusive of its day; undated articles are left out.
    assert export_articles(stored, out, "jsonl", until=date(2024, 10, 28)) == 1
    assert [r["site"] for r in read_jsonl(out)] == ["autre"]
    assert export_articles(stored, out, "jsonl", until=date(2024, 11, 4)) == 2
    assert (
        export_articles(stored, out, "jsonl", since=date(2024, 10, 29), until=date(2024, 11, 4))
        == 1
    )
    assert export_articles(stored, out, "jsonl", language="fr") == 3
    assert export_articles(stored, out, "jsonl", language="en") == 0
    # budget-2025 and sans-date credit APS and AFP (once each, though both credit twice).
    assert export_articles(stored, out, "jsonl", agency="afp") == 2
    assert [r["agencies"] for r in read_jsonl(out)] == [["AFP", "APS"], ["AFP", "APS"]]
    assert export_articles(stored, out, "jsonl", agency="REUTERS") == 0
    assert (
        export_articles(stored, out, "jsonl", agency="APS", site="exemple", since=date(2024, 11, 4))
        == 1
    )


def test_parquet_has_typed_columns_and_the_same_records(stored, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "articles.parquet"
    assert export_articles(stored, out, "parquet") == 3
    table = pq.read_table(out)
    assert table.column_names == list(EXPORT_FIELDS)
    assert str(table.schema.field("published_at").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("tags").type) == "list<element: string>"
    rows = table.to_pylist()
    assert rows[0]["published_at"] == datetime(2024, 11, 4, 14, 32, tzinfo=UTC)
    assert rows[0]["tags"] == ["Économie", "Budget"]
    assert rows[0]["agencies"] == ["AFP", "APS"]
    assert rows[0]["read_count"] == 120
    assert rows[1]["title"] == '=HYPERLINK("https://evil.example","cliquez")'  # data, not a sheet
    assert (rows[1]["published_precision"], rows[1]["read_count"]) == ("day", None)
    assert rows[2]["published_at"] is None
    jsonl = tmp_path / "articles.jsonl"
    export_articles(stored, jsonl, "jsonl")
    for parquet_row, json_row in zip(rows, read_jsonl(jsonl), strict=True):
        for name in EXPORT_FIELDS:
            if name not in ("published_at", "modified_at", "first_seen_at", "last_seen_at"):
                assert parquet_row[name] == json_row[name], name


def test_parquet_of_nothing_is_an_empty_table(stored, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from crawler.storage import export

    out = tmp_path / "none.parquet"
    assert export_articles(stored, out, "parquet", site="nowhere") == 0
    assert pq.read_table(out).num_rows == 0
    # Row groups of PARQUET_ROW_GROUP rows: several groups, the records in order.
    monkeypatch.setattr(export, "PARQUET_ROW_GROUP", 2)
    assert export_articles(stored, out, "parquet") == 3
    assert pq.ParquetFile(out).metadata.num_row_groups == 2
    assert pq.read_table(out).column("id").to_pylist() == sorted(
        pq.read_table(out).column("id").to_pylist()
    )
    with pytest.raises(ValueError, match="standard output"):
        export_articles(stored, "-", "parquet")


# -- the scrapy commands, as real subprocesses -----------------------------------------------


def scrapy(tmp_path, *args, database_url):
    """Run `scrapy` with a minimal settings module, as the project's will provide."""
    (tmp_path / "storage_test_settings.py").write_text(
        'COMMANDS_MODULE = "crawler.commands"\n', encoding="utf-8"
    )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SCRAPY_SETTINGS_MODULE="storage_test_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
    )
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_migrate_then_export_commands(tmp_path, sqlite_url):
    migrated = scrapy(tmp_path, "migrate", database_url=sqlite_url)
    assert migrated.returncode == 0, migrated.stderr
    assert "schema at revision" in migrated.stdout and "(head)" in migrated.stdout

    engine = make_engine(sqlite_url)
    Repository(engine).save_articles(None, [make_article(fetched_at=FETCHED)])
    engine.dispose()
    out = tmp_path / "out" / "export.csv"
    exported = scrapy(tmp_path, "export", "-o", str(out), "--site", "exemple",
                      database_url=sqlite_url)  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert out.read_text(encoding="utf-8").startswith("id,url,canonical_url,")  # csv by suffix


def run_in_process(monkeypatch, capsys, *args, database_url):
    """Run a command through scrapy's own entry point without a new interpreter (faster)."""
    monkeypatch.chdir(ROOT)  # scrapy.cfg: inside the project
    monkeypatch.setenv("DATABASE_URL", database_url)
    settings = Settings({"COMMANDS_MODULE": "crawler.commands"})
    with pytest.raises(SystemExit) as exit_:
        execute(["scrapy", *args], settings=settings)
    return exit_.value.code, capsys.readouterr().err


def test_export_command_parquet_and_filters(tmp_path, migrated_url, monkeypatch, capsys):
    import pyarrow.parquet as pq

    engine = make_engine(migrated_url)
    Repository(engine).save_articles(
        None, [make_article("a"), make_article("b", agencies=[], language="en")]
    )
    engine.dispose()
    out = tmp_path / "afp.parquet"  # parquet by suffix
    code, stderr = run_in_process(monkeypatch, capsys, "export", "-o", str(out), "--agency",
                                  "afp", "--until", "2024-11-04", "--language", "fr",
                                  database_url=migrated_url)  # fmt: skip
    assert code == 0, stderr
    assert "exported 1 articles" in stderr
    assert pq.read_table(out).column("canonical_url").to_pylist() == [
        "https://www.exemple.sn/actualite/a.html"
    ]
    code, stderr = run_in_process(monkeypatch, capsys, "export", "-o", str(out), "--until",
                                  "demain", database_url=migrated_url)  # fmt: skip
    assert code == 2 and "--until expects a date YYYY-MM-DD" in stderr


def test_export_refuses_a_database_without_schema(tmp_path, sqlite_url, monkeypatch, capsys):
    out = tmp_path / "x.jsonl"
    code, stderr = run_in_process(monkeypatch, capsys, "export", "-o", str(out),
                                  database_url=sqlite_url)  # fmt: skip
    assert code == 1
    assert "has no depeches schema" in stderr and "scrapy migrate" in stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["migrate", "export"])
def test_commands_exit_1_when_the_database_is_unreachable(tmp_path, monkeypatch, capsys, command):
    args = [command] if command == "migrate" else [command, "-o", str(tmp_path / "x.jsonl")]
    url = "postgresql://postgres@127.0.0.1:1/nowhere"
    code, stderr = run_in_process(monkeypatch, capsys, *args, database_url=url)
    assert code == 1, stderr
    assert f"scrapy {command}: {url}: connection failed" in stderr
    assert "Traceback" not in stderr
