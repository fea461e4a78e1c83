"""`scrapy reextract`: the pipelines rerun on stored raw pages, without any fetch."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.cmdline import execute
from scrapy.settings import Settings
from sqlalchemy import delete, select, text, update

from crawler.commands.reextract import rebuild_article, reextract
from crawler.items import Article
from crawler.process import DEFAULT_MIN_ARTICLE_WORDS
from crawler.sites import load_sites
from crawler.storage import models
from crawler.storage.repository import Repository, compute_content_hash
from settings.base import SITES_DIR

from .factories import make_article

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "site"
BASE = "http://127.0.0.1:8765"
FETCHED = datetime(2024, 11, 6, 8, 0, tzinfo=UTC)
OTAN = "/actualite/2024/10/28/otan-soldats-nord-coreens-russie.html"
COP29 = "/actualite/2024/11/04/cop29-afrique-finance-climat-bakou.html"
OTAN_FIRST = (
    "Le secrétaire général de l'Otan, Mark Rutte, a confirmé lundi que des troupes "
    "nord-coréennes avaient été envoyées en Russie"
)


def demo_site():
    [site] = load_sites(SITES_DIR, "demo")
    return site


def crawled(path: str):
    """The Article today's chain makes of a demo page, with the page kept (as a crawl)."""
    html = (DEMO / path.lstrip("/")).read_text(encoding="utf-8")
    page = SimpleNamespace(
        url=BASE + path,
        final_url=BASE + path,
        fetched_at=FETCHED,
        http_status=200,
        html_gz=gzip.compress(html.encode("utf-8")),
        hints={},
        site_key="demo",
    )
    article = rebuild_article(page, demo_site(), DEFAULT_MIN_ARTICLE_WORDS)
    assert isinstance(article, Article), article
    article.raw_html_gz = page.html_gz
    return article


def stored_archive(engine):
    repository = Repository(engine, pipeline_version="old")
    repository.ensure_site("demo", "Le Fil du Sahel", "SN", "Africa/Dakar")
    otan, cop29 = crawled(OTAN), crawled(COP29)
    [otan_result, cop29_result] = repository.save_articles(None, [otan, cop29])
    # A page too short for today's rules, stored by an older, laxer pipeline.
    short = make_article(
        "court",
        site="demo",
        raw_html_gz=gzip.compress(b"<html><body><p>Trois mots seulement.</p></body></html>"),
    )
    [short_result] = repository.save_articles(None, [short])
    return otan_result.article_id, cop29_result.article_id, short_result.article_id


def test_crawl_keeps_one_raw_page_per_version(migrated_engine):
    otan_id, _, _ = stored_archive(migrated_engine)
    repository = Repository(migrated_engine)
    again = crawled(OTAN)
    again.fetched_at = FETCHED.replace(hour=12)
    assert repository.save_articles(None, [again])[0].status == "unchanged"
    with migrated_engine.connect() as connection:
        pages = connection.execute(
            select(
                models.RawPage.fetched_at,
                models.RawPage.http_status,
                models.RawPage.pipeline_version,
                models.RawPage.html_gz,
                models.RawPage.html_bytes,
            ).where(models.RawPage.article_id == otan_id)
        ).all()
    assert len(pages) == 1  # unchanged text: no second copy
    [(fetched_at, status, version, html_gz, size)] = pages
    html = (DEMO / OTAN.lstrip("/")).read_bytes()
    assert (fetched_at, status, version) == (FETCHED, 200, "old")
    assert gzip.decompress(html_gz) == html and size == len(html)


def test_reextract_restores_fields_and_reports_changes(migrated_engine):
    otan_id, cop29_id, short_id = stored_archive(migrated_engine)
    # What an older pipeline might have stored: a counter line in the body, no tags.
    with migrated_engine.begin() as connection:
        connection.execute(
            update(models.Article)
            .where(models.Article.id == otan_id)
            .values(
                body="Lu: 97\n\n" + OTAN_FIRST + ".",
                word_count=3,
                content_hash=compute_content_hash("x", "Lu: 97"),
            )
        )
        connection.execute(delete(models.ArticleTag).where(models.ArticleTag.article_id == otan_id))
    short_before = _article(migrated_engine, short_id)

    report = reextract(migrated_engine, load_sites(SITES_DIR, "all"), pipeline_version="new")

    assert report.pages == 3
    assert (report.changed, report.unchanged, report.revisions) == (1, 1, 1)
    assert dict(report.rejected) == {"no_article_text": 1}
    assert dict(report.fields) == {"body": 1, "tags": 1, "word_count": 1}
    assert report.lines()[0] == (
        "reextracted 3 stored pages: 1 articles changed, 1 unchanged, "
        "1 rejected now (left as stored), 1 revisions written"
    )

    otan = _article(migrated_engine, otan_id)
    assert otan.body.startswith(OTAN_FIRST) and "Lu: 97" not in otan.body
    assert otan.body.count("\n\n") == 8  # nine paragraphs (demo/expected.json)
    assert otan.read_count == 97 and otan.pipeline_version == "new"
    with migrated_engine.connect() as connection:
        tags = connection.execute(
            text("SELECT tags FROM article_flat WHERE id = :id"), {"id": otan_id}
        ).scalar_one()
        revisions = connection.execute(
            select(models.Revision.reason, models.Revision.changed_fields, models.Revision.body)
        ).all()
    assert tags == "CoréeduNord; Russie"
    assert revisions == [("reextract", "body", "Lu: 97\n\n" + OTAN_FIRST + ".")]
    assert _article(migrated_engine, cop29_id).pipeline_version == "new"  # refreshed, no revision
    assert _article(migrated_engine, short_id) == short_before  # rejected now: left alone

    again = reextract(migrated_engine, load_sites(SITES_DIR, "all"))
    assert (again.changed, again.unchanged, again.revisions) == (0, 2, 0)


def test_reextract_site_and_limit(migrated_engine):
    stored_archive(migrated_engine)
    sites = load_sites(SITES_DIR, "all")
    assert reextract(migrated_engine, sites, limit=1).pages == 1
    assert reextract(migrated_engine, sites, limit=2).pages == 2
    assert reextract(migrated_engine, sites, site="demo").pages == 3
    assert reextract(migrated_engine, sites, site="ailleurs").pages == 0


def test_reextract_command(migrated_engine, migrated_url, monkeypatch, capsys):
    stored_archive(migrated_engine)
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    settings = Settings({"COMMANDS_MODULE": "crawler.commands", "SITES_DIR": SITES_DIR})
    with pytest.raises(SystemExit) as exit_:
        execute(["scrapy", "reextract", "--site", "demo", "--limit", "2"], settings=settings)
    assert exit_.value.code == 0
    assert capsys.readouterr().out == (
        "reextracted 2 stored pages: 0 articles changed, 2 unchanged, "
        "0 rejected now (left as stored), 0 revisions written\n"
    )


def _article(engine, article_id):
    with engine.connect() as connection:
        return connection.execute(
            select(models.Article).where(models.Article.id == article_id)
        ).one()
