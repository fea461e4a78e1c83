"""Export of stored articles to JSONL, CSV or Parquet, streamed so the archive never sits in
memory: articles are read BATCH_SIZE at a time (a server-side cursor on PostgreSQL), their
children with one query per batch, and Parquet is written row group by row group."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Select, exists, select

from crawler.storage import models
from crawler.storage.engine import SQLITE_BEGIN_OPTION

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, RowMapping

FORMATS = ("jsonl", "csv", "parquet")

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
    "published_offset",
    "published_local_day",
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
# A Parquet row group is written once it holds this many rows or this much text, whichever
# comes first: large enough for good compression, small enough for memory to stay flat (each
# pending row lives as a Python dict and again as Arrow buffers while the group is written).
PARQUET_ROW_GROUP = 5_000
PARQUET_ROW_GROUP_BYTES = 8 * 1024 * 1024
# Columns with few distinct values, dictionary-encoded; texts and URLs are not (a dictionary of
# unique bodies would only add a copy of them).
DICTIONARY_FIELDS = ("site", "published_precision", "language", "section", "agencies")

# Fields that Parquet stores as typed UTC timestamps (JSONL / CSV: ISO 8601 text).
TIME_FIELDS = ("published_at", "modified_at", "first_seen_at", "last_seen_at")
LIST_FIELDS = ("authors", "desks", "tags", "tag_slugs", "agencies")
INTEGER_FIELDS = ("id", "read_count", "word_count", "cluster_id", "published_offset")


@dataclass(frozen=True)
class ExportFilter:
    """Which articles to export; every condition given must hold."""

    site: str | None = None
    since: date | None = None  # published on or after this UTC day
    until: date | None = None  # published on or before this UTC day
    language: str | None = None
    agency: str | None = None  # credits this agency code (AFP, REUTERS...)


def parse_since(text: str, option: str = "--since") -> date:
    """Parse a --since / --until value (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} expects a date YYYY-MM-DD, got {text!r}") from None


def format_instant(
    value: datetime | None, precision: str | None, offset_minutes: int | None = None
) -> str | None:
    """ISO 8601 with offset, or the bare day when only the day is known.

    With `offset_minutes` (the publication's own offset), the local time with that offset:
    "2020-08-24T20:23:00-04:00", whose date is the day it was published; else UTC.
    """
    if value is None:
        return None
    value = value.astimezone(UTC)
    if offset_minutes is not None and precision != "day":
        value = value.astimezone(timezone(timedelta(minutes=offset_minutes)))
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
    *,
    until: date | None = None,
    language: str | None = None,
    agency: str | None = None,
) -> int:
    """Write one record per stored article, ordered by id; return the number written.

    Args:
        engine: database to read.
        out_path: file to write ("-" for standard output, except Parquet); written whole or
            not at all.
        fmt: "jsonl", "csv" or "parquet".
        site: only this site key.
        since: only articles published on or after this day (UTC); undated ones are left out.
        until: only articles published on or before this day (UTC); undated ones are left out.
        language: only articles detected in this language (ISO 639-1).
        agency: only articles crediting this agency code (case-insensitive).

    Returns:
        The number of records written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    selection = ExportFilter(site, since, until, language, agency.upper() if agency else None)
    if fmt == "parquet":
        return _export_parquet(engine, out_path, selection)
    count = 0
    with _output(out_path) as stream, _snapshot(engine) as connection:
        write = _jsonl_writer(stream) if fmt == "jsonl" else _csv_writer(stream)
        for record in iter_records(connection, selection):
            write(record)
            count += 1
    return count


def iter_records(
    connection: Connection,
    selection: ExportFilter | None = None,
    *,
    build: Callable[[RowMapping, Children], dict[str, Any]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Export records in id order, fetched BATCH_SIZE articles at a time."""
    selection = selection or ExportFilter()
    build = build or _record
    article, site_table = models.Article, models.Site
    statement = (
        select(*models.Article.__table__.columns, site_table.key.label("site_key"))
        .join(site_table, site_table.id == article.site_id)
        .order_by(article.id)
        .execution_options(yield_per=BATCH_SIZE, stream_results=True)
    )
    result = connection.execute(filtered(statement, selection))
    for partition in result.partitions():
        ids = [row.id for row in partition]
        children = Children.load(connection, ids)
        for row in partition:
            yield build(row._mapping, children)


def filtered(statement: Select[Any], selection: ExportFilter) -> Select[Any]:
    """The statement (over articles joined to sites) restricted to the selection."""
    article, site_table = models.Article, models.Site
    if selection.site is not None:
        statement = statement.where(site_table.key == selection.site)
    if selection.since is not None:
        statement = statement.where(article.published_at >= _midnight(selection.since))
    if selection.until is not None:
        next_day = _midnight(selection.until) + timedelta(days=1)
        statement = statement.where(article.published_at < next_day)
    if selection.language is not None:
        statement = statement.where(article.language == selection.language)
    if selection.agency is not None:
        agency = models.ArticleAgency
        statement = statement.where(
            exists().where(agency.article_id == article.id, agency.code == selection.agency)
        )
    return statement


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Children:
    """Bylines, tags and agencies of one batch of articles, fetched in three queries."""

    def __init__(self) -> None:
        self.authors: dict[int, list[str]] = defaultdict(list)
        self.desks: dict[int, list[str]] = defaultdict(list)
        self.tags: dict[int, list[str]] = defaultdict(list)
        self.tag_slugs: dict[int, list[str]] = defaultdict(list)
        self.agencies: dict[int, list[str]] = defaultdict(list)

    @classmethod
    def load(cls, connection: Connection, ids: Sequence[int]) -> Children:
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


def _record(article: RowMapping, children: Children) -> dict[str, Any]:
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
        "published_at": format_instant(
            article["published_at"], article["published_precision"], article["published_offset"]
        ),
        "published_precision": article["published_precision"],
        "published_offset": article["published_offset"],
        "published_local_day": _day_text(article["published_local_day"]),
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


def _day_text(day: date | str | None) -> str | None:
    """YYYY-MM-DD (SQLite hands a Date column back as text when read without the model)."""
    return day.isoformat() if isinstance(day, date) else day


def _parquet_record(article: RowMapping, children: Children) -> dict[str, Any]:
    """The export record with typed values: UTC timestamps instead of ISO text."""
    record = _record(article, children)
    for name in TIME_FIELDS:
        record[name] = article[name]
    return record


def _parquet_schema() -> Any:
    import pyarrow as pa

    fields = []
    for name in EXPORT_FIELDS:
        if name in TIME_FIELDS:
            kind = pa.timestamp("us", tz="UTC")
        elif name in LIST_FIELDS:
            kind = pa.list_(pa.string())
        elif name in INTEGER_FIELDS:
            kind = pa.int64()
        elif name == "language_confidence":
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    return pa.schema(fields)


def _export_parquet(engine: Engine, out_path: str | Path, selection: ExportFilter) -> int:
    # Imported here: pyarrow is heavy, and Scrapy imports every command on each call.
    import pyarrow as pa
    import pyarrow.parquet as pq

    if str(out_path) == "-":
        raise ValueError("Parquet cannot be written to standard output: give a file name")
    schema = _parquet_schema()
    count = 0
    with (
        _binary_output(out_path) as partial,
        _snapshot(engine) as connection,
        pq.ParquetWriter(
            partial, schema, compression="zstd", use_dictionary=list(DICTIONARY_FIELDS)
        ) as writer,
    ):
        batch: list[dict[str, Any]] = []
        pending_bytes = 0
        for record in iter_records(connection, selection, build=_parquet_record):
            batch.append(record)
            pending_bytes += sum(
                len(record[name] or "") for name in ("title", "description", "body")
            )
            if len(batch) >= PARQUET_ROW_GROUP or pending_bytes >= PARQUET_ROW_GROUP_BYTES:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch, pending_bytes = [], 0
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


@contextmanager
def _binary_output(out_path: str | Path) -> Iterator[Path]:
    """A temporary path renamed over the target once the writer has closed it."""
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        yield partial
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


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
