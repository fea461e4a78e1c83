"""Wire-story clusters: copies of one dispatch across outlets share one cluster id."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from crawler.storage import models
from crawler.storage.engine import make_engine
from crawler.storage.repository import Repository
from crawler.storage.statements import MAX_BAND_MEMBERS, statements_for

from .factories import FETCHED, make_article
from .wire import BUDGET_IMF, BUDGET_VOTE, FLOODS, original, retyped, trimmed, with_intro


def copy(site, slug, body, title=None, hours=0):
    return make_article(
        f"{site}-{slug}",
        site=site,
        title=title or f"{slug} ({site})",
        body=body,
        fetched_at=FETCHED + timedelta(hours=hours),
    )


def clusters_by_slug(engine):
    """{cluster id: sorted canonical slugs}, and the slugs outside any cluster."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(models.Article.canonical_url, models.Article.cluster_id)
        ).all()
    clusters: dict[int, list[str]] = {}
    loose = []
    for url, cluster_id in rows:
        slug = url.rsplit("/", 1)[1].removesuffix(".html")
        if cluster_id is None:
            loose.append(slug)
        else:
            clusters.setdefault(cluster_id, []).append(slug)
    return sorted(sorted(members) for members in clusters.values()), sorted(loose)


def test_five_outlets_three_dispatches_give_three_clusters(migrated_engine):
    repository = Repository(migrated_engine)
    # Three crawl runs, as three processes would store them over a day.
    repository.save_articles(
        None,
        [
            copy("quotidien", "vote", original(BUDGET_VOTE)),
            copy("quotidien", "fmi", original(BUDGET_IMF)),
            copy("seneweb", "vote", retyped(BUDGET_VOTE), title="Le budget 2025 voté"),
        ],
    )
    repository.save_articles(
        None,
        [
            copy("aps", "vote", trimmed(BUDGET_VOTE), hours=1),
            copy("aps", "fmi", with_intro(BUDGET_IMF), hours=1),
            copy("seneweb", "pluies", original(FLOODS, "NIAMEY (AFP) - "), hours=1),
            copy("walf", "vote", with_intro(BUDGET_VOTE), hours=1),
        ],
    )
    repository.save_articles(
        None,
        [
            copy("walf", "pluies", retyped(FLOODS), hours=2),
            copy("niamey", "vote", original(BUDGET_VOTE, "Dakar, 16 nov. 2024 (AFP) : "), hours=2),
            copy("niamey", "fmi", trimmed(BUDGET_IMF), hours=2),
            copy("niamey", "pluies", with_intro(FLOODS), hours=2),
            copy("niamey", "breve", "Une brève de vingt mots ne se regroupe pas."),
        ],
    )
    clusters, loose = clusters_by_slug(migrated_engine)
    assert clusters == [
        ["aps-fmi", "niamey-fmi", "quotidien-fmi"],
        ["aps-vote", "niamey-vote", "quotidien-vote", "seneweb-vote", "walf-vote"],
        ["niamey-pluies", "seneweb-pluies", "walf-pluies"],
    ]
    assert loose == ["niamey-breve"]  # too short to sign: no cluster, no singleton

    with migrated_engine.connect() as connection:
        members = connection.execute(
            select(
                models.ClusterMember.article_id,
                models.ClusterMember.cluster_id,
                models.ClusterMember.similarity,
                models.ClusterMember.matched_article_id,
                models.Article.cluster_id,
            ).join(models.Article, models.Article.id == models.ClusterMember.article_id)
        ).all()
        signed = connection.execute(
            select(func.count()).select_from(models.ArticleSignature)
        ).scalar_one()
        bands = connection.execute(
            select(func.count()).select_from(models.ArticleBand)
        ).scalar_one()
    assert len(members) == 11
    assert all(member.cluster_id == member[4] for member in members)  # denormalised copy agrees
    founders = [m for m in members if m.matched_article_id is None]
    assert len(founders) == 3 and all(m.similarity == 1.0 for m in founders)
    assert all(0.5 <= m.similarity <= 1.0 for m in members)
    assert (signed, bands) == (11, 11 * 32)


def test_an_edited_copy_keeps_its_cluster(migrated_engine):
    repository = Repository(migrated_engine)
    repository.save_articles(
        None,
        [
            copy("quotidien", "vote", original(BUDGET_VOTE)),
            copy("aps", "vote", trimmed(BUDGET_VOTE)),
        ],
    )
    [before], _ = clusters_by_slug(migrated_engine)
    edited = copy("aps", "vote", trimmed(BUDGET_VOTE) + "\n\nMise à jour : le texte est promulgué.")
    edited.fetched_at = FETCHED + timedelta(days=1)
    assert repository.save_articles(None, [edited])[0].status == "updated"
    assert clusters_by_slug(migrated_engine) == ([before], [])


def test_concurrent_writers_make_one_cluster_per_story(migrated_url, migrated_engine):
    """Each writer stores another outlet's copy of the same two dispatches at the same time."""
    variants = [original, trimmed, with_intro, retyped]
    barrier = threading.Barrier(len(variants))
    errors = []

    def write(index):
        engine = make_engine(migrated_url)  # one engine each, like separate processes
        try:
            repository = Repository(engine)
            variant = variants[index]
            barrier.wait()
            repository.save_articles(
                None,
                [
                    copy(f"site{index}", "vote", variant(BUDGET_VOTE)),
                    copy(f"site{index}", "pluies", variant(FLOODS)),
                ],
            )
        except Exception as error:  # reported below: a thread cannot fail the test itself
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(variants))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    clusters, loose = clusters_by_slug(migrated_engine)
    assert clusters == [
        [f"site{i}-pluies" for i in range(4)],
        [f"site{i}-vote" for i in range(4)],
    ]
    assert loose == []
    with migrated_engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(models.Cluster)).scalar_one() == 2
        )


def test_a_long_series_of_copies_reads_each_band_key_s_recent_members_only(migrated_engine):
    """Hourly bulletins share their band keys: a new one reads the latest members, not all."""
    repository = Repository(migrated_engine)
    series = MAX_BAND_MEMBERS + 16
    for start in range(0, series, 20):
        repository.save_articles(
            None,
            [
                copy("meteo", f"bulletin-{n:03d}", original(FLOODS), hours=n)
                for n in range(start, min(series, start + 20))
            ],
        )
    with migrated_engine.connect() as connection:
        keys = list(
            connection.execute(
                select(models.ArticleBand.band_key).group_by(models.ArticleBand.band_key)
            ).scalars()
        )
        postgres = migrated_engine.dialect.name == "postgresql"
        read = connection.execute(statements_for(postgres).bands, {"keys": keys}).all()
        newest = connection.execute(
            select(models.ArticleBand.article_id)
            .order_by(models.ArticleBand.article_id.desc())
            .limit(1)
        ).scalar_one()
    per_key: dict[str, list[int]] = {}
    for key, article_id in read:
        per_key.setdefault(key, []).append(article_id)
    assert per_key and all(len(ids) == MAX_BAND_MEMBERS for ids in per_key.values())
    # the most recent ones: the newest article is read under every one of its keys
    assert all(newest in ids for ids in per_key.values())
    # ...and a new copy still joins the series' cluster
    repository.save_articles(None, [copy("meteo", "bulletin-new", original(FLOODS), hours=999)])
    clusters, loose = clusters_by_slug(migrated_engine)
    assert loose == [] and len(clusters) == 1 and len(clusters[0]) == series + 1
