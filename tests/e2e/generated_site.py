"""A generated news site for the fault tests: N small articles, seeded, served on 127.0.0.1.

Every article is listed in the sitemap (in a seeded order), the first 20 of that order in the
RSS feed, and all of them on a paginated listing, so discovery finds exactly N article URLs.
Crawls run as real `scrapy crawl site` process groups (the tests kill or outlive them), and the
checks read the database the way an operator would.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from crawler.storage.engine import make_engine
from tests.e2e.conftest import FAST, LOOPBACK_ALLOWED, ROOT
from tests.fixture_server import FixtureServer

SITE_KEY = "killsite"
PER_LISTING_PAGE = 25
FEED_ITEMS = 20
WORDS = [
    "gouvernement", "ministre", "accord", "marché", "récolte", "pluie", "port", "route", "école",
    "hôpital", "élection", "président", "conseil", "budget", "prix", "producteurs", "pêcheurs",
    "commerce", "frontière", "sécurité", "santé", "jeunesse", "emploi", "énergie", "barrage",
    "réseau", "télécoms", "banque", "crédit", "inflation", "exportations", "coton", "arachide",
    "cacao", "mines", "or", "uranium", "pétrole", "gaz", "tourisme", "culture", "festival",
    "football",
]  # fmt: skip
# the body selector spares trafilatura: these pages test the frontier, not extraction
SITE_TOML = """\
name = "Site de reprise"
country = "SN"
timezone = "Africa/Dakar"
language = "fr"
base_url = "{base}"

[discovery]
feeds = ["/rss.xml"]
sitemaps = ["/sitemap.xml"]
listings = ["/actualite/"]
max_listing_pages = {listing_pages}
article_url = ['^/actualite/\\d{{4}}/\\d{{2}}/\\d{{2}}/[^/]+\\.html$']

[selectors]
body = "article .texte"
"""


def article_path(index: int) -> str:
    return f"/actualite/2025/06/{1 + index % 28:02d}/depeche-{index:04d}.html"


def _article(index: int, rng: random.Random) -> str:
    """Two short paragraphs of seeded words, each page's text unique by its number."""
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(30)) + f" (dépêche {index}).</p>"
        for _ in range(2)
    )
    day = 1 + index % 28
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>Dépêche numéro {index}</title>"
        f'<meta property="article:published_time" content="2025-06-{day:02d}T10:00:00Z">'
        f'</head><body><article><h1>Dépêche numéro {index}</h1><div class="texte">{paragraphs}'
        "</div></article></body></html>"
    )


def write_site(root: Path, pages: int, seed: int) -> list[int]:
    """The site's files under `root`; the seeded order in which sitemap and listing list pages."""
    rng = random.Random(seed)
    for index in range(pages):
        target = root / article_path(index).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_article(index, rng), encoding="utf-8")
    order = list(range(pages))
    rng.shuffle(order)
    urls = "".join(f"<url><loc>{{{{BASE}}}}{article_path(i)}</loc></url>" for i in order)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        encoding="utf-8",
    )
    items = "".join(
        f"<item><title>Dépêche {i}</title><link>{{{{BASE}}}}{article_path(i)}</link></item>"
        for i in order[:FEED_ITEMS]
    )
    (root / "rss.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Fil</title><link>{{{{BASE}}}}/</link>{items}</channel></rss>",
        encoding="utf-8",
    )
    starts = range(0, pages, PER_LISTING_PAGE)
    for number, first in enumerate(starts, start=1):
        links = "".join(
            f'<li><a href="{article_path(i)}">Dépêche {i}</a></li>'
            for i in order[first : first + PER_LISTING_PAGE]
        )
        if number < len(starts):
            links += f'<a href="/actualite/page/{number + 1}/">Page suivante</a>'
        folder = root / "actualite" if number == 1 else root / "actualite/page" / str(number)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8"
        )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return order


@dataclass(frozen=True)
class ServedSite:
    server: FixtureServer
    sites_dir: Path
    pages: int
    order: list[int]


@contextmanager
def served_site(folder: Path, pages: int, seed: int) -> Iterator[ServedSite]:
    """Write the site under `folder`, serve it, and write its site file for that origin."""
    order = write_site(folder / "site", pages, seed)
    with FixtureServer(folder / "site") as server:
        sites_dir = folder / "sites"
        sites_dir.mkdir()
        listing_pages = -(-pages // PER_LISTING_PAGE)
        (sites_dir / f"{SITE_KEY}.toml").write_text(
            SITE_TOML.format(base=server.base_url, listing_pages=listing_pages),
            encoding="utf-8",
        )
        yield ServedSite(server, sites_dir, pages, order)


def start_crawl(
    sites_dir: Path, database_url: str, *settings: str, log: Path | None = None
) -> subprocess.Popen[str]:
    """`scrapy crawl site` in its own process group (so a kill takes its workers too).

    Its log goes to `log` when given (read it after the process ended), else nowhere.
    """
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    env["DATABASE_URL"] = database_url
    env.update(LOOPBACK_ALLOWED)
    command = [
        sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"site={SITE_KEY}", *FAST,
        "-s", f"SITES_DIR={sites_dir}", *settings,
    ]  # fmt: skip
    if log is not None:
        command += ["-s", f"LOG_FILE={log}"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, text=True, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def scalar(database_url: str, sql: str, engine: Engine | None = None) -> int:
    """One integer from the database; 0 while the schema is not there yet."""
    own = engine or make_engine(database_url)
    try:
        with own.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    except Exception:
        return 0  # the schema is not there yet (the first run creates it)
    finally:
        if engine is None:
            own.dispose()


def wait_for_articles(
    process: subprocess.Popen[str], database_url: str, count: int, timeout: float = 60
) -> int:
    """Until the database holds `count` articles (or the crawl ended); the count then."""
    deadline = time.monotonic() + timeout
    engine = make_engine(database_url)
    try:
        stored = 0
        while time.monotonic() < deadline and process.poll() is None:
            stored = scalar(database_url, "SELECT count(*) FROM articles", engine)
            if stored >= count:
                break
            time.sleep(0.02)
        return stored
    finally:
        engine.dispose()


def assert_every_page_stored_once(database_url: str, pages: int) -> None:
    """The frontier's ledger balances with nothing pending, and each page is one article."""

    def count(sql: str) -> int:
        return scalar(database_url, sql)

    discovered = count(f"SELECT count(*) FROM frontier WHERE site_key = '{SITE_KEY}'")
    by_state = {
        state: count(f"SELECT count(*) FROM frontier WHERE state = '{state}'")
        for state in ("stored", "rejected", "failed", "pending")
    }
    assert discovered == pages  # the sitemap lists every page, nothing else is an article
    assert discovered == sum(by_state.values())
    assert by_state == {"stored": pages, "rejected": 0, "failed": 0, "pending": 0}
    articles = count("SELECT count(*) FROM articles")
    assert articles == pages
    # none duplicated: one article per stored URL, no text stored under two rows
    assert count("SELECT count(DISTINCT url) FROM articles") == articles
    assert count("SELECT count(DISTINCT content_hash) FROM articles") == articles
    assert (
        count(
            "SELECT count(*) FROM frontier f JOIN article_urls u ON u.url = f.url "
            "WHERE f.state = 'stored'"
        )
        == articles
    )
    assert count("SELECT count(*) FROM rejections") == 0


PROGRESS = re.compile(
    r"Crawled (?P<pages>\d+) pages \(at \d+ pages/min\), scraped (?P<items>\d+) items "
    r"\(at \d+ items/min\); queue (?P<queued>\d+) requests, (?P<active>\d+) in the downloader"
    r"(?:, frontier (?P<pending>\d+) pending)?"
)


def progress_lines(log: str) -> list[dict[str, int]]:
    """The periodic progress lines of a crawl log, as numbers (pending: -1 when not shown)."""
    return [
        {name: int(value) if value is not None else -1 for name, value in m.groupdict().items()}
        for m in PROGRESS.finditer(log)
    ]
