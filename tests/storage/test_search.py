"""Full-text search: accent- and case-insensitive, kept in sync by the database itself."""

from __future__ import annotations

from sqlalchemy import delete, update

from crawler.storage import models
from crawler.storage.repository import Repository
from crawler.storage.search import search_article_ids

from .factories import make_article


def search(engine, words):
    with engine.connect() as connection:
        return search_article_ids(connection, words)


def test_search_is_accent_and_case_insensitive_and_follows_edits(migrated_engine):
    repository = Repository(migrated_engine)
    [first, second] = repository.save_articles(
        None,
        [
            make_article(
                "scrutin",
                title="Législatives : le scrutin à Thiès",
                body="Les électeurs de Thiès votent dimanche.\n\nLe dépouillement suivra.",
            ),
            make_article(
                "peche",
                title="Pêche artisanale",
                description="Les pirogues de Kayar rentrent au port.",
                body="La saison de pêche s'ouvre à Kayar.\n\nLes prix du poisson baissent.",
            ),
        ],
    )
    a, b = first.article_id, second.article_id
    assert search(migrated_engine, "THIES") == [a]  # body and title, no accent, upper case
    assert search(migrated_engine, "législatives") == [a]
    assert search(migrated_engine, "legislatives thies") == [a]  # every word
    assert search(migrated_engine, "pirogues") == [b]  # description
    assert search(migrated_engine, "peche") == [b]
    assert search(migrated_engine, "Kayar Thiès") == []
    assert search(migrated_engine, "-- ' OR 1=1") == []  # operators and quotes are only words

    with migrated_engine.begin() as connection:
        connection.execute(
            update(models.Article)
            .where(models.Article.id == b)
            .values(body="Les pêcheurs de Kayar manifestent devant la préfecture.")
        )
    assert search(migrated_engine, "prefecture") == [b]
    assert search(migrated_engine, "poisson") == []

    with migrated_engine.begin() as connection:
        connection.execute(delete(models.Article).where(models.Article.id == a))
    assert search(migrated_engine, "thies") == []
    assert search(migrated_engine, "kayar") == [b]


def test_title_matches_rank_before_body_matches(migrated_engine):
    repository = Repository(migrated_engine)
    [in_body, in_title] = repository.save_articles(
        None,
        [
            make_article("corps", title="Conseil des ministres", body="Le budget est adopté."),
            make_article("titre", title="Le budget adopté", body="Le conseil a siégé mercredi."),
        ],
    )
    assert search(migrated_engine, "budget") == [in_title.article_id, in_body.article_id]
