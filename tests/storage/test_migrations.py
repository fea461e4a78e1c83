"""Alembic is the schema: upgrade from nothing, state detection, and no drift from the models."""

from __future__ import annotations

import shutil
import textwrap

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from crawler.storage import schema
from crawler.storage.engine import make_engine
from crawler.storage.models import FTS_TABLE, Base, include_in_autogenerate
from crawler.storage.schema import (
    SchemaAheadError,
    SchemaBehindError,
    SchemaMissingError,
    alembic_config,
    ensure_schema,
    head_revisions,
    schema_state,
    upgrade_to_head,
)

TABLES = {
    "alembic_version",
    "sites",
    "articles",
    "article_urls",
    "article_authors",
    "tags",
    "article_tags",
    "article_agencies",
    "read_counts",
    "revisions",
    "rejections",
    "crawl_runs",
    "frontier",
    "sources",
    "site_checks",
    "warc_files",
    "raw_pages",
    "article_signatures",
    "article_bands",
    "clusters",
    "cluster_members",
}


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def table_names(engine):
    """Tables of the schema, without the full-text index tables (tested on their own)."""
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
    return {name for name in names if not name.startswith(FTS_TABLE)}


def fts_table_names(engine):
    with engine.connect() as connection:
        return {n for n in inspect(connection).get_table_names() if n.startswith(FTS_TABLE)}


def test_upgrade_head_on_empty_database(engine):
    assert schema_state(engine) == "empty"
    revision = upgrade_to_head(engine)
    assert revision == head_revisions()[0]
    assert schema_state(engine) == "current"
    assert table_names(engine) == TABLES
    assert upgrade_to_head(engine) == revision  # idempotent
    if engine.dialect.name == "sqlite":
        assert "articles_fts" in fts_table_names(engine)


def test_models_and_migrations_do_not_drift(engine):
    upgrade_to_head(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_autogenerate}
        )
        assert compare_metadata(context, Base.metadata) == []


def _reason_comments(engine):
    with engine.connect() as connection:
        inspector = inspect(connection)
        return {
            table: next(
                c.get("comment") for c in inspector.get_columns(table) if c["name"] == "reason"
            )
            for table in ("frontier", "rejections")
        }


def test_reason_comments_name_the_module_of_the_reasons(engine):
    """Revision c546354ee912 rewrites two stale comments on PostgreSQL; SQLite keeps none."""
    old = {
        "frontier": "Rejection reason (pipelines/errors.py) when rejected or failed.",
        "rejections": "Short machine-readable reason (http_404, empty_body...).",
    }
    new = {
        "frontier": "Rejection reason (crawler/process/rejections.py) when rejected or failed.",
        "rejections": "Machine-readable reason (http_status, no_article_text...): the list is "
        "in crawler/process/rejections.py.",
    }
    if engine.dialect.name == "sqlite":
        old = new = {"frontier": None, "rejections": None}
    upgrade_to_head(engine)
    assert _reason_comments(engine) == new
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "e12a0f5e7d01")
    assert _reason_comments(engine) == old
    upgrade_to_head(engine)
    assert _reason_comments(engine) == new


def test_downgrade_to_base_and_back(engine):
    upgrade_to_head(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert table_names(engine) == {"alembic_version"}
    assert fts_table_names(engine) == set()
    assert schema_state(engine) == "behind"  # stamped at base: managed before, so never implicit
    with pytest.raises(SchemaBehindError, match=r"revision none \(base\), latest is .*migrate"):
        ensure_schema(engine, create_if_empty=True)
    upgrade_to_head(engine)
    assert table_names(engine) == TABLES


def test_empty_database_is_created_only_when_allowed(engine):
    with pytest.raises(SchemaMissingError, match="scrapy migrate"):
        ensure_schema(engine, create_if_empty=False)
    assert ensure_schema(engine, create_if_empty=True) == "empty"
    assert schema_state(engine) == "current"
    assert ensure_schema(engine, create_if_empty=False) == "current"


def test_missing_sqlite_file_is_created_at_head(tmp_path):
    path = tmp_path / "not" / "yet" / "there.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine, create_if_empty=True)
    assert path.exists()
    assert schema_state(engine) == "current"
    engine.dispose()


@pytest.fixture
def newer_migrations(tmp_path, monkeypatch):
    """A copy of the migrations with one more revision: the real head becomes "older"."""
    copy = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / "2099_01_01_0000-feedc0ffee00_probe.py").write_text(
        textwrap.dedent(
            f"""
            import sqlalchemy as sa
            from alembic import op

            revision = "feedc0ffee00"
            down_revision = {head_revisions()[0]!r}
            branch_labels = None
            depends_on = None


            def upgrade():
                op.create_table("probe", sa.Column("id", sa.Integer, primary_key=True))


            def downgrade():
                op.drop_table("probe")
            """
        ),
        encoding="utf-8",
    )
    return copy


def test_older_revision_is_behind_then_ahead(engine, newer_migrations, monkeypatch):
    real_head = head_revisions()[0]
    upgrade_to_head(engine)
    # The code (the copy) is one revision further than the database.
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", newer_migrations)
    assert schema_state(engine) == "behind"
    with pytest.raises(SchemaBehindError) as error:
        ensure_schema(engine, create_if_empty=True)
    assert str(error.value) == (
        f"database at revision {real_head}, latest is feedc0ffee00: run `scrapy migrate`"
    )
    assert upgrade_to_head(engine) == "feedc0ffee00"
    assert "probe" in table_names(engine)
    # Back to the real code: the database is now ahead of it and is left alone.
    monkeypatch.undo()
    assert schema_state(engine) == "ahead"
    with pytest.raises(SchemaAheadError, match="newer than this code"):
        ensure_schema(engine, create_if_empty=True)
    with pytest.raises(SchemaAheadError):
        upgrade_to_head(engine)
