"""Project Scrapy commands (COMMANDS_MODULE): crawl, migrate, export, reextract, runs, sites,
report."""

from __future__ import annotations

import sys

from crawler import exitcodes
from crawler.storage.engine import DatabaseUrlError, redact
from crawler.storage.retry import describe


def report_database_error(command: str, url: str, error: BaseException) -> int:
    """Print `scrapy <command>: <database>: <error>` to stderr; the exit code to set."""
    print(f"scrapy {command}: {redact(url)}: {describe(error)}", file=sys.stderr)
    return exitcodes.CONFIG_ERROR if isinstance(error, DatabaseUrlError) else exitcodes.FAILED
