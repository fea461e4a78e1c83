"""Full-text search over articles (title, description, body), accent-insensitive, kept in sync
by the database itself.

SQLite: an external-content FTS5 table `articles_fts` (rowid = articles.id, tokenizer
unicode61 with remove_diacritics 2) fed by three triggers on articles.
PostgreSQL: the `unaccent` extension, a text search configuration `depeches_french` (a copy of
`french` whose words go through unaccent before the French stemmer), and a generated column
`articles.search_vector` (title weight A, description B, body C) with a GIN index.
`to_tsvector(regconfig, text)` is immutable, so the generated column needs no wrapper function.

Caution for later revisions: a batch operation that recreates `articles` on SQLite drops these
triggers; recreate them (see `_create_sqlite`) if one ever does.

Revision ID: 57655613016b
Revises: dcb735025216
Create Date: 2026-11-26 09:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "57655613016b"
down_revision: str | Sequence[str] | None = "dcb735025216"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "title, description, body"

SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE articles_fts USING fts5(
        {COLUMNS},
        content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, {COLUMNS})
        VALUES (new.id, new.title, new.description, new.body);
    END""",
    f"""CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.title, old.description, old.body);
    END""",
    f"""CREATE TRIGGER articles_fts_update AFTER UPDATE OF {COLUMNS} ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.title, old.description, old.body);
        INSERT INTO articles_fts(rowid, {COLUMNS})
        VALUES (new.id, new.title, new.description, new.body);
    END""",
    # Index the articles stored before this revision.
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
]

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION depeches_french (COPY = pg_catalog.french)",
    """ALTER TEXT SEARCH CONFIGURATION depeches_french
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem""",
    """ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('depeches_french'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('depeches_french'::regconfig, coalesce(description, '')), 'B')
        || setweight(to_tsvector('depeches_french'::regconfig, body), 'C')
    ) STORED""",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    "COMMENT ON COLUMN articles.search_vector IS "
    "'Full-text vector of title (A), description (B) and body (C), french + unaccent.'",
]

# The unaccent extension stays: other objects of the database may use it.
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS depeches_french",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)
    else:
        raise NotImplementedError(f"full-text search is not written for {dialect}")


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
