"""`scrapy runs [--site KEY] [--limit N]`: the recent crawl runs as a table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import report_database_error
from crawler.monitoring import NORMAL_CLOSE, errors, seen
from crawler.storage.engine import resolve_database_url
from crawler.storage.runs import recent_runs
from crawler.storage.schema import SchemaError, require_schema

if TYPE_CHECKING:
    import argparse


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def why(status: str, stats: dict[str, Any]) -> str:
    """What an operator needs to know of a run that is not plainly ok."""
    if stats.get("close_reason") == "abandoned":
        closer = stats.get("closed_by_run")
        return f"abandoned: the process was gone (found by run {closer})"
    reasons = list(stats.get("depeches/degraded_reasons", []))
    close_reason = stats.get("close_reason")
    if status == "failed" and close_reason and close_reason not in NORMAL_CLOSE:
        reasons.insert(0, str(close_reason))
    return "; ".join(reasons)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Print the recent crawl runs (status, articles, errors, duration)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only this site key")
        parser.add_argument("--limit", type=int, default=20, help="how many runs (default 20)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = resolve_database_url(self.settings.get("DATABASE_URL"))
        try:
            engine = require_schema(url)
            try:
                runs = recent_runs(engine, limit=opts.limit, site_key=opts.site)
            finally:
                engine.dispose()
        except (SQLAlchemyError, SchemaError, ValueError, OSError) as error:
            self.exitcode = report_database_error("runs", url, error)
            return
        rows = []
        for run in runs:
            stats = run.stats
            duration = (
                f"{(run.finished_at - run.started_at).total_seconds():.0f}s"
                if run.finished_at
                else "-"
            )
            rows.append(
                [
                    str(run.id),
                    run.started_at.strftime("%Y-%m-%d %H:%M"),
                    run.spider,
                    run.site_key or "-",
                    run.status,
                    str(int(stats.get("depeches/articles/new", 0))),
                    str(int(stats.get("depeches/articles/updated", 0))),
                    str(seen(stats)),
                    str(
                        sum(int(v) for k, v in stats.items() if k.startswith("depeches/rejected/"))
                    ),
                    str(errors(stats)),
                    duration,
                    why(run.status, stats),
                ]
            )
        headers = ["run", "started (UTC)", "spider", "site", "status", "new", "updated", "seen",
                   "rejected", "errors", "took", "why"]  # fmt: skip
        print(format_table(headers, rows))
