"""A page over its extraction budget loses its worker; the pages queued behind it do not suffer.

One extraction worker, two hostile pages first (several megabytes of paragraphs: seconds of
honest, linear work each, far over the 4 s budget given here), then four normal dispatches that
reach the worker only after them. Before issue 13 the budget started when a page was queued
and a timed-out job kept its worker busy: the four normal pages were rejected as
`extraction_timeout` too, and the close waited for the busy worker.
"""

from __future__ import annotations

import html
import json
import time

import pytest
from sqlalchemy import select

from crawler.storage.engine import make_engine
from crawler.storage.models import Article, CrawlRun, Rejection
from tests.e2e.conftest import FAST, ROOT, scrapy
from tests.fixture_server import FixtureServer, Route

WIRE = ROOT / "tests" / "fixtures" / "wire"
NORMAL = ["election_benin", "greve_port_abidjan", "inflation_uemoa", "inondations_niamey"]
PARAGRAPH = (
    "<p>Le ministre a annoncé mardi à Dakar un nouveau programme de soutien aux producteurs "
    "d'arachide, qui doit couvrir trois campagnes agricoles et plusieurs régions du pays.</p>\n"
)
BUDGET = 4


def article_page(title: str, paragraphs: list[str]) -> bytes:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)} - Le Fil du Sahel</title>"
        "<meta property='article:published_time' content='2024-11-05T10:12:00+00:00'>"
        f"</head><body><article><h1>{html.escape(title)}</h1>{body}</article></body></html>"
    ).encode()


def normal_page(dispatch: str) -> bytes:
    title, *paragraphs = [
        line.strip()
        for line in (WIRE / dispatch / "original.txt").read_text(encoding="utf-8").split("\n\n")
        if line.strip()
    ]
    return article_page(title, paragraphs)


def hostile_page(n: int) -> bytes:
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Dossier</title>"
        f"</head><body><article><h1>Dossier {n}</h1>{PARAGRAPH * 30000}</article></body></html>"
    ).encode()


def routes() -> dict[str, Route]:
    found = {f"/hostile-{n}.html": Route(body=hostile_page(n)) for n in (1, 2)}
    # the normal pages arrive after the hostile ones: they queue behind them for the worker
    for dispatch in NORMAL:
        found[f"/normal/{dispatch}.html"] = Route(body=normal_page(dispatch), delay=1.5)
    return found


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_hostile_pages_do_not_take_the_normal_ones_down(db, tmp_path, request):
    db_url = (
        f"sqlite:///{tmp_path / 'timeout.sqlite3'}"
        if db == "sqlite"
        else request.getfixturevalue("empty_pg_url")
    )
    with FixtureServer(tmp_path, routes=routes()) as server:
        urls = [f"{server.base_url}{path}" for path in routes()]
        (tmp_path / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
        started = time.monotonic()
        run = scrapy(
            "crawl", "urls", "-a", f"file={tmp_path / 'urls.txt'}", *FAST,
            "-s", "EXTRACTION_WORKERS=1", "-s", f"EXTRACTION_TIMEOUT={BUDGET}",
            "-s", "DOWNLOAD_WARNSIZE=16000000",
            database_url=db_url, timeout=180,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-3000:]
    assert elapsed < 90, "the close waited for busy workers"
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            stored = set(connection.scalars(select(Article.url)))
            rejected = {
                r.url: (r.reason, r.detail)
                for r in connection.execute(
                    select(Rejection.url, Rejection.reason, Rejection.detail)
                )
            }
            stats = connection.scalar(select(CrawlRun.stats))
    finally:
        engine.dispose()
    normal = {u for u in urls if "/normal/" in u}
    hostile = {u for u in urls if "/hostile-" in u}
    assert stored == normal, rejected
    assert set(rejected) == hostile
    assert {reason for reason, _ in rejected.values()} == {"extraction_timeout"}
    stats = stats if isinstance(stats, dict) else json.loads(stats)
    assert stats["depeches/extraction/timeouts"] == 2
    assert stats["depeches/rejected/extraction_timeout"] == 2
