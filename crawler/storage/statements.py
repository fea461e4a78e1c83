"""The SQL of `Repository.save_articles`, built once per dialect.

A batch of articles costs a fixed handful of statements: every lookup is one `IN (...)` select
over the whole batch and every write one executemany (multi-row VALUES), all with statements
built here once, so SQLAlchemy's compiled cache serves them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from crawler.storage import models

if TYPE_CHECKING:
    from sqlalchemy import Connection

# Members of one band key read when a new article is signed: the most recent ones.
MAX_BAND_MEMBERS = 64
# Placeholders for rows the batch inserts: larger than any real id, in batch order, as the ids
# the database will give them are (new rows get ids above every existing one).
PLACEHOLDER = 1 << 62


_ARTICLES = cast(Table, models.Article.__table__)
_URLS = cast(Table, models.ArticleUrl.__table__)
_SIGNATURES = cast(Table, models.ArticleSignature.__table__)
_BANDS = cast(Table, models.ArticleBand.__table__)
_RAW_PAGES = cast(Table, models.RawPage.__table__)
_CHILDREN = [
    cast(Table, model.__table__)
    for model in (models.ArticleAuthor, models.ArticleTag, models.ArticleAgency)
]
# Rows per `IN (...)` lookup: far below SQLite's and PostgreSQL's bound-parameter limits.
_IN_CHUNK = 2000


def _ids(name: str = "ids") -> Any:
    return bindparam(name, expanding=True)


class Statements:
    """The statements of `save_articles` for one dialect."""

    def __init__(self, postgres: bool) -> None:
        dialect: Any = postgresql if postgres else sqlite
        a = _ARTICLES.c
        self.site_ids = select(models.Site.key, models.Site.id).where(
            models.Site.key.in_(_ids("keys"))
        )
        self.site_insert = dialect.insert(models.Site).on_conflict_do_nothing(
            index_elements=["key"]
        )
        self.tag_ids = select(models.Tag.slug, models.Tag.id).where(
            models.Tag.slug.in_(_ids("keys"))
        )
        self.tag_insert = dialect.insert(models.Tag).on_conflict_do_nothing(index_elements=["slug"])
        # article_urls primary key; articles' ix_articles_content_hash and unique canonical_url.
        self.by_url = select(_URLS.c.url, _URLS.c.article_id).where(_URLS.c.url.in_(_ids("keys")))
        self.by_hash = select(a.id, a.site_id, a.content_hash).where(
            a.content_hash.in_(_ids("keys"))
        )
        self.by_canonical = select(a.id, a.canonical_url).where(a.canonical_url.in_(_ids("keys")))
        signed = select(_SIGNATURES.c.article_id).where(_SIGNATURES.c.article_id == a.id).exists()
        with_raw = select(_RAW_PAGES.c.id).where(_RAW_PAGES.c.article_id == a.id).exists()
        self.states = select(
            a.id,
            a.site_id,
            a.title,
            a.body,
            a.content_hash,
            a.last_seen_at,
            a.cluster_id,
            signed.label("signed"),
            with_raw.label("with_raw"),
        ).where(a.id.in_(_ids()))
        # Each key's most recent members only: a series of near-identical articles (hourly
        # weather or market bulletins) would otherwise make every new one read them all.
        members = select(
            _BANDS.c.band_key,
            _BANDS.c.article_id,
            func.row_number()
            .over(partition_by=_BANDS.c.band_key, order_by=_BANDS.c.article_id.desc())
            .label("recency"),
        ).where(_BANDS.c.band_key.in_(_ids("keys")))
        recent = members.subquery("recent_members")
        self.bands = select(recent.c.band_key, recent.c.article_id).where(
            recent.c.recency <= MAX_BAND_MEMBERS
        )
        self.signatures = (
            select(_SIGNATURES.c.article_id, _SIGNATURES.c.signature, a.cluster_id)
            .join(_ARTICLES, a.id == _SIGNATURES.c.article_id)
            .where(_SIGNATURES.c.article_id.in_(_ids()))
        )
        self.article_insert = (
            dialect.insert(_ARTICLES)
            .on_conflict_do_nothing(index_elements=["canonical_url"])
            .returning(a.id, a.canonical_url)
        )
        self.cluster_insert = dialect.insert(models.Cluster.__table__).returning(
            models.Cluster.__table__.c.id, sort_by_parameter_order=True
        )
        self.url_insert = dialect.insert(_URLS).on_conflict_do_nothing()
        self.read_count_insert = dialect.insert(models.ReadCount.__table__).on_conflict_do_nothing()
        self.raw_page_insert = dialect.insert(_RAW_PAGES).on_conflict_do_nothing()
        self.child_inserts = [dialect.insert(table) for table in _CHILDREN]
        self.child_deletes = [
            delete(table).where(table.c.article_id.in_(_ids())) for table in _CHILDREN
        ]
        self.revision_insert = dialect.insert(models.Revision.__table__)
        self.signature_insert = dialect.insert(_SIGNATURES)
        self.band_insert = dialect.insert(_BANDS)
        self.signature_delete = delete(_SIGNATURES).where(_SIGNATURES.c.article_id.in_(_ids()))
        self.band_delete = delete(_BANDS).where(_BANDS.c.article_id.in_(_ids()))
        self.member_insert = dialect.insert(models.ClusterMember.__table__)
        self._updates: dict[tuple[str, ...], Any] = {}

    def article_update(self, columns: tuple[str, ...]) -> Any:
        """`UPDATE articles SET <columns> WHERE id = :article_id`, one per column set."""
        statement = self._updates.get(columns)
        if statement is None:
            statement = (
                update(_ARTICLES)
                .where(_ARTICLES.c.id == bindparam("article_id"))
                .values({name: bindparam(name, type_=_ARTICLES.c[name].type) for name in columns})
            )
            self._updates[columns] = statement
        return statement


_BY_DIALECT: dict[bool, Statements] = {}


def statements_for(postgres: bool) -> Statements:
    if postgres not in _BY_DIALECT:
        _BY_DIALECT[postgres] = Statements(postgres)
    return _BY_DIALECT[postgres]


def select_in(connection: Connection, statement: Any, values: Any, name: str = "keys") -> list[Any]:
    """Rows of a select over `IN (values)`, in chunks; nothing is run for no values."""
    values = list(values)
    found: list[Any] = []
    for start in range(0, len(values), _IN_CHUNK):
        found += connection.execute(statement, {name: values[start : start + _IN_CHUNK]}).all()
    return found


def run_in(connection: Connection, statement: Any, ids: Any) -> None:
    """A delete over `IN (ids)`, in chunks; nothing is run for no ids."""
    ids = list(ids)
    for start in range(0, len(ids), _IN_CHUNK):
        connection.execute(statement, {"ids": ids[start : start + _IN_CHUNK]})


def execute_many(connection: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(statement, rows)
