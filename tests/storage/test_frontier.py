"""The frontier tables on SQLite and PostgreSQL: discovery, settling, retries, revisits, polls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crawler.frontier_policy import FrontierPolicy, is_transient
from crawler.storage import models
from crawler.storage.frontier import FrontierRepository, Poll, RejectionRecord
from tests.storage.factories import FETCHED, make_article

NOW = FETCHED + timedelta(minutes=5)
POLICY = FrontierPolicy(
    revisit_schedule=(3600, 86400),
    revisit_recent_days=7,
    max_attempts=2,
    retry_delay=600,
    poll_interval=900,
    poll_min=300,
    poll_max=3600,
)
A = "https://www.exemple.sn/actualite/a.html"
B = "https://www.exemple.sn/actualite/b.html"
C = "https://www.exemple.sn/actualite/c.html"


@pytest.fixture
def repo(migrated_engine) -> FrontierRepository:
    repository = FrontierRepository(migrated_engine, policy=POLICY)
    repository.ensure_site("exemple", "Exemple", "SN", "Africa/Dakar")
    return repository


def row(repo: FrontierRepository, url: str) -> models.FrontierUrl:
    with repo.engine.connect() as connection:
        found = connection.execute(
            select(models.FrontierUrl).where(models.FrontierUrl.url == url)
        ).one()
    return found  # type: ignore[return-value]


def test_discovery_inserts_pending_once_and_returns_what_to_fetch(repo):
    first = repo.discover("exemple", {A: {"feed_date": "2024-11-04"}, B: {}}, None, now=NOW)
    assert first.new == [A, B] and first.to_fetch == [A, B] and first.unsettled == 2
    again = repo.discover("exemple", {A: {}, B: {}, C: {}}, None, now=NOW)
    assert again.new == [C]
    assert again.to_fetch == [A, B, C]  # A and B are still pending
    assert row(repo, A).hints == {"feed_date": "2024-11-04"}
    assert repo.ledger("exemple") == {"pending": 3, "stored": 0, "rejected": 0, "failed": 0}
    assert repo.due_urls("exemple", NOW) == [(A, {"feed_date": "2024-11-04"}), (B, {}), (C, {})]


def test_storing_settles_the_url_and_schedules_decaying_revisits(repo):
    article = make_article("a", url=A, final_url=A, canonical_url=A)
    repo.discover("exemple", {A: {}}, None, now=NOW)
    repo.save_articles(None, [article])
    stored = row(repo, A)
    # published 2024-11-04 14:32, fetched 15:00: recent, first revisit one hour later
    assert (stored.state, stored.visits) == ("stored", 0)
    assert stored.next_visit_at == FETCHED + timedelta(hours=1)
    found = repo.discover("exemple", {A: {}}, None, now=NOW)
    assert found.to_fetch == [] and found.unsettled == 0  # known, not due
    later = FETCHED + timedelta(hours=2)
    assert repo.discover("exemple", {A: {}}, None, now=later).to_fetch == [A]
    assert repo.due_urls("exemple", later) == [(A, {})]
    repo.save_articles(None, [make_article("a", url=A, final_url=A, canonical_url=A,
                                           fetched_at=later)])  # fmt: skip
    revisited = row(repo, A)
    assert revisited.visits == 1 and revisited.next_visit_at == later + timedelta(days=1)
    repo.save_articles(None, [make_article("a", url=A, final_url=A, canonical_url=A,
                                           fetched_at=later + timedelta(days=1))])  # fmt: skip
    assert row(repo, A).next_visit_at is None  # schedule exhausted: never again
    assert repo.ledger("exemple")["stored"] == 1


def test_an_old_article_is_not_revisited(repo):
    old = make_article("b", url=B, final_url=B, canonical_url=B,
                       published=None, fetched_at=FETCHED)  # fmt: skip
    repo.save_articles(None, [old])  # unknown date: counted as recent
    assert row(repo, B).next_visit_at == FETCHED + timedelta(hours=1)
    assert POLICY.next_visit(0, FETCHED, FETCHED - timedelta(days=30)) is None


def test_rejections_reject_or_fail_with_retries_in_one_transaction(repo):
    repo.discover("exemple", {A: {}, B: {}}, None, now=NOW)
    repo.record_rejections(
        None,
        [
            RejectionRecord(A, "exemple", "no_article_text", "3 words"),
            RejectionRecord(B, "exemple", "timeout", "30 s"),
        ],
        now=NOW,
    )
    assert (row(repo, A).state, row(repo, A).reason) == ("rejected", "no_article_text")
    failed = row(repo, B)
    assert (failed.state, failed.attempts) == ("failed", 1)
    assert failed.next_retry_at == NOW + timedelta(seconds=600)
    assert repo.due_urls("exemple", NOW) == []
    assert repo.due_urls("exemple", NOW + timedelta(minutes=11)) == [(B, {})]
    repo.record_rejections(None, [RejectionRecord(B, "exemple", "timeout", "")], now=NOW)
    assert (row(repo, B).state, row(repo, B).attempts) == ("rejected", 2)  # max_attempts
    with repo.engine.connect() as connection:
        assert connection.execute(select(models.Rejection.url)).scalars().all() == [A, B, B]
    assert repo.ledger("exemple") == {"pending": 0, "stored": 0, "rejected": 2, "failed": 0}


def test_a_failed_revisit_keeps_the_article_stored(repo):
    repo.save_articles(None, [make_article("a", url=A, final_url=A, canonical_url=A)])
    repo.record_rejections(None, [RejectionRecord(A, "exemple", "http_status", "404")], now=NOW)
    assert (row(repo, A).state, row(repo, A).visits) == ("stored", 1)


def test_transient_reasons():
    assert is_transient("fetch_failed") and is_transient("http_status", "503")
    assert is_transient("extraction_timeout")  # a loaded machine, or a page to retry boundedly
    assert not is_transient("http_status", "404") and not is_transient("no_article_text")


def test_polls_adapt_the_interval_and_keep_validators(repo):
    feed = "https://www.exemple.sn/rss.xml"
    repo.discover(
        "exemple", {A: {}}, None, Poll(feed, "exemple", "feed", 200, '"v1"', None), now=NOW
    )
    state = repo.sources("exemple")[feed]
    assert state.etag == '"v1"' and state.next_poll_at == NOW + timedelta(seconds=450)
    assert not state.due(NOW) and state.due(NOW + timedelta(seconds=450))
    repo.record_poll(Poll(feed, "exemple", "feed", 304), 0, now=NOW)  # 450 * 1.5 = 675
    assert repo.sources("exemple")[feed].etag == '"v1"'
    for _ in range(5):
        repo.record_poll(Poll(feed, "exemple", "feed", 304), 0, now=NOW)
    with repo.engine.connect() as connection:
        interval = connection.execute(select(models.Source.poll_interval)).scalar_one()
    assert interval == 3600  # bounded by poll_max


def test_index_children_become_sources_due_at_once(repo):
    index = "https://www.exemple.sn/sitemap_index.xml"
    child = "https://www.exemple.sn/sitemap-news.xml"
    repo.discover("exemple", {}, None, Poll(index, "exemple", "sitemap", 200), [child], now=NOW)
    state = repo.sources("exemple")[child]
    assert state.parent_url == index and state.due(NOW)


def test_articles_not_discovered_are_recorded_as_stored(repo):
    """`scrapy crawl urls` has no discovery: its articles still enter the frontier, settled."""
    repo.save_articles(None, [make_article("c", url=C, final_url=C, canonical_url=C)])
    assert row(repo, C).state == "stored" and row(repo, C).site_key == "exemple"
    assert datetime.now(UTC) > row(repo, C).discovered_at
