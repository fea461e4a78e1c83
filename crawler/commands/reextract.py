"""`scrapy reextract [--site KEY] [--limit N]`: rerun the processing chain on stored raw pages.

No fetching: each article's latest raw page (raw_pages) goes through `process_page` again (the
crawl's own chain: extraction, normalisation, language, fingerprint), and the result is saved
through the repository
(a text change becomes a revision with reason "reextract"). Prints how many articles changed,
field by field.
"""

from __future__ import annotations

import gzip
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crawler import PIPELINE_VERSION, exitcodes
from crawler.commands import report_database_error
from crawler.items import Article
from crawler.process import DEFAULT_MIN_ARTICLE_WORDS
from crawler.sites import SiteConfig, SiteConfigError, load_sites
from crawler.storage import models
from crawler.storage.engine import SQLITE_BEGIN_OPTION, resolve_database_url
from crawler.storage.export import Children
from crawler.storage.repository import Repository
from crawler.storage.schema import SchemaError, require_schema

if TYPE_CHECKING:
    import argparse

    from sqlalchemy import Engine, Row

    from crawler.process.rejections import Rejected

BATCH_SIZE = 100

# Fields compared before / after, in the order they are reported.
FIELDS = (
    "title",
    "description",
    "body",
    "published_at",
    "published_precision",
    "modified_at",
    "section",
    "authors",
    "desks",
    "tags",
    "agencies",
    "read_count",
    "language",
    "word_count",
    "extractor",
)


@dataclass
class ReextractReport:
    """What a reextraction did: pages read, articles changed, and the count per field."""

    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    revisions: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    fields: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        rejected = sum(self.rejected.values())
        lines = [
            f"reextracted {self.pages} stored pages: {self.changed} articles changed, "
            f"{self.unchanged} unchanged, {rejected} rejected now (left as stored), "
            f"{self.revisions} revisions written"
        ]
        lines += [f"  {name:<20} {self.fields[name]}" for name in FIELDS if self.fields[name]]
        lines += [f"  rejected: {reason:<10} {n}" for reason, n in sorted(self.rejected.items())]
        return lines


def rebuild_article(page: Row[Any], site: SiteConfig, min_words: int) -> Article | Rejected:
    """What the crawl's chain makes of a stored page today: the Article, or why not one."""
    # Imported here: Scrapy imports every command module on each `scrapy` call, and the chain
    # (trafilatura, langdetect) would slow all of them down.
    from crawler.process.chain import PageJob, process_page

    job = PageJob(
        url=page.url,
        final_url=page.final_url,
        html=gzip.decompress(page.html_gz).decode("utf-8"),
        site=site,
        fetched_at=page.fetched_at,
        status=page.http_status,
        hints=dict(page.hints or {}),
        min_words=min_words,
    )
    result = process_page(job)
    if isinstance(result, Article):
        result.site = page.site_key  # the stored site, even when its file has gone
        result.raw_html_gz, result.raw_html_bytes = b"", 0  # stored already
    return result


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _after_values(article: Article, page: Row[Any]) -> dict[str, Any]:
    """The fields as the repository will store them from `article`."""
    labels: dict[str, str] = {}
    for tag in article.tags:
        if tag.slug:
            labels.setdefault(tag.slug, tag.label)
    published, modified = article.published, article.modified
    return {
        "title": article.title,
        "description": article.description,
        "body": article.body,
        # a page without a date keeps the stored one (see Repository._update_article)
        "published_at": published.value if published else page.published_at,
        "published_precision": published.precision if published else page.published_precision,
        "modified_at": modified.value if modified else page.modified_at,
        "section": article.section,
        "authors": _unique(article.authors),
        "desks": _unique(article.desks),
        "tags": list(labels.values()),
        "agencies": sorted(set(article.agency_codes)),
        # only the latest fetch sets the article's read count
        "read_count": (
            article.read_count
            if article.read_count is not None and page.fetched_at >= page.last_seen_at
            else page.read_count
        ),
        "language": article.language,
        "word_count": article.word_count,
        "extractor": article.extractor,
    }


def _before_values(page: Row[Any], children: Children) -> dict[str, Any]:
    article_id = page.article_id
    return {
        "title": page.title,
        "description": page.description,
        "body": page.body,
        "published_at": page.published_at,
        "published_precision": page.published_precision,
        "modified_at": page.modified_at,
        "section": page.section,
        "authors": children.authors.get(article_id, []),
        "desks": children.desks.get(article_id, []),
        "tags": children.tags.get(article_id, []),
        "agencies": children.agencies.get(article_id, []),
        "read_count": page.read_count,
        "language": page.language,
        "word_count": page.word_count,
        "extractor": page.extractor,
    }


def _latest_pages(engine: Engine, after: int, site: str | None, limit: int) -> list[Row[Any]]:
    """The latest raw page of the next `limit` articles with id > after, with their row."""
    page, article, site_table = models.RawPage, models.Article, models.Site
    newer = models.RawPage.__table__.alias("newer")
    statement = (
        select(
            page.url,
            page.final_url,
            page.fetched_at,
            page.http_status,
            page.html_gz,
            page.hints,
            page.article_id,
            site_table.key.label("site_key"),
            *(
                getattr(article, name)
                for name in (
                    "title",
                    "description",
                    "body",
                    "published_at",
                    "published_precision",
                    "modified_at",
                    "section",
                    "read_count",
                    "language",
                    "word_count",
                    "extractor",
                    "last_seen_at",
                )
            ),
        )
        .join(article, article.id == page.article_id)
        .join(site_table, site_table.id == article.site_id)
        .where(
            article.id > after,
            ~select(newer.c.id)
            .where(newer.c.article_id == page.article_id, newer.c.fetched_at > page.fetched_at)
            .exists(),
        )
        .order_by(article.id)
        .limit(limit)
    )
    if site is not None:
        statement = statement.where(site_table.key == site)
    with engine.connect() as connection:
        connection = connection.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
        return list(connection.execute(statement))


def reextract(
    engine: Engine,
    sites: list[SiteConfig],
    *,
    site: str | None = None,
    limit: int | None = None,
    min_words: int = DEFAULT_MIN_ARTICLE_WORDS,
    pipeline_version: str = PIPELINE_VERSION,
) -> ReextractReport:
    """Rerun the chain on the latest raw page of each article (of `site`, at most `limit`)."""
    configs = {config.key: config for config in sites}
    repository = Repository(engine, pipeline_version=pipeline_version)
    report = ReextractReport()
    after = 0
    while limit is None or report.pages < limit:
        size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - report.pages)
        pages = _latest_pages(engine, after, site, size)
        if not pages:
            break
        after = pages[-1].article_id
        with engine.connect() as connection:
            children = Children.load(connection, [page.article_id for page in pages])
        rebuilt: list[Article] = []
        for page in pages:
            report.pages += 1
            config = configs.get(page.site_key) or SiteConfig.for_unknown_domain(page.final_url)
            article = rebuild_article(page, config, min_words)
            if not isinstance(article, Article):
                report.rejected[article.reason] += 1
                continue
            before, now = _before_values(page, children), _after_values(article, page)
            changed = [name for name in FIELDS if before[name] != now[name]]
            report.fields.update(changed)
            if changed:
                report.changed += 1
            else:
                report.unchanged += 1
            rebuilt.append(article)
        results = repository.save_articles(None, rebuilt, reextract=True)
        report.revisions += sum(1 for result in results if result.status == "updated")
    return report


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--site KEY] [--limit N]"

    def short_desc(self) -> str:
        return "Rerun the processing chain on stored raw pages (no fetching); report what changed"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", metavar="KEY", help="only articles of this site")
        parser.add_argument("--limit", metavar="N", type=int, help="at most N articles")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if opts.limit is not None and opts.limit < 1:
            raise UsageError("--limit expects a positive number", print_help=False)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            sites = load_sites(self.settings.get("SITES_DIR"), "all")
        except SiteConfigError as error:
            print(f"scrapy reextract: {error}", file=sys.stderr)
            self.exitcode = exitcodes.CONFIG_ERROR
            return
        url = resolve_database_url(self.settings.get("DATABASE_URL"))
        try:
            engine = require_schema(url)
        except (SQLAlchemyError, SchemaError, ValueError, OSError) as error:
            self._fail(url, error)
            return
        try:
            report = reextract(
                engine,
                sites,
                site=opts.site,
                limit=opts.limit,
                min_words=self.settings.getint("MIN_ARTICLE_WORDS", DEFAULT_MIN_ARTICLE_WORDS),
            )
        except (SQLAlchemyError, SchemaError, OSError) as error:
            self._fail(url, error)
        else:
            print("\n".join(report.lines()))
        finally:
            engine.dispose()

    def _fail(self, url: str, error: BaseException) -> None:
        self.exitcode = report_database_error("reextract", url, error)
