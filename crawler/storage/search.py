"""Full-text search on both databases: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Both are accent- and case-insensitive. PostgreSQL also stems French words (élection matches
élections); SQLite's unicode61 tokenizer does not stem, so a word matches its exact form only
(use a prefix, `électi*`, in raw FTS5 queries).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import text

from crawler.storage.models import SEARCH_CONFIGURATION

if TYPE_CHECKING:
    from sqlalchemy import Connection

_WORD = re.compile(r"\w+")

SQLITE_SEARCH = """
SELECT articles_fts.rowid AS id
FROM articles_fts
WHERE articles_fts MATCH :match
ORDER BY bm25(articles_fts, 10.0, 5.0, 1.0), articles_fts.rowid
LIMIT :limit
"""

POSTGRES_SEARCH = f"""
SELECT id
FROM articles, plainto_tsquery('{SEARCH_CONFIGURATION}', :words) AS query
WHERE search_vector @@ query
ORDER BY ts_rank(search_vector, query) DESC, id
LIMIT :limit
"""


def search_article_ids(connection: Connection, words: str, limit: int = 100) -> list[int]:
    """Ids of the articles holding every word of `words`, best match first."""
    terms = _WORD.findall(words)
    if not terms:
        return []
    if connection.dialect.name == "postgresql":
        rows = connection.execute(text(POSTGRES_SEARCH), {"words": " ".join(terms), "limit": limit})
    else:
        match = " ".join(f'"{term}"' for term in terms)  # quoted: no FTS5 operators
        rows = connection.execute(text(SQLITE_SEARCH), {"match": match, "limit": limit})
    return [int(row.id) for row in rows]
