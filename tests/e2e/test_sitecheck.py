"""`scrapy sites --check` against local servers: a sound site, one whose feeds are broken, one
whose robots.txt answers 503; the verdicts, the exit code, the database and `scrapy sites`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bench.site import SMALL_FEED_ITEMS, write_small_site
from crawler.storage.engine import make_engine
from tests.e2e.conftest import FAST, scrapy
from tests.fixture_server import FixtureServer

PAGES = 30
ARTICLE = r"^/actualite/\d{4}/\d{2}/\d{2}/[^/]+\.html$"


def site_file(name: str, base: str, feeds: list[str], sitemaps: list[str]) -> str:
    return (
        f'name = "{name}"\ncountry = "SN"\ntimezone = "Africa/Dakar"\nbase_url = "{base}"\n'
        'groups = ["region:test"]\n\n[discovery]\n'
        f"feeds = {feeds!r}\nsitemaps = {sitemaps!r}\narticle_url = ['{ARTICLE}']\n"
    )  # Python's repr of a list of plain strings is TOML (literal strings)


def test_check_flags_the_broken_sites_and_records_the_result(tmp_path: Path, db_url: str):
    write_small_site(tmp_path / "bon", PAGES, seed=7)
    broken_root = tmp_path / "casse"
    broken_root.mkdir()
    (broken_root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    # a feed URL that now answers a web page (a CMS migration), another that is gone
    (broken_root / "flux.xml").write_text("<html><body>Nouveau site</body></html>")
    down = {"/robots.txt": [(503, {}, b"maintenance")] * 5}
    with (
        FixtureServer(tmp_path / "bon") as good,
        FixtureServer(broken_root) as broken,
        FixtureServer(tmp_path / "bon", overrides=down) as unavailable,
    ):
        sites = tmp_path / "sites"
        sites.mkdir()
        (sites / "bon.toml").write_text(
            site_file("Bon", good.base_url, ["/rss.xml"], ["/sitemap.xml"])
        )
        (sites / "casse.toml").write_text(
            site_file("Cassé", broken.base_url, ["/flux.xml", "/disparu.xml"], [])
        )
        (sites / "ferme.toml").write_text(
            site_file("Fermé", unavailable.base_url, ["/rss.xml"], [])
        )

        # FAST: no download delay, as in every e2e crawl; the politeness asserted here is that
        # each source and each robots.txt is requested once
        run = scrapy("sites", "--check", "region:test", "-s", f"SITES_DIR={sites}", *FAST,
                     database_url=db_url)  # fmt: skip
        assert run.returncode == 1, run.stdout + run.stderr[-2000:]
        out = run.stdout
        assert "bon: ok" in out
        feed = f"feed    {good.base_url}/rss.xml: HTTP 200, parses, {SMALL_FEED_ITEMS} article URLs"
        assert feed in out
        assert f"sitemap {good.base_url}/sitemap.xml: HTTP 200, parses, {PAGES} article URLs" in out
        assert "casse: BROKEN" in out
        assert f"feed {broken.base_url}/flux.xml: not a readable feed" in out
        assert f"feed {broken.base_url}/disparu.xml: HTTP 404" in out
        assert "ferme: BROKEN" in out
        assert "HTTP 503 (the host is disallowed, RFC 9309)" in out
        assert "broken: casse, ferme" in out
        # each source once, robots.txt once per host (the check is polite too)
        assert sorted(good.requests) == ["/robots.txt", "/rss.xml", "/sitemap.xml"]
        assert sorted(broken.requests) == ["/disparu.xml", "/flux.xml", "/robots.txt"]
        assert "/rss.xml" not in unavailable.requests

        only_good = scrapy("sites", "--check", "bon", "-s", f"SITES_DIR={sites}", *FAST,
                           database_url=db_url)  # fmt: skip
        assert only_good.returncode == 0, only_good.stdout + only_good.stderr[-2000:]

        listing = scrapy("sites", "-s", f"SITES_DIR={sites}", database_url=db_url)
        assert listing.returncode == 0, listing.stderr[-2000:]
        lines = {line.split()[0]: line for line in listing.stdout.splitlines()[2:] if line}
        assert " SN " in lines["bon"] and " region:test " in lines["bon"]
        assert " ok 20" in lines["bon"]
        assert "BROKEN 20" in lines["casse"]

    engine = make_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT site_key, ok, problems FROM site_checks ORDER BY id")
        ).all()
    engine.dispose()
    assert [(key, bool(ok)) for key, ok, _ in rows] == [
        ("bon", True),
        ("casse", False),
        ("ferme", False),
        ("bon", True),
    ]
    assert "lists no article URL" not in rows[1][2]
    assert "not a readable feed" in rows[1][2] and "HTTP 404" in rows[1][2]


def test_an_unknown_group_is_a_configuration_error(tmp_path: Path, sqlite_url: str):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "bon.toml").write_text(site_file("Bon", "https://exemple.sn", ["/rss.xml"], []))
    run = scrapy("sites", "--check", "region:atlantide", "-s", f"SITES_DIR={sites}",
                 database_url=sqlite_url)  # fmt: skip
    assert run.returncode == 2
    assert "no site in group 'region:atlantide'" in run.stderr
