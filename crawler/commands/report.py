"""`scrapy report`: one self-contained HTML page of charts over the archive."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import report_database_error
from crawler.storage.engine import (
    DatabaseUrlError,
    make_engine,
    missing_sqlite_file,
    resolve_database_url,
)
from crawler.storage.report import empty_results, run_report_queries
from crawler.storage.schema import SchemaError, ensure_schema, schema_state

if TYPE_CHECKING:
    import argparse

# crawler.report (matplotlib, ~70 MB) is imported by the methods that use it: Scrapy imports
# every command module on each `scrapy crawl`, and the crawl must not carry the charts.


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[-o FILE] [--site KEY[,KEY...]|GROUP] [--since DATE|Nd] [--until DATE|Nd]"

    def short_desc(self) -> str:
        return "Write a self-contained HTML report of the archive (charts and tables)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            default="report.html",
            help="file to write (default report.html); {date} becomes today's date (UTC)",
        )
        parser.add_argument(
            "--site", metavar="KEY|GROUP", help="only these sites (keys, comma-separated)"
        )
        parser.add_argument(
            "--since", metavar="DATE", help="from this UTC day (YYYY-MM-DD, or Nd: N days ago)"
        )
        parser.add_argument(
            "--until", metavar="DATE", help="up to this UTC day included (YYYY-MM-DD or Nd)"
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        from crawler.report import output_path, parse_day, parse_sites

        super().process_options(args, opts)
        opts.now = datetime.now(UTC)
        today = opts.now.date()
        try:
            for option in ("since", "until"):
                value = getattr(opts, option)
                if value is not None:
                    setattr(opts, option, parse_day(value, f"--{option}", today))
            if opts.site is not None:
                assert self.settings is not None
                opts.site = parse_sites(opts.site, self.settings["SITES_DIR"])
        except ValueError as error:
            raise UsageError(str(error), print_help=False) from None
        if opts.since and opts.until and opts.since > opts.until:
            raise UsageError("--since is after --until", print_help=False)
        opts.output = output_path(opts.output, today)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from crawler.report import Period, render

        assert self.settings is not None
        url = resolve_database_url(self.settings.get("DATABASE_URL"))
        period = Period(opts.since, opts.until, opts.site, opts.now)
        try:
            missing = missing_sqlite_file(url)
        except DatabaseUrlError as error:
            self.exitcode = report_database_error("report", url, error)
            return
        if missing is not None:  # nothing to read, and no empty file left behind
            period.notes.append(f"No archive at {missing}: nothing has been crawled into it yet.")
            self._write(render(empty_results(), period), Path(opts.output))
            return
        try:
            engine = make_engine(url)
        except (SQLAlchemyError, ValueError, OSError) as error:
            self.exitcode = report_database_error("report", url, error)
            return
        try:
            if schema_state(engine) == "empty":
                period.notes.append("The database has no tables yet (run `scrapy migrate`).")
                results = empty_results()
            else:
                ensure_schema(engine, create_if_empty=False)
                results = run_report_queries(engine, opts.since, opts.until, opts.site)
        except (SQLAlchemyError, SchemaError) as error:
            self.exitcode = report_database_error("report", url, error)
            return
        finally:
            engine.dispose()
        self._write(render(results, period), Path(opts.output))

    def _write(self, page: str, out: Path) -> None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(out.name + ".partial")
            partial.write_text(page, encoding="utf-8")
            partial.replace(out)
        except OSError as error:
            print(f"scrapy report: cannot write {out}: {error}", file=sys.stderr)
            self.exitcode = 1
            return
        size = len(page.encode("utf-8"))
        print(f"report written to {out} ({size / 1024:.0f} kB)", file=sys.stderr)
