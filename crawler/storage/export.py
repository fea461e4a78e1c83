"""Export of stored articles to JSONL or CSV, streamed so the archive never sits in memory."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import select

from crawler.storage import models
from crawler.storage.engine import SQLITE_BEGIN_OPTION

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, RowMapping

FORMATS = ("jsonl", "csv")

# Column order of both formats; lists are JSON arrays in JSONL, "; "-joined cells in CSV.
EXPORT_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "final_url",
    "site",
    "title",
    "description",
    "body",
    "published_at",
    "published_precision",
    "modified_at",
    "authors",
    "desks",
    "tags",
    "tag_slugs",
    "read_count",
    "agencies",
    "language",
    "language_confidence",
    "section",
    "word_count",
    "cluster_id",
    "first_seen_at",
    "last_seen_at",
)

CSV_LIST_SEPARATOR = "; "
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

BATCH_SIZE = 500


def parse_since(text: str) -> date:
    """Parse the --since value (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since expects a date YYYY-MM-DD, got {text!r}") from None


def format_instant(value: datetime | None, precision: str | None) -> str | None:
    """ISO 8601 with offset, or the bare day when only the day is known."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    if precision == "day":
        return value.date().isoformat()
    return value.isoformat(timespec="seconds")


def spreadsheet_safe(cell: str) -> str:
    """Prefix a quote so spreadsheets show the text instead of evaluating it."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def export_articles(
    engine: Engine,
    out_path: str | Path,
    fmt: str = "jsonl",
    site: str | None = None,
    since: date | None = None,
) -> int:
    """Write one record per stored article, ordered by id; return the number written.

    Args:
        engine: database to read.
        out_path: file to write ("-" for standard output); written whole or not at all.
        fmt: "jsonl" or "csv".
        site: only this site key.
        since: only articles published on or after this day (UTC); undated ones are left out.

    Returns:
        The number of records written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    count = 0
    with _output(out_path) as stream, _snapshot(engine) as connection:
        write = _jsonl_writer(stream) if fmt == "jsonl" else _csv_writer(stream)
        for record in iter_records(connection, site=site, since=since):
            write(record)
            count += 1
    return count


def iter_records(
    connection: Connection, *, site: str | None = None, since: date | None = None
) -> Iterator[dict[str, Any]]:
    """Export records in id order, fetched BATCH_SIZE articles at a time."""
    article, site_table = models.Article, models.Site
    statement = (
        select(*models.Article.__table__.columns, site_table.key.label("site_key"))
        .join(site_table, site_table.id == article.site_id)
        .order_by(article.id)
        .execution_options(yield_per=BATCH_SIZE)
    )
    if site is not None:
        statement = statement.where(site_table.key == site)
    if since is not None:
        start = datetime(since.year, since.month, since.day, tzinfo=UTC)
        statement = statement.where(article.published_at >= start)
    result = connection.execute(statement)
    for partition in result.partitions():
        ids = [row.id for row in partition]
        children = _Children.load(connection, ids)
        for row in partition:
            yield _record(row._mapping, children)


class _Children:
    """Bylines, tags and agencies of one batch of articles, fetched in three queries."""

    def __init__(self) -> None:
        self.authors: dict[int, list[str]] = defaultdict(list)
        self.desks: dict[int, list[str]] = defaultdict(list)
        self.tags: dict[int, list[str]] = defaultdict(list)
        self.tag_slugs: dict[int, list[str]] = defaultdict(list)
        self.agencies: dict[int, list[str]] = defaultdict(list)

    @classmethod
    def load(cls, connection: Connection, ids: Sequence[int]) -> _Children:
        children = cls()
        author = models.ArticleAuthor
        for article_id, name, kind in connection.execute(
            select(author.article_id, author.name, author.kind)
            .where(author.article_id.in_(ids))
            .order_by(author.article_id, author.position)
        ):
            (children.authors if kind == "person" else children.desks)[article_id].append(name)
        article_tag, tag = models.ArticleTag, models.Tag
        for article_id, label, slug in connection.execute(
            select(article_tag.article_id, article_tag.label, tag.slug)
            .join(tag, tag.id == article_tag.tag_id)
            .where(article_tag.article_id.in_(ids))
            .order_by(article_tag.article_id, article_tag.position)
        ):
            children.tags[article_id].append(label)
            children.tag_slugs[article_id].append(slug)
        agency = models.ArticleAgency
        for article_id, code in connection.execute(
            select(agency.article_id, agency.code)
            .where(agency.article_id.in_(ids))
            .distinct()
            .order_by(agency.article_id, agency.code)
        ):
            children.agencies[article_id].append(code)
        return children


def _record(article: RowMapping, children: _Children) -> dict[str, Any]:
    article_id = article["id"]
    return {
        "id": article_id,
        "url": article["url"],
        "canonical_url": article["canonical_url"],
        "final_url": article["final_url"],
        "site": article["site_key"],
        "title": article["title"],
        "description": article["description"],
        "body": article["body"],
        "published_at": format_instant(article["published_at"], article["published_precision"]),
        "published_precision": article["published_precision"],
        "modified_at": format_instant(article["modified_at"], article["modified_precision"]),
        "authors": children.authors.get(article_id, []),
        "desks": children.desks.get(article_id, []),
        "tags": children.tags.get(article_id, []),
        "tag_slugs": children.tag_slugs.get(article_id, []),
        "read_count": article["read_count"],
        "agencies": children.agencies.get(article_id, []),
        "language": article["language"],
        "language_confidence": article["language_confidence"],
        "section": article["section"],
        "word_count": article["word_count"],
        "cluster_id": article["cluster_id"],
        "first_seen_at": format_instant(article["first_seen_at"], "second"),
        "last_seen_at": format_instant(article["last_seen_at"], "second"),
    }


def _jsonl_writer(stream: IO[str]) -> Any:
    def write(record: dict[str, Any]) -> None:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")

    return write


def _csv_writer(stream: IO[str]) -> Any:
    writer = csv.writer(stream)
    writer.writerow(EXPORT_FIELDS)

    def cell(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, list):
            value = CSV_LIST_SEPARATOR.join(value)
        return spreadsheet_safe(value) if isinstance(value, str) else value

    def write(record: dict[str, Any]) -> None:
        writer.writerow([cell(record[name]) for name in EXPORT_FIELDS])

    return write


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction, so the export is a consistent snapshot.

    PostgreSQL: REPEATABLE READ keeps the child queries in step with the article cursor.
    SQLite: a DEFERRED transaction reads a WAL snapshot without blocking writers.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        else:
            connection = connection.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
        with connection.begin():
            yield connection


@contextmanager
def _output(out_path: str | Path) -> Iterator[IO[str]]:
    """Standard output, or a temporary file renamed over the target once complete."""
    if str(out_path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
