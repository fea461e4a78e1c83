"""`scrapy sites`: configured sites with their last run, article count and health."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from sqlalchemy.exc import SQLAlchemyError

from crawler.commands.runs import format_table
from crawler.sites import SiteConfigError, load_sites
from crawler.storage.engine import DatabaseUrlError, make_engine, redact, resolve_database_url
from crawler.storage.runs import site_summaries

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List configured sites with their last run, article count and health"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            configured = load_sites(self.settings.get("SITES_DIR"), "all")
        except SiteConfigError as error:
            print(f"depeches: error: {error}", file=sys.stderr)
            self.exitcode = 2
            return
        url = resolve_database_url(self.settings.get("DATABASE_URL"))
        try:
            known = {row.key: row for row in site_summaries(make_engine(url))}
        except SQLAlchemyError as error:
            print(f"depeches: error: cannot read {redact(url)}: {error}", file=sys.stderr)
            self.exitcode = 2 if isinstance(error, DatabaseUrlError) else 1
            return
        rows = []
        for site in configured:
            row = known.get(site.key)
            rows.append(
                [
                    site.key,
                    site.name,
                    site.country or "-",
                    str(row.articles if row else 0),
                    row.last_started_at.strftime("%Y-%m-%d %H:%M")
                    if row and row.last_started_at
                    else "never",
                    (row.last_status or "-") if row else "-",
                ]
            )
        print(format_table(["site", "name", "country", "articles", "last run", "health"], rows))
