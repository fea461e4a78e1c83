"""Project Scrapy commands (COMMANDS_MODULE): crawl, migrate, export, reextract, runs, sites."""

from __future__ import annotations

import sys

from sqlalchemy.exc import SQLAlchemyError

from crawler import exitcodes
from crawler.storage.engine import redact


def describe_error(error: BaseException) -> str:
    """One readable line for a database error, without SQLAlchemy's SQL dump and help link."""
    if isinstance(error, SQLAlchemyError):
        cause = getattr(error, "orig", None) or error.__cause__ or error
        text = str(cause)
    else:
        text = str(error)
    first_line = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return first_line


def report_database_error(command: str, url: str, error: BaseException) -> int:
    """Print `scrapy <command>: <database>: <error>` to stderr; the exit code to set."""
    print(f"scrapy {command}: {redact(url)}: {describe_error(error)}", file=sys.stderr)
    return exitcodes.FAILED
