"""docs/schema.md documents every table, view and column of a migrated database."""

from __future__ import annotations

from sqlalchemy import inspect

from crawler.storage.docs import SCHEMA_DOC, parse_schema_doc

# FTS5's own storage (SQLite): named in the doc as a group, not column by column.
FTS5_SHADOW_TABLES = {
    "articles_fts_data",
    "articles_fts_idx",
    "articles_fts_docsize",
    "articles_fts_config",
}


def database_columns(engine):
    """{(kind, name): [columns]} of every table and view, as the database reports them."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        found = {}
        for kind, names in (
            ("table", inspector.get_table_names()),
            ("view", inspector.get_view_names()),
        ):
            for name in names:
                found[kind, name] = [column["name"] for column in inspector.get_columns(name)]
    return found


def test_every_column_of_the_migrated_database_is_documented(migrated_engine):
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    documented = parse_schema_doc(text)
    missing = []
    for (kind, name), columns in sorted(database_columns(migrated_engine).items()):
        if name in FTS5_SHADOW_TABLES:
            assert f"`{name}`" in text
            continue
        entry = documented.get(name)
        if entry is None or entry.kind != kind:
            missing.append(f"{kind} {name}")
            continue
        missing += [f"{name}.{column}" for column in columns if not entry.columns.get(column)]
    assert missing == []


def test_every_documented_object_has_a_description_and_exists_somewhere(migrated_engine):
    documented = parse_schema_doc(SCHEMA_DOC.read_text(encoding="utf-8"))
    names = {name for _, name in database_columns(migrated_engine)}
    only_on = {"articles_fts": "sqlite"}  # PostgreSQL's counterpart is articles.search_vector
    for name, entry in documented.items():
        if only_on.get(name, migrated_engine.dialect.name) == migrated_engine.dialect.name:
            assert name in names, f"{name} is documented but not in the database"
        assert entry.columns, name
        assert all(meaning for meaning in entry.columns.values()), name


def test_parser_reads_descriptions_and_columns():
    documented = parse_schema_doc(SCHEMA_DOC.read_text(encoding="utf-8"))
    assert documented["read_counts"].kind == "table"
    assert documented["read_counts"].description.startswith("Every observation")
    assert (
        documented["read_counts"].columns["value"] == "Counter value shown on the page, in reads."
    )
    assert documented["article_flat"].kind == "view"
