"""`scrapy gensite` against a local generated site: the file it writes loads as it is and a
crawl with it stores at least 90 % of the site's articles."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bench.site import write_small_site
from crawler.sites import load_site_file
from tests.e2e.conftest import FAST, scrapy
from tests.fixture_server import FixtureServer

PAGES = 60


def test_gensite_writes_a_file_that_crawls_the_site(tmp_path: Path, db_url: str):
    root = tmp_path / "site"
    write_small_site(root, PAGES, seed=11)
    # a homepage naming its feed, as news CMSs do; the sitemap is only at the common path
    (root / "index.html").write_text(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        '<meta property="og:site_name" content="Le Fil généré"></head>'
        '<body><a href="/actualite/">Actualité</a></body></html>',
        encoding="utf-8",
    )
    sites = tmp_path / "sites"
    sites.mkdir()
    target = sites / "genere.toml"
    with FixtureServer(root) as server:
        run = scrapy("gensite", f"{server.base_url}/", "-o", str(target), "--samples", "8",
                     "--country", "SN", "--timezone", "Africa/Dakar", *FAST,
                     database_url=db_url)  # fmt: skip
        assert run.returncode == 0, run.stderr[-3000:]
        assert "8 of 8 sampled pages stored as articles" in run.stderr
        assert "title          100 %" in run.stderr
        site = load_site_file(target)  # loads as it is
        assert site.feeds == (f"{server.base_url}/rss.xml",)
        assert site.sitemaps == (f"{server.base_url}/sitemap.xml",)
        assert site.listings == (f"{server.base_url}/actualite/",)
        assert tomllib.loads(target.read_text())["discovery"]["article_url"] == [
            r"^/actualite/\d{4}/\d{2}/\d{2}/[^/]+\.html$"
        ]
        # politeness: robots.txt once, each sampled page once
        assert server.requests.count("/robots.txt") == 1

        crawl = scrapy("crawl", "site", "-a", "site=genere", "-s", f"SITES_DIR={sites}", *FAST,
                       database_url=db_url)  # fmt: skip
        assert crawl.returncode == 0, crawl.stderr[-3000:]
    stored = scrapy("export", "-o", str(tmp_path / "out.jsonl"), database_url=db_url)
    assert stored.returncode == 0
    rows = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) >= 0.9 * PAGES


def test_gensite_obeys_robots_txt_and_reads_its_sitemaps(tmp_path: Path, sqlite_url: str):
    root = tmp_path / "site"
    write_small_site(root, 30, seed=5)
    (root / "robots.txt").write_text(
        "User-agent: *\nDisallow: /rss.xml\nSitemap: {{BASE}}/plan/articles.xml\n",
        encoding="utf-8",
    )
    (root / "plan").mkdir()
    (root / "sitemap.xml").rename(root / "plan" / "articles.xml")
    with FixtureServer(root) as server:
        run = scrapy("gensite", f"{server.base_url}/", "--samples", "3", *FAST,
                     database_url=sqlite_url)  # fmt: skip
        assert run.returncode == 0, run.stderr[-3000:]
        assert "/rss.xml" not in server.requests  # disallowed: never fetched
        assert "/plan/articles.xml" in server.requests
        text = run.stdout
        assert "Sitemap: line of robots.txt" in text
        assert 'sitemaps = [\n    "/plan/articles.xml",\n]' in text
        assert "feeds = []" in text
        assert "3 of 3 sampled pages stored as articles" in run.stderr
