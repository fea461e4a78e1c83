"""A crawl killed with SIGKILL at ~10 %, 50 % and 90 % and started again loses and doubles nothing.

The site is generated here (seeded): 200 small article pages, all listed in its sitemap, the
20 newest in its RSS feed, and a paginated listing; served on 127.0.0.1. Each run is a real
`scrapy crawl site` process group, killed with SIGKILL once the database holds the target
share of articles; the last run is left to finish. Then the frontier's ledger balances
(discovered = stored + rejected + failed + pending, nothing pending), every page is one
article, and no article is stored twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from crawler.fixture_server import FixtureServer
from crawler.storage.engine import make_engine
from tests.e2e.conftest import FAST, ROOT

pytestmark = pytest.mark.e2e

PAGES = 200
PER_LISTING_PAGE = 20
KILL_AT = (0.10, 0.50, 0.90)
SEED = 20261126
SITE_KEY = "killsite"
WORDS = [
    *[
        "gouvernement",
        "ministre",
        "accord",
        "marché",
        "récolte",
        "pluie",
        "port",
        "route",
        "école",
        "hôpital",
    ],
    *["élection", "président", "conseil", "budget", "prix", "producteurs", "pêcheurs", "commerce"],
    *[
        "frontière",
        "sécurité",
        "santé",
        "jeunesse",
        "emploi",
        "énergie",
        "barrage",
        "réseau",
        "télécoms",
    ],
    *[
        "banque",
        "crédit",
        "inflation",
        "exportations",
        "coton",
        "arachide",
        "cacao",
        "mines",
        "or",
        "uranium",
    ],
    *["pétrole", "gaz", "tourisme", "culture", "festival", "football"],
]
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
max_listing_pages = 20
article_url = ['^/actualite/\\d{{4}}/\\d{{2}}/\\d{{2}}/[^/]+\\.html$']
"""


def article_path(index: int) -> str:
    return f"/actualite/2025/06/{1 + index % 28:02d}/depeche-{index:04d}.html"


def write_site(root: Path, rng: random.Random) -> None:
    """PAGES articles of three paragraphs of seeded random words, plus feed, sitemap, listing."""
    for index in range(PAGES):
        paragraphs = "".join(
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(40)) + f" (dépêche {index}).</p>"
            for _ in range(3)
        )
        day = 1 + index % 28
        page = (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            f"<title>Dépêche numéro {index}</title>"
            f'<meta property="article:published_time" content="2025-06-{day:02d}T10:00:00Z">'
            f"</head><body><article><h1>Dépêche numéro {index}</h1>{paragraphs}</article>"
            "</body></html>"
        )
        target = root / article_path(index).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    urls = "".join(f"<url><loc>{{{{BASE}}}}{article_path(i)}</loc></url>" for i in range(PAGES))
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        encoding="utf-8",
    )
    items = "".join(
        f"<item><title>Dépêche {i}</title><link>{{{{BASE}}}}{article_path(i)}</link></item>"
        for i in range(20)
    )
    (root / "rss.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Fil</title><link>{{{{BASE}}}}/</link>{items}</channel></rss>",
        encoding="utf-8",
    )
    pages = range(0, PAGES, PER_LISTING_PAGE)
    for number, first in enumerate(pages, start=1):
        links = "".join(
            f'<li><a href="{article_path(i)}">Dépêche {i}</a></li>'
            for i in range(first, min(first + PER_LISTING_PAGE, PAGES))
        )
        if number < len(pages):
            links += f'<a href="/actualite/page/{number + 1}/">Page suivante</a>'
        folder = root / "actualite" if number == 1 else root / "actualite/page" / str(number)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8"
        )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")


@pytest.fixture(scope="module")
def bench_site(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("kill-site")
    write_site(root / "site", random.Random(SEED))
    with FixtureServer(root / "site") as server:
        (root / "sites").mkdir()
        (root / "sites" / f"{SITE_KEY}.toml").write_text(
            SITE_TOML.format(base=server.base_url), encoding="utf-8"
        )
        yield server, root / "sites"


def scalar(database_url: str, sql: str, engine: Engine | None = None) -> int:
    own = engine or make_engine(database_url)
    try:
        with own.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    except Exception:
        return 0  # the schema is not there yet (the first run creates it)
    finally:
        if engine is None:
            own.dispose()


def crawl(sites_dir: Path, database_url: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    env["DATABASE_URL"] = database_url
    command = [
        sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"site={SITE_KEY}", *FAST,
        "-s", f"SITES_DIR={sites_dir}", "-s", "STORE_BATCH_SIZE=5",
        # one request at a time, so articles are stored steadily and the kills land mid-crawl
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.04",
        "-s", "CONCURRENT_ITEMS=4",
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, text=True, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def kill_when(process: subprocess.Popen[str], database_url: str, stored: int) -> int:
    """SIGKILL the crawl's process group once `stored` articles are in; the count then."""
    deadline = time.monotonic() + 60
    engine = make_engine(database_url)
    while time.monotonic() < deadline and process.poll() is None:
        if scalar(database_url, "SELECT count(*) FROM articles", engine) >= stored:
            break
        time.sleep(0.02)
    engine.dispose()
    assert process.poll() is None, "the crawl ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return scalar(database_url, "SELECT count(*) FROM articles")


def test_killed_runs_resume_without_loss_or_duplicates(bench_site, db_url):
    _server, sites_dir = bench_site
    rng = random.Random(SEED)
    at_kill = []
    for share in KILL_AT:
        target = round(PAGES * (share + rng.uniform(-0.03, 0.03)))
        at_kill.append(kill_when(crawl(sites_dir, db_url), db_url, target))
    # the first two runs were cut short; the last may have stored its final batch already
    assert at_kill[0] < at_kill[1] < PAGES and at_kill[1] <= at_kill[2] <= PAGES, at_kill
    final = crawl(sites_dir, db_url)
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err[-3000:]

    def count(sql: str) -> int:
        return scalar(db_url, sql)

    discovered = count("SELECT count(*) FROM frontier")
    by_state = {
        state: count(f"SELECT count(*) FROM frontier WHERE state = '{state}'")
        for state in ("stored", "rejected", "failed", "pending")
    }
    assert discovered == PAGES  # the sitemap lists every page, nothing else is an article
    assert discovered == sum(by_state.values())
    assert by_state == {"stored": PAGES, "rejected": 0, "failed": 0, "pending": 0}
    articles = count("SELECT count(*) FROM articles")
    assert articles == PAGES
    # none duplicated: one article per stored URL, no text stored under two rows
    assert count("SELECT count(DISTINCT content_hash) FROM articles") == articles
    assert (
        count(
            "SELECT count(*) FROM frontier f JOIN article_urls u ON u.url = f.url "
            "WHERE f.state = 'stored'"
        )
        == articles
    )
    assert count("SELECT count(*) FROM rejections") == 0
