"""`scrapy export`: write the stored articles to a JSONL, CSV or Parquet file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import report_database_error
from crawler.storage.engine import resolve_database_url
from crawler.storage.export import FORMATS, ExportFilter, export_articles, parse_since
from crawler.storage.schema import SchemaError, require_schema
from crawler.storage.warc_export import export_warc

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return (
            "-o FILE [--format jsonl|csv|parquet|warc] [--site KEY] [--since YYYY-MM-DD] "
            "[--until YYYY-MM-DD] [--language CODE] [--agency CODE]"
        )

    def short_desc(self) -> str:
        return (
            "Export stored articles to a JSONL, CSV or Parquet file, one record per article, "
            "or their stored pages to a WARC file"
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o", "--output", metavar="FILE", required=True, help="file to write, - for stdout"
        )
        parser.add_argument(
            "--format",
            choices=(*FORMATS, "warc"),
            default=None,
            help="output format (default: csv / parquet / warc for a .csv / .parquet / .warc or "
            ".warc.gz file, else jsonl); warc writes the stored pages, gzipped per record for "
            "a .gz name",
        )
        parser.add_argument("--site", metavar="KEY", help="only articles of this site")
        parser.add_argument(
            "--since", metavar="YYYY-MM-DD", help="only articles published on or after this day"
        )
        parser.add_argument(
            "--until", metavar="YYYY-MM-DD", help="only articles published on or before this day"
        )
        parser.add_argument("--language", metavar="CODE", help="only articles in this language")
        parser.add_argument(
            "--agency", metavar="CODE", help="only articles crediting this agency (AFP, APS...)"
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        for option in ("since", "until"):
            value = getattr(opts, option)
            if value is not None:
                try:
                    setattr(opts, option, parse_since(value, f"--{option}"))
                except ValueError as error:
                    raise UsageError(str(error), print_help=False) from None
        if opts.format is None:
            suffix = Path(opts.output).suffix.lower()
            if opts.output.lower().endswith((".warc", ".warc.gz")):
                suffix = ".warc"
            opts.format = {".csv": "csv", ".parquet": "parquet", ".warc": "warc"}.get(
                suffix, "jsonl"
            )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = resolve_database_url(self.settings.get("DATABASE_URL"))
        try:
            engine = require_schema(url)
        except (SQLAlchemyError, SchemaError, ValueError, OSError) as error:
            self._fail(url, error)
            return
        try:
            if opts.format == "warc":
                selection = ExportFilter(
                    opts.site,
                    opts.since,
                    opts.until,
                    opts.language,
                    opts.agency.upper() if opts.agency else None,
                )
                count = export_warc(engine, opts.output, selection)
                print(f"exported {count} pages to {opts.output}", file=sys.stderr)
                return
            count = export_articles(
                engine,
                opts.output,
                opts.format,
                opts.site,
                opts.since,
                until=opts.until,
                language=opts.language,
                agency=opts.agency,
            )
        except (SQLAlchemyError, SchemaError, OSError, ValueError) as error:
            self._fail(url, error)
        else:
            print(f"exported {count} articles to {opts.output}", file=sys.stderr)
        finally:
            engine.dispose()

    def _fail(self, url: str, error: BaseException) -> None:
        self.exitcode = report_database_error("export", url, error)
