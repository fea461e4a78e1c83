"""`scrapy sites`: configured sites with their groups, last run, article count, health and last
check; `scrapy sites --check [KEY|GROUP ...]` probes their robots.txt, feeds and sitemaps."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.crawler import CrawlerProcess
from sqlalchemy.exc import SQLAlchemyError

from crawler import exitcodes
from crawler.commands import report_database_error
from crawler.commands.runs import format_table
from crawler.fetch.safety import settings_problems
from crawler.sitecheck import SiteReport, format_report
from crawler.sites import SiteConfig, SiteConfigError, load_sites, select_sites
from crawler.spiders.sitecheck import SiteCheckSpider
from crawler.storage.checks import CheckRow, latest_checks, record_checks
from crawler.storage.engine import DatabaseUrlError, make_engine, redact, resolve_database_url
from crawler.storage.runs import site_summaries
from crawler.storage.schema import SchemaBehindError, SchemaError, ensure_schema, require_schema

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--check [KEY|GROUP ...]]"

    def short_desc(self) -> str:
        return "List configured sites (groups, last run, articles, health, last check)"

    def long_desc(self) -> str:
        return (
            "Without options: every site file with its groups, article count, last run and "
            "the result of its last check. With --check: fetch robots.txt and every feed, "
            "sitemap and first listing page of the named sites (keys or groups such as "
            "country:SN, region:maghreb; default: all) once, politely; print per source the "
            "HTTP status, whether it parses, its article URLs and newest date; record the "
            "result in the database; exit 1 when a site is broken."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--check", action="store_true", help="probe the sites' robots.txt, feeds, sitemaps"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        sites_dir = self.settings.get("SITES_DIR")
        try:
            configured = (
                select_sites(sites_dir, args or ["all"])
                if opts.check
                else load_sites(sites_dir, "all")
            )
        except SiteConfigError as error:
            print(f"depeches: error: {error}", file=sys.stderr)
            self.exitcode = exitcodes.CONFIG_ERROR
            return
        url = resolve_database_url(self.settings.get("DATABASE_URL"))
        if opts.check:
            self.exitcode = self._check(configured, url)
        else:
            self.exitcode = self._list(configured, url)

    def _list(self, configured: list[SiteConfig], url: str) -> int:
        try:
            engine = require_schema(url)
            try:
                known = {row.key: row for row in site_summaries(engine)}
                checks = latest_checks(engine)
            finally:
                engine.dispose()
        except (SQLAlchemyError, SchemaError, ValueError, OSError) as error:
            return report_database_error("sites", url, error)
        rows = []
        for site in configured:
            row = known.get(site.key)
            check = checks.get(site.key)
            rows.append(
                [
                    site.key,
                    site.name,
                    site.country or "-",
                    " ".join(g for g in site.groups if not g.startswith("country:")) or "-",
                    str(row.articles if row else 0),
                    f"{'ok' if check.ok else 'BROKEN'} {check.checked_at:%Y-%m-%d %H:%M}"
                    if check
                    else "never",
                    row.last_started_at.strftime("%Y-%m-%d %H:%M")
                    if row and row.last_started_at
                    else "never",
                    (row.last_status or "-") if row else "-",
                ]
            )
        headers = [
            "site", "name", "country", "groups", "articles", "last check", "last run", "health",
        ]  # fmt: skip
        print(format_table(headers, rows))
        return exitcodes.OK

    def _check(self, sites: list[SiteConfig], url: str) -> int:
        assert self.settings is not None
        problems = settings_problems(self.settings)
        if problems:
            print("depeches: error: unsafe settings: " + "; ".join(problems), file=sys.stderr)
            return exitcodes.CONFIG_ERROR
        try:
            engine = make_engine(url)
        except DatabaseUrlError as error:
            return report_database_error("sites", url, error)
        try:
            ensure_schema(engine, create_if_empty=True)
        except SchemaBehindError as exc:
            print(f"depeches: error: {redact(url)}: {exc}", file=sys.stderr)
            return exitcodes.DATABASE_ERROR
        except Exception as exc:
            print(f"depeches: error: cannot use {redact(url)}: {exc}", file=sys.stderr)
            return exitcodes.DATABASE_ERROR
        started = datetime.now(UTC)
        process = CrawlerProcess(self.settings)
        crawler = process.create_crawler(SiteCheckSpider)
        process.crawl(crawler, sites=sites)
        process.start()
        spider = crawler.spider
        if not isinstance(spider, SiteCheckSpider):
            print("depeches: error: the check did not start", file=sys.stderr)
            return exitcodes.FAILED
        reports: list[SiteReport] = spider.site_reports()
        print(format_report(reports))
        rows = [
            CheckRow(r.key, started, r.ok, "; ".join(r.problems()), r.as_json()) for r in reports
        ]
        try:
            record_checks(engine, rows)
        except SQLAlchemyError as exc:
            print(f"depeches: error: check not recorded in {redact(url)}: {exc}", file=sys.stderr)
            return exitcodes.DATABASE_ERROR
        finally:
            engine.dispose()
        broken = [r.key for r in reports if not r.ok]
        print(f"\n{len(reports) - len(broken)} of {len(reports)} sites ok", end="")
        print(f"; broken: {', '.join(broken)}" if broken else "")
        return exitcodes.FAILED if broken else exitcodes.OK
