"""`scrapy gensite URL [-o FILE]`: a site file from a homepage, as `genspider` makes a spider."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler import exitcodes
from crawler.fetch.safety import settings_problems
from crawler.gensite import Draft, render_site_file, site_key_for, validate
from crawler.sites import KEY_RE, SiteConfigError
from crawler.spiders.gensite import GenSiteSpider

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "URL [-o FILE] [--samples N] [--country XX] [--timezone ZONE]"

    def short_desc(self) -> str:
        return "Write a site file from a homepage (feeds, sitemaps, listings, URL patterns)"

    def long_desc(self) -> str:
        return (
            "Finds the sitemaps of robots.txt, the <link rel=alternate> feeds of the homepage "
            "(else the common feed and sitemap paths), sitemap indexes and news sitemaps, and "
            "section pages with a next link; infers article_url patterns from the article URLs "
            "they list; fetches up to N of them and runs them through the pipeline, printing "
            "what share gave each field; writes a commented site file that loads as it is. "
            "Every fetch obeys robots.txt and the politeness settings."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="where to write the file")
        parser.add_argument("--samples", type=int, default=20, help="articles to sample (20)")
        parser.add_argument("--key", help="site key (default: from FILE or the host)")
        parser.add_argument("--country", help="ISO 3166 code of the outlet, e.g. SN")
        parser.add_argument("--timezone", help="IANA time zone, e.g. Africa/Dakar")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if len(args) != 1:
            raise UsageError("give exactly one homepage URL")
        url = args[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            print(f"depeches: error: not an http(s) URL: {url!r}", file=sys.stderr)
            self.exitcode = exitcodes.CONFIG_ERROR
            return
        problems = settings_problems(self.settings)
        if problems:
            print("depeches: error: unsafe settings: " + "; ".join(problems), file=sys.stderr)
            self.exitcode = exitcodes.CONFIG_ERROR
            return
        output = Path(opts.output) if opts.output else None
        key = opts.key or (output.stem if output else site_key_for(url))
        if not KEY_RE.match(key):
            print(f"depeches: error: site key {key!r}: lower-case letters, digits, _ or -",
                  file=sys.stderr)  # fmt: skip
            self.exitcode = exitcodes.CONFIG_ERROR
            return
        draft = Draft(
            start_url=url,
            name=key,
            key=key,
            base_url=f"{parts.scheme}://{parts.netloc}",
            country=opts.country,
            timezone=opts.timezone,
        )
        # the report goes to stderr: the crawl's INFO lines (the project's level) would bury it
        if (self.settings.getpriority("LOG_LEVEL") or 0) < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        process = CrawlerProcess(self.settings)
        process.crawl(GenSiteSpider, draft=draft, samples=max(0, opts.samples))
        process.start()
        if not (draft.feeds or draft.sitemaps or draft.listings):
            print(f"depeches: error: no feed, sitemap or listing found from {url}",
                  file=sys.stderr)  # fmt: skip
            self.exitcode = exitcodes.FAILED
            return
        text = render_site_file(draft)
        try:
            validate(text, key, output or Path(f"{key}.toml"))
        except SiteConfigError as exc:  # a bug of ours: say so rather than write a broken file
            print(f"depeches: error: the generated file does not load: {exc}", file=sys.stderr)
            self.exitcode = exitcodes.FAILED
            return
        print("\n".join(draft.shares.lines()), file=sys.stderr)
        if output:
            output.write_text(text, encoding="utf-8")
            print(f"wrote {output}", file=sys.stderr)
        else:
            print(text)
