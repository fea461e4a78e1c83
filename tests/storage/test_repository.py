"""Repository: identity by canonical URL, aliases, content dedup, history, concurrent writers."""

from __future__ import annotations

import hashlib
import random
import socket
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from crawler.items import AgencyMention, ParsedDate, Tag
from crawler.storage import models
from crawler.storage.engine import make_engine
from crawler.storage.repository import Repository, SaveResult, compute_content_hash

from .factories import FETCHED, make_article

LATER = FETCHED + timedelta(hours=6)


def rows(engine, statement):
    with engine.connect() as connection:
        return connection.execute(statement).all()


def objects(engine, model):
    with Session(engine) as session:
        return list(session.scalars(select(model).order_by(*model.__table__.primary_key)))


def count(engine, model):
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_new_article_with_everything_around_it(migrated_engine):
    repository = Repository(migrated_engine, pipeline_version="0.1.0")
    run_id = repository.start_run("site", "exemple")
    article = make_article(
        date_rejections=[("32/13/2024", "impossible date"), ("hier", "relative")]
    )
    [result] = repository.save_articles(run_id, [article])

    canonical = "https://www.exemple.sn/actualite/budget-2025.html"
    assert result == SaveResult(result.article_id, "new", canonical)
    [stored] = objects(migrated_engine, models.Article)
    assert stored.canonical_url == canonical
    assert stored.url == canonical + "?utm_source=rss"
    assert stored.published_at == datetime(2024, 11, 4, 14, 32, tzinfo=UTC)
    assert stored.published_precision == "minute"
    assert stored.published_raw == "04/11/2024 à 14h32"
    assert stored.first_seen_at == stored.last_seen_at == FETCHED
    assert stored.read_count == 120
    assert stored.pipeline_version == "0.1.0"
    assert stored.first_crawl_run_id == stored.last_crawl_run_id == run_id
    assert stored.date_rejection == "32/13/2024: impossible date\nhier: relative"
    site_key, site_name = rows(migrated_engine, select(models.Site.key, models.Site.name))[0]
    assert (site_key, site_name) == ("exemple", "exemple")  # minimal row for an unknown key
    assert sorted(u for (u,) in rows(migrated_engine, select(models.ArticleUrl.url))) == [
        canonical,
        canonical + "?utm_source=rss",
    ]
    assert rows(
        migrated_engine,
        select(
            models.ArticleAuthor.position, models.ArticleAuthor.name, models.ArticleAuthor.kind
        ).order_by(models.ArticleAuthor.position),
    ) == [(0, "Awa Ndiaye", "person"), (1, "Moussa Diop", "person"), (2, "La rédaction", "desk")]
    assert rows(
        migrated_engine,
        select(models.Tag.slug, models.ArticleTag.label, models.ArticleTag.position)
        .join(models.ArticleTag)
        .order_by(models.ArticleTag.position),
    ) == [("economie", "Économie", 0), ("budget", "Budget", 1)]
    assert sorted(
        rows(migrated_engine, select(models.ArticleAgency.code, models.ArticleAgency.where_found))
    ) == [("AFP", "dateline"), ("APS", "trailer")]
    assert rows(migrated_engine, select(models.ReadCount.observed_at, models.ReadCount.value)) == [
        (FETCHED, 120)
    ]


def test_missing_content_hash_is_computed():
    expected = hashlib.sha256(b"le titre un corps").hexdigest()
    assert compute_content_hash("  Le Titre ", "Un\n\ncorps.") == expected


def test_recrawl_unchanged_keeps_history_of_read_counts(migrated_engine):
    repository = Repository(migrated_engine)
    [first] = repository.save_articles(None, [make_article(read_count=120)])
    [second] = repository.save_articles(
        None,
        [
            make_article(
                read_count=348,
                fetched_at=LATER,
                body="Premier  paragraphe de budget-2025.\n\nSecond paragraphe.",
            )
        ],
    )
    [third] = repository.save_articles(None, [make_article(read_count=None, fetched_at=LATER)])

    assert (second.status, third.status) == ("unchanged", "unchanged")
    assert second.article_id == third.article_id == first.article_id
    assert rows(
        migrated_engine,
        select(models.ReadCount.observed_at, models.ReadCount.value).order_by("observed_at"),
    ) == [(FETCHED, 120), (LATER, 348)]
    assert rows(
        migrated_engine, select(models.Article.read_count, models.Article.last_seen_at)
    ) == [(348, LATER)]
    assert count(migrated_engine, models.Revision) == 0


def test_changed_body_writes_a_revision_and_replaces_tags(migrated_engine):
    repository = Repository(migrated_engine)
    original = make_article()
    repository.save_articles(None, [original])
    edited = make_article(
        fetched_at=LATER,
        body="Premier paragraphe corrigé.\n\nSecond paragraphe.",
        tags=[Tag("Dette", "dette")],
        authors=["Awa Ndiaye"],
        desks=[],
        agencies=[AgencyMention("AFP", "trailer", "(AFP)")],
        published=None,
    )
    [result] = repository.save_articles(None, [edited])

    assert result.status == "updated"
    [revision] = objects(migrated_engine, models.Revision)
    assert revision.changed_fields == "body"
    assert revision.body == original.body  # the version that was replaced
    assert revision.title == original.title
    assert revision.observed_at == LATER
    assert revision.content_hash == compute_content_hash(original.title, original.body)
    [article] = objects(migrated_engine, models.Article)
    assert article.body == "Premier paragraphe corrigé.\n\nSecond paragraphe."
    assert article.published_at == datetime(2024, 11, 4, 14, 32, tzinfo=UTC)  # kept
    assert [
        s for (s,) in rows(migrated_engine, select(models.Tag.slug).join(models.ArticleTag))
    ] == ["dette"]
    assert rows(migrated_engine, select(models.ArticleAuthor.name)) == [("Awa Ndiaye",)]
    assert rows(migrated_engine, select(models.ArticleAgency.code, models.ArticleAgency.raw)) == [
        ("AFP", "(AFP)")
    ]


def test_tracking_variant_already_known_leads_to_the_same_article(migrated_engine):
    repository = Repository(migrated_engine)
    [first] = repository.save_articles(None, [make_article()])
    # The page now declares another canonical URL, but was reached through a known alias.
    moved = make_article(
        url="https://www.exemple.sn/actualite/budget-2025.html?utm_source=rss",
        final_url="https://www.exemple.sn/actualite/budget-2025.html?utm_source=rss",
        canonical_url="https://www.exemple.sn/amp/budget-2025",
    )
    [second] = repository.save_articles(None, [moved])

    assert second.article_id == first.article_id
    assert count(migrated_engine, models.Article) == 1
    assert ("https://www.exemple.sn/amp/budget-2025", first.article_id) in rows(
        migrated_engine, select(models.ArticleUrl.url, models.ArticleUrl.article_id)
    )


def test_same_content_hash_on_the_same_site_is_the_same_article(migrated_engine):
    repository = Repository(migrated_engine)
    article = make_article()
    print_view = replace(
        article,
        url="https://www.exemple.sn/imprimer/42",
        final_url="https://www.exemple.sn/imprimer/42",
        canonical_url="https://www.exemple.sn/imprimer/42",
    )
    other_site = replace(
        print_view,
        site="autre",
        canonical_url="https://autre.ci/a/42",
        url="https://autre.ci/a/42",
        final_url="https://autre.ci/a/42",
    )
    [first, second, third] = repository.save_articles(None, [article, print_view, other_site])

    assert second.article_id == first.article_id
    assert second.status == "unchanged"
    assert third.status == "new" and third.article_id != first.article_id
    assert count(migrated_engine, models.Article) == 2
    assert ("https://www.exemple.sn/imprimer/42", first.article_id) in rows(
        migrated_engine, select(models.ArticleUrl.url, models.ArticleUrl.article_id)
    )


def test_empty_bodies_are_not_merged_by_content(migrated_engine):
    repository = Repository(migrated_engine)
    results = repository.save_articles(
        None, [make_article("a", title=None, body=""), make_article("b", title=None, body="")]
    )
    assert [r.status for r in results] == ["new", "new"]
    assert results[0].article_id != results[1].article_id


def test_sites_runs_and_rejections(migrated_engine):
    repository = Repository(migrated_engine)
    site_id = repository.ensure_site("exemple", "Exemple", "SN", "Africa/Dakar")
    assert repository.ensure_site("exemple", "Exemple Info", "SN", "Africa/Dakar") == site_id
    assert rows(migrated_engine, select(models.Site.name)) == [("Exemple Info",)]
    run_id = repository.start_run("site", "exemple")
    repository.record_rejection(run_id, "https://www.exemple.sn/x", "exemple", "http_404", "404")
    repository.finish_run(
        run_id, "ok", {"item_scraped_count": 3, "start_time": datetime(2024, 1, 2, tzinfo=UTC)}
    )
    [run] = objects(migrated_engine, models.CrawlRun)
    assert (run.spider, run.site_key, run.status) == ("site", "exemple", "ok")
    assert run.stats == {"item_scraped_count": 3, "start_time": "2024-01-02T00:00:00+00:00"}
    assert run.finished_at >= run.started_at
    assert rows(
        migrated_engine,
        select(models.Rejection.crawl_run_id, models.Rejection.url, models.Rejection.reason),
    ) == [(run_id, "https://www.exemple.sn/x", "http_404")]


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_runs_left_running_by_gone_crawls_are_marked_failed(migrated_engine):
    repository = Repository(migrated_engine)
    here = socket.gethostname()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        left = {}
        for name, spider, site_key, host, pid in [
            ("dead pid here", "urls", None, here, _dead_pid()),
            ("live pid here", "urls", None, here, alive.pid),
            ("other host, site we lock", "site", "exemple", "elsewhere", 1),
            ("other host, other site", "site", "autre", "elsewhere", 1),
            ("other host, url list", "urls", None, "elsewhere", 1),
            ("other host, all sites", "site", "all", "elsewhere", 1),
        ]:
            run_id = repository.start_run(spider, site_key)
            with migrated_engine.begin() as connection:
                connection.execute(
                    update(models.CrawlRun)
                    .where(models.CrawlRun.id == run_id)
                    .values(host=host, pid=pid)
                )
            left[run_id] = name
        finished = repository.start_run("site", "exemple")
        repository.finish_run(finished, "ok", {})

        current = repository.start_run("site", "exemple")
        closed = repository.close_abandoned_runs(current, "exemple", ["exemple"])
    finally:
        alive.kill()
        alive.wait()

    assert sorted(left[run.id] for run in closed) == ["dead pid here", "other host, site we lock"]
    statuses = dict(rows(migrated_engine, select(models.CrawlRun.id, models.CrawlRun.status)))
    assert {left[i]: statuses[i] for i in left} == {
        "dead pid here": "failed",
        "live pid here": "running",
        "other host, site we lock": "failed",
        "other host, other site": "running",
        "other host, url list": "running",
        "other host, all sites": "running",  # this run holds one site's lock, not all of them
    }
    assert (statuses[finished], statuses[current]) == ("ok", "running")
    [abandoned] = objects(migrated_engine, models.CrawlRun)[:1]
    assert abandoned.stats == {"close_reason": "abandoned", "closed_by_run": current}
    assert abandoned.finished_at is not None
    repository.finish_run(current, "ok", {})
    # a run over every site holds every lock, so an earlier "all" run is gone too
    everything = repository.start_run("site", "all")
    closed = repository.close_abandoned_runs(everything, "all", ["autre", "exemple"])
    assert sorted(left[run.id] for run in closed) == [
        "live pid here",  # killed since the first look
        "other host, all sites",
        "other host, other site",
    ]


def test_concurrent_writers_store_each_canonical_url_once(migrated_url, migrated_engine):
    articles = [make_article(f"article-{n}") for n in range(25)]
    writers = 4
    barrier = threading.Barrier(writers)
    results: list[list[SaveResult]] = []
    errors: list[BaseException] = []

    def write(seed: int) -> None:
        engine = make_engine(migrated_url)  # one engine each, like separate processes
        batch = articles[:]
        random.Random(seed).shuffle(batch)
        try:
            barrier.wait()
            results.append(Repository(engine).save_articles(None, batch))
        except BaseException as error:
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert count(migrated_engine, models.Article) == 25
    statuses = [r.status for batch in results for r in batch]
    assert statuses.count("new") == 25
    assert statuses.count("unchanged") == 25 * (writers - 1)


def test_naive_and_offset_datetimes_are_stored_as_utc(migrated_engine):
    from datetime import timezone

    dakar_noon = datetime(2024, 11, 4, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    article = make_article(
        fetched_at=datetime(2024, 11, 4, 15, 0),  # naive: taken as UTC
        published=ParsedDate(dakar_noon, "minute", "12h00", "meta"),
    )
    Repository(migrated_engine).save_articles(None, [article])
    assert rows(
        migrated_engine, select(models.Article.published_at, models.Article.first_seen_at)
    ) == [(datetime(2024, 11, 4, 11, 0, tzinfo=UTC), datetime(2024, 11, 4, 15, 0, tzinfo=UTC))]


def count_statements(engine, action):
    """Run action and count the statements it sends to the database (an executemany is one)."""
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_a_batch_costs_the_same_statements_whatever_its_size(migrated_engine):
    repository = Repository(migrated_engine)
    repository.save_articles(None, [make_article("warm-up")])  # site and tags exist now

    def batch(prefix, size):
        return [make_article(f"{prefix}-{n}", read_count=n) for n in range(size)]

    small = count_statements(migrated_engine, lambda: repository.save_articles(None, batch("a", 3)))
    large = count_statements(
        migrated_engine, lambda: repository.save_articles(None, batch("b", 40))
    )
    assert small == large
    again = count_statements(
        migrated_engine, lambda: repository.save_articles(None, batch("b", 40))
    )
    assert again <= large
    assert count(migrated_engine, models.Article) == 44
    assert count(migrated_engine, models.ReadCount) == 44


def test_one_batch_plays_its_articles_in_order(migrated_engine):
    """Later items of a batch see what earlier ones stored, as separate batches would."""
    repository = Repository(migrated_engine)
    first = make_article(read_count=10)
    earlier_fetch = make_article(read_count=5, fetched_at=FETCHED - timedelta(hours=1))
    edited = make_article(
        read_count=20, fetched_at=LATER, body="Premier paragraphe corrigé.\n\nSecond paragraphe."
    )
    # The edited text reached through a print URL of the same site: same content hash.
    print_view = replace(
        edited,
        url="https://www.exemple.sn/imprimer/42",
        final_url="https://www.exemple.sn/imprimer/42",
        canonical_url="https://www.exemple.sn/imprimer/42",
        fetched_at=LATER + timedelta(hours=1),
        read_count=None,
    )
    results = repository.save_articles(None, [first, earlier_fetch, edited, print_view])

    assert [r.status for r in results] == ["new", "unchanged", "updated", "unchanged"]
    assert len({r.article_id for r in results}) == 1
    assert rows(
        migrated_engine,
        select(models.ReadCount.observed_at, models.ReadCount.value).order_by("observed_at"),
    ) == [(FETCHED - timedelta(hours=1), 5), (FETCHED, 10), (LATER, 20)]
    [article] = objects(migrated_engine, models.Article)
    assert (article.read_count, article.last_seen_at) == (20, LATER + timedelta(hours=1))
    assert article.first_seen_at == FETCHED
    assert article.body == edited.body
    [revision] = objects(migrated_engine, models.Revision)
    assert (revision.body, revision.observed_at) == (first.body, LATER)
    assert ("https://www.exemple.sn/imprimer/42", article.id) in rows(
        migrated_engine, select(models.ArticleUrl.url, models.ArticleUrl.article_id)
    )
    assert count(migrated_engine, models.ArticleTag) == 2  # replaced, not added twice


def test_an_older_fetch_arriving_late_is_kept_as_an_earlier_version(migrated_engine):
    """A WARC backfill of a page crawled since: the newer text stays, the older is history."""
    repository = Repository(migrated_engine)
    current = make_article(fetched_at=LATER, body="Premier paragraphe corrigé.\n\nSecond.")
    repository.save_articles(None, [current])
    archived = make_article(fetched_at=FETCHED)
    [result] = repository.save_articles(None, [archived])

    assert result.status == "unchanged"
    [article] = objects(migrated_engine, models.Article)
    assert (article.body, article.last_seen_at) == (current.body, LATER)
    [revision] = objects(migrated_engine, models.Revision)
    assert (revision.body, revision.observed_at) == (archived.body, FETCHED)
    assert revision.content_hash == compute_content_hash(archived.title, archived.body)
