"""Reading docs/schema.md and docs/queries.md: for their tests and for Datasette's metadata.

docs/schema.md: one `### \\`name\\` (table|view)` heading per table or view, its description
paragraphs, then a Markdown table whose rows start with `| \\`column\\` | type | meaning |`.

docs/queries.md: one `## \\`name\\`: Title` heading per worked query, its description, a
```` ```sql ```` block that runs on both databases, or one ```` ```sql sqlite ```` and one
```` ```sql postgresql ```` block, and optionally a `Parameters:` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.storage.report import datasette_queries as report_queries

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
SCHEMA_DOC = DOCS_DIR / "schema.md"
QUERIES_DOC = DOCS_DIR / "queries.md"

_OBJECT = re.compile(r"^### `(\w+)` \((table|view)\)\s*$")
_COLUMN = re.compile(r"^\| `(\w+)` \| ([^|]*) \| (.*) \|\s*$")
_QUERY = re.compile(r"^## `(\w+)`: (.+?)\s*$")
_FENCE = re.compile(r"^```sql(?: (sqlite|postgresql))?\s*$")


@dataclass
class DocObject:
    name: str
    kind: str  # table | view
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # name -> meaning


@dataclass
class DocQuery:
    name: str
    title: str
    description: str = ""
    sql: dict[str, str] = field(default_factory=dict)  # "sqlite" / "postgresql" -> SQL

    def for_dialect(self, dialect: str) -> str:
        return self.sql[dialect]

    @property
    def portable(self) -> bool:
        return self.sql.get("sqlite") == self.sql.get("postgresql")


def _plain(markdown: str) -> str:
    """Markdown inline code marks removed, for Datasette's plain-text descriptions."""
    return markdown.replace("`", "").strip()


def parse_schema_doc(text: str) -> dict[str, DocObject]:
    objects: dict[str, DocObject] = {}
    current: DocObject | None = None
    paragraph: list[str] = []
    for line in text.splitlines():
        heading = _OBJECT.match(line)
        if heading:
            current = objects[heading.group(1)] = DocObject(heading.group(1), heading.group(2))
            paragraph = []
            continue
        if line.startswith("#"):
            current = None
            continue
        if current is None:
            continue
        column = _COLUMN.match(line)
        if column:
            current.columns[column.group(1)] = column.group(3).strip()
        elif not line.startswith("|") and not current.columns:
            paragraph.append(line.strip())
            current.description = " ".join(part for part in paragraph if part)
    return objects


def parse_queries_doc(text: str) -> list[DocQuery]:
    queries: list[DocQuery] = []
    current: DocQuery | None = None
    fence: str | None = None
    block: list[str] = []
    description: list[str] = []
    for line in text.splitlines():
        if fence is not None:
            if line.strip() == "```":
                assert current is not None
                sql = "\n".join(block).strip()
                for dialect in ("sqlite", "postgresql") if fence == "both" else (fence,):
                    current.sql[dialect] = sql
                fence, block = None, []
            else:
                block.append(line)
            continue
        heading = _QUERY.match(line)
        if heading:
            current = DocQuery(heading.group(1), heading.group(2))
            queries.append(current)
            description = []
            continue
        if line.startswith("#"):
            current = None
            continue
        if current is None:
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1) or "both"
            continue
        if not current.sql and not line.startswith("```"):
            description.append(line.strip())
            current.description = " ".join(part for part in description if part)
    return queries


def datasette_metadata(
    database: str, schema_doc: Path = SCHEMA_DOC, queries_doc: Path = QUERIES_DOC
) -> dict[str, Any]:
    """Datasette metadata: table and column descriptions, canned queries, full-text search."""
    objects = parse_schema_doc(schema_doc.read_text(encoding="utf-8"))
    queries = parse_queries_doc(queries_doc.read_text(encoding="utf-8"))
    tables: dict[str, Any] = {
        name: {
            "description": _plain(entry.description),
            "columns": {column: _plain(meaning) for column, meaning in entry.columns.items()},
        }
        for name, entry in objects.items()
    }
    # Search boxes on the articles table and the flat view (rowid = articles.id).
    tables["articles"]["fts_table"] = "articles_fts"
    tables["articles"]["fts_pk"] = "id"
    tables["article_flat"]["fts_table"] = "articles_fts"
    tables["article_flat"]["fts_pk"] = "id"
    for name in (
        "articles_fts_data",
        "articles_fts_idx",
        "articles_fts_docsize",
        "articles_fts_config",
    ):
        tables[name] = {"hidden": True}
    canned = {
        query.name: {
            "title": query.title,
            "description": _plain(query.description),
            "sql": query.for_dialect("sqlite"),
        }
        for query in queries
    }
    canned.update(report_queries())  # the SQL behind each chart of `scrapy report`
    return {
        "title": "depeches: francophone news archive",
        "description": "Schema: docs/schema.md. Worked research queries: docs/queries.md.",
        "databases": {database: {"tables": tables, "queries": canned}},
    }
