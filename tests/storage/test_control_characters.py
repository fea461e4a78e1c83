"""Control characters from a response (NUL in a Content-Type, an ETag, a title) on both
databases: removed before storage, never taken for an unreachable database."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crawler.storage import models
from crawler.storage.engine import strip_control_characters
from crawler.storage.frontier import FrontierRepository, Poll, RejectionRecord
from crawler.storage.writer import ArchiveWriter
from tests.storage.factories import FETCHED, make_article

NOW = FETCHED + timedelta(minutes=5)
FEED = "https://www.exemple.sn/rss.xml"
A = "https://www.exemple.sn/actualite/a.html"
B = "https://www.exemple.sn/actualite/b.html"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html\x00; charset=utf-8", "text/html; charset=utf-8"),
        ('W/"abc\x00\x01\x1f\x7f"', 'W/"abc"'),
        ("tab\tnewline\ncr\r kept", "tab\tnewline\ncr\r kept"),
        ({"k\x00": ["a\x00", ("b\x07",)]}, {"k": ["a", ("b",)]}),
        (b"bytes\x00stay", b"bytes\x00stay"),  # compressed HTML is binary
        (12, 12),
    ],
)
def test_strip_control_characters(value, expected):
    assert strip_control_characters(value) == expected


def test_nul_bytes_from_a_response_are_stored_without_them(migrated_engine):
    repo = FrontierRepository(migrated_engine)
    repo.ensure_site("exemple", "Exemple", "SN", "Africa/Dakar")
    poll = Poll(FEED, "exemple", "feed", 200, etag='"v1\x00"', last_modified="Mon\x00, 4 Nov")
    repo.discover("exemple", {A: {"feed_title": "Titre\x00 du flux"}, B: {}}, None, poll, now=NOW)
    article = make_article("a", url=A, final_url=A, canonical_url=A, title="Le\x00 titre")
    repo.save_articles(None, [article])
    detail = "Content-Type 'text/html\x00' is not HTML"
    repo.record_rejections(None, [RejectionRecord(B, "exemple", "not_html", detail)], now=NOW)

    state = repo.sources("exemple")[FEED]
    assert (state.etag, state.last_modified) == ('"v1"', "Mon, 4 Nov")
    with migrated_engine.connect() as connection:
        title = connection.execute(select(models.Article.title)).scalar_one()
        rejected = connection.execute(select(models.Rejection.detail)).scalar_one()
        hints = connection.execute(
            select(models.FrontierUrl.hints).where(models.FrontierUrl.url == A)
        ).scalar_one()
    assert title == "Le titre"
    assert rejected == "Content-Type 'text/html' is not HTML"
    assert hints == {"feed_title": "Titre du flux"}


def test_a_row_the_database_refuses_is_rejected_and_the_rest_stored(migrated_url):
    """A data error on one article (here a read count past BIGINT) is that article's
    rejection: the batch's other articles are stored and the archive is not 'unavailable'."""
    writer = ArchiveWriter(migrated_url, batch_size=10, retry_seconds=1)
    site = SimpleNamespace(
        key="exemple", name="Exemple", country="SN", timezone="Africa/Dakar", generic=False
    )
    good = make_article("bon", url=A, final_url=A, canonical_url=A)
    bad = make_article("mauvais", url=B, final_url=B, canonical_url=B, read_count=10**30)

    async def crawl() -> None:
        await writer.open("site", "exemple", [site])
        await writer.add_article(good)
        await writer.add_article(bad)
        await writer.flush()
        await writer.finish("ok", {})

    asyncio.run(crawl())
    assert not writer.failed
    engine = writer._repo().engine
    with engine.connect() as connection:
        stored = connection.execute(select(models.Article.url)).scalars().all()
        rejections = connection.execute(
            select(models.Rejection.url, models.Rejection.reason, models.Rejection.detail)
        ).all()
    engine.dispose()
    assert stored == [A]
    assert [(url, reason) for url, reason, _ in rejections] == [(B, "database_refused")]
    assert rejections[0][2].startswith("the database refused the row")
    with engine.connect() as connection:
        stats = connection.execute(select(models.CrawlRun.stats)).scalar_one()
    engine.dispose()
    stats = stats if isinstance(stats, dict) else json.loads(stats)
    assert stats["depeches/rejected/database_refused"] == 1  # seen by the health check


def test_a_refused_discovery_is_not_an_unreachable_database(migrated_url):
    """PostgreSQL refuses NaN in JSON: that source's links are lost for this run, the crawl
    is not told to stop (exit 3 is for a database that does not answer)."""
    writer = ArchiveWriter(migrated_url, retry_seconds=1)
    site = SimpleNamespace(
        key="exemple", name="Exemple", country="SN", timezone="Africa/Dakar", generic=False
    )

    async def crawl() -> str:
        await writer.open("site", "exemple", [site])
        try:
            await writer.discover("exemple", {A: {"feed_score": float("nan")}})
            outcome = "stored"
        except SQLAlchemyError:
            outcome = "refused"
        await writer.finish("ok", {})
        return outcome

    outcome = asyncio.run(crawl())
    assert outcome == ("refused" if migrated_url.startswith("postgresql") else "stored")
    assert not writer.failed
    writer._repo().engine.dispose()
