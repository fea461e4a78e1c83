"""`scrapy migrate`: bring the database at DATABASE_URL to the latest Alembic revision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import report_database_error
from crawler.storage.engine import make_engine, redact, resolve_database_url
from crawler.storage.schema import SchemaError, upgrade_to_head

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Bring the database (DATABASE_URL) to the latest schema revision"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = resolve_database_url(self.settings.get("DATABASE_URL"))
        try:
            engine = make_engine(url)
        except (SQLAlchemyError, ValueError, OSError) as error:
            self._fail(url, error)
            return
        try:
            revision = upgrade_to_head(engine)
        except (SQLAlchemyError, SchemaError, OSError) as error:
            self._fail(url, error)
        else:
            print(f"{redact(url)}: schema at revision {revision} (head)")
        finally:
            engine.dispose()

    def _fail(self, url: str, error: BaseException) -> None:
        self.exitcode = report_database_error("migrate", url, error)
