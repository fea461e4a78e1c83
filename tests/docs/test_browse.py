"""`make browse`: Datasette serves the archive with the docs' descriptions and canned queries."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from crawler.storage.docs import datasette_metadata
from crawler.storage.engine import make_engine
from crawler.storage.report import QUERIES as REPORT_QUERIES
from crawler.storage.schema import upgrade_to_head

from .archive import build_archive

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read().decode("utf-8"))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_metadata_comes_from_the_docs():
    metadata = datasette_metadata("archive")
    tables = metadata["databases"]["archive"]["tables"]
    assert tables["read_counts"]["columns"]["value"] == "Counter value shown on the page, in reads."
    assert tables["articles"]["fts_table"] == "articles_fts"
    queries = metadata["databases"]["archive"]["queries"]
    assert len(queries) == 10 + len(REPORT_QUERIES)
    assert "report_daily_articles" in queries
    assert "articles_fts MATCH :q" in queries["full_text_search"]["sql"]  # the SQLite variant


@pytest.mark.e2e
def test_datasette_serves_canned_queries_and_search(tmp_path):
    path = tmp_path / "archive.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    build_archive(engine)
    engine.dispose()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.storage.browse",
            "--no-open",
            "--port",
            str(port),
            str(path),
        ],
        cwd=ROOT,
        stdout=(tmp_path / "datasette.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/archive"
    try:
        rows = get_json(f"{base}/top_authors.json?_shape=array")
        assert rows == [
            {"name": "Awa Ndiaye", "articles": 3, "outlets": 2},
            {"name": "Moussa Diop", "articles": 2, "outlets": 2},
            {"name": "Koffi Yao", "articles": 1, "outlets": 1},
        ]
        coverage = get_json(
            f"{base}/report_field_coverage.json?_shape=array&since=&until=&sites=niamey,aps"
        )
        assert [(row["site_key"], row["articles"], row["with_authors"]) for row in coverage] == [
            ("aps", 2, 2),
            ("niamey", 1, 0),
        ]
        found = get_json(f"{base}/full_text_search.json?_shape=array&q=thies")
        assert [row["title"] for row in found] == ["Lutte : le combat de Thiès reporté"]
        searched = get_json(f"{base}/articles.json?_shape=array&_search=niamey&_col=title")
        assert sorted(row["title"] for row in searched) == [
            "Inondations meurtrières à Niamey",
            "Niger : Niamey sous les eaux",
        ]
        metadata = get_json(f"http://127.0.0.1:{port}/-/metadata.json")
        columns = metadata["databases"]["archive"]["tables"]["articles"]["columns"]
        assert columns["read_count"].startswith("Latest value of the outlet's read counter")
    except Exception:
        print((tmp_path / "datasette.log").read_text(errors="replace")[-3000:])
        raise
    finally:
        server.terminate()
        server.wait(timeout=10)
