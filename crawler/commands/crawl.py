"""`scrapy crawl`, with checks before any request and exit codes that cron can act on."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler import exitcodes
from crawler.fetch.safety import settings_problems
from crawler.memory import pin_malloc_thresholds
from crawler.sites import SiteConfigError, select_sites
from crawler.spiders.ccnews import month_range
from crawler.spiders.urls import read_url_list
from crawler.storage.engine import DatabaseUrlError, make_engine, redact, resolve_database_url
from crawler.storage.run_lock import AlreadyRunningError, RunLock, attach_lock
from crawler.storage.schema import SchemaBehindError, ensure_schema
from crawler.warc import WarcSourceError, expand_sources


def _fail(message: str) -> None:
    print(f"depeches: error: {message}", file=sys.stderr)


class Command(ScrapyCrawlCommand):
    """Checks site files and the database schema first, then crawls.

    Exit codes: 0 ok, 1 failed, 2 configuration error, 3 database unreachable or behind,
    4 a crawl of the same site is already running, 5 the run finished but looks degraded.
    """

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: site, urls, warc or ccnews")
        assert self.settings is not None
        pin_malloc_thresholds()  # huge pages' buffers go back to the system once freed
        spargs = dict(opts.spargs)
        problems = settings_problems(self.settings)
        if problems:
            _fail("unsafe settings, refusing to crawl: " + "; ".join(problems))
            self.exitcode = exitcodes.CONFIG_ERROR
            return
        lock_names: list[str] = []
        if args[0] == "urls":
            try:
                read_url_list(spargs.get("url"), spargs.get("file"))
            except SiteConfigError as exc:
                _fail(str(exc))
                self.exitcode = exitcodes.CONFIG_ERROR
                return
        if args[0] in ("warc", "ccnews"):
            try:
                if args[0] == "warc":
                    expand_sources(spargs.get("file"))
                else:
                    month_range(spargs.get("from"), spargs.get("to"))
                hosts = (spargs.get("hosts") or "all").strip()
                if hosts not in ("all", "catalogue"):  # a site key or group: it must exist
                    select_sites(self.settings.get("SITES_DIR"), hosts)
            except (SiteConfigError, WarcSourceError) as exc:
                _fail(str(exc))
                self.exitcode = exitcodes.CONFIG_ERROR
                return
        if args[0] == "site":
            try:
                sites = select_sites(self.settings.get("SITES_DIR"), spargs.get("site") or "")
            except SiteConfigError as exc:
                _fail(str(exc))
                self.exitcode = exitcodes.CONFIG_ERROR
                return
            lock_names = [site.key for site in sites]
        url = resolve_database_url(self.settings.get("DATABASE_URL"))
        try:
            engine = make_engine(url)
        except DatabaseUrlError as exc:
            _fail(str(exc))
            self.exitcode = exitcodes.CONFIG_ERROR
            return
        try:
            ensure_schema(engine, create_if_empty=True)
        except SchemaBehindError as exc:
            _fail(f"{redact(url)}: {exc}")
            self.exitcode = exitcodes.DATABASE_ERROR
            return
        except Exception as exc:
            _fail(f"cannot use the database {redact(url)}: {type(exc).__name__}: {exc}")
            self.exitcode = exitcodes.DATABASE_ERROR
            return

        # Scale-out workers of one run share its frontier in Redis: they must not lock each
        # other out (settings/redis.py turns the lock off).
        if not self.settings.getbool("RUN_LOCK_ENABLED", True):
            lock_names = []
        lock = RunLock(engine, lock_names)
        try:
            lock.acquire()
        except AlreadyRunningError as exc:
            _fail(f"{exc}: not starting a second one")
            self.exitcode = exitcodes.ALREADY_RUNNING
            return
        except Exception as exc:
            _fail(f"cannot take the run lock in {redact(url)}: {type(exc).__name__}: {exc}")
            self.exitcode = exitcodes.DATABASE_ERROR
            return
        try:
            assert self.crawler_process is not None
            crawler = self._create_crawler(args[0])
            attach_lock(crawler, lock)  # kept across database restarts (run_lock_watch.py)
            self.crawler_process.crawl(crawler, **spargs)
            self.crawler_process.start()
        finally:
            lock.release()
            engine.dispose()
        try:
            stats = crawler.stats
        except RuntimeError:  # the crawl never started (its spider could not be built)
            stats = None
        code = stats.get_value("depeches/exit_code") if stats is not None else None
        if code:
            self.exitcode = int(code)
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = exitcodes.FAILED
