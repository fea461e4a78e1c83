"""The commands' guards: bad site files, a schema behind or missing, explicit URL lists."""

from __future__ import annotations

import re
import shutil

import psycopg
import pytest
from alembic import command
from alembic.config import Config

from tests.e2e.conftest import FAST, ROOT, export_rows, scrapy

pytestmark = pytest.mark.e2e

GOOD = (ROOT / "settings" / "sites" / "demo.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("name = ", "nom = "), "nom"),
        (
            ("'^/archives/article-\\d+\\.html$'", "'^/archives/(article-\\d+\\.html$'"),
            "discovery.article_url[2]",
        ),
        (('feeds = ["/rss.xml"]', 'feeds = ["ftp://exemple.sn/rss.xml"]'), "discovery.feeds[0]"),
        (('timezone = "Africa/Dakar"', 'timezone = "Afrique/Dakar"'), "timezone"),
        (("max_listing_pages = 5", "max_listing_pages = 5\ncolor = 'red'"), "discovery.color"),
        # issue 13: a non-string country was exit 3; a public suffix made the site own it all
        (('country = "SN"', "country = 221"), "country"),
        (('country = "SN"', 'country = ["SN"]'), "country"),
        (('country = "SN"', 'country = "SN"\ndomains = ["com"]'), "domains[0]"),
        (('country = "SN"', 'country = "SN"\ndomains = ["exemple.sn", "gouv.sn"]'), "domains[1]"),
    ],
)
def test_bad_site_file_stops_before_any_request(tmp_path, demo_server, change, field):
    sites = tmp_path / "sites"
    sites.mkdir()
    bad = GOOD.replace(*change)
    assert bad != GOOD
    (sites / "demo.toml").write_text(bad, encoding="utf-8")
    run = scrapy(
        "crawl", "site", "-a", "site=demo", "-a", f"base_url={demo_server.base_url}",
        "-s", f"SITES_DIR={sites}", *FAST,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )  # fmt: skip
    assert run.returncode == 2
    assert str(sites / "demo.toml") in run.stderr
    assert field in run.stderr
    assert demo_server.requests == []


def test_unknown_site_is_a_configuration_error(tmp_path):
    run = scrapy(
        "crawl",
        "site",
        "-a",
        "site=nulle-part",
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert run.returncode == 2
    assert "nulle-part.toml" in run.stderr


def test_a_bad_url_list_stops_before_any_request(tmp_path, demo_server):
    urls_file = tmp_path / "urls.txt"
    urls_file.write_text(f"{demo_server.base_url}/index.html\nwww.exemple.sn/sans-schema.html\n")
    run = scrapy(
        "crawl", "urls", "-a", f"file={urls_file}", *FAST,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )  # fmt: skip
    assert run.returncode == 2
    assert f"{urls_file} line 2" in run.stderr
    assert "sans-schema" not in run.stderr  # the file's lines are named, not printed
    assert "Traceback" not in run.stderr
    assert demo_server.requests == []


def test_schema_behind_asks_for_migrate(tmp_path, demo_server):
    db = tmp_path / "old.sqlite3"
    url = f"sqlite:///{db}"
    assert scrapy("migrate", database_url=url).returncode == 0
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.downgrade(config, "base")
    # a table exists but no revision is current: behind
    run = scrapy(
        "crawl", "site", "-a", "site=demo", "-a", f"base_url={demo_server.base_url}", *FAST,
        database_url=url,
    )  # fmt: skip
    assert run.returncode == 3, run.stderr[-2000:]
    assert "scrapy migrate" in run.stderr
    assert demo_server.requests == []


def test_missing_sqlite_file_is_created_at_head(tmp_path, demo_server):
    url = f"sqlite:///{tmp_path / 'new' / 'fresh.sqlite3'}"
    page = "/actualite/2024/10/28/"
    article = next(p for p in (ROOT / "demo/site/actualite/2024/10/28").iterdir())
    run = scrapy(
        "crawl", "urls", "-a", f"url={demo_server.base_url}{page}{article.name}", *FAST,
        database_url=url,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "new" / "fresh.sqlite3").exists()


def test_urls_spider_fetches_exactly_the_listed_urls(tmp_path, demo_server):
    url = f"sqlite:///{tmp_path / 'urls.sqlite3'}"
    site_root = ROOT / "demo/site"
    articles = sorted((site_root / "actualite").glob("2024/*/*/*.html"))
    listed = [f"{demo_server.base_url}/{p.relative_to(site_root)}" for p in articles]
    urls_file = tmp_path / "urls.txt"
    urls_file.write_text("\n".join(listed) + "\n", encoding="utf-8")
    run = scrapy("crawl", "urls", "-a", f"file={urls_file}", *FAST, database_url=url)
    assert run.returncode == 0, run.stderr[-3000:]
    fetched = [p for p in demo_server.requests if p.startswith("/actualite/")]
    assert sorted(fetched) == sorted(u.removeprefix(demo_server.base_url) for u in listed)
    assert not any(p.startswith(("/rss", "/sitemap")) for p in demo_server.requests)
    rows = export_rows(url, tmp_path)
    assert rows, "nothing stored"


def test_database_unreachable_exits_3(tmp_path, demo_server):
    run = scrapy(
        "crawl", "site", "-a", "site=demo", "-a", f"base_url={demo_server.base_url}", *FAST,
        database_url="postgresql://postgres@127.0.0.1:1/nowhere",
    )  # fmt: skip
    assert run.returncode == 3
    assert "cannot use the database" in run.stderr
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_site_key_cannot_name_a_file_outside_sites_dir(tmp_path, demo_server):
    sites = tmp_path / "sites"
    sites.mkdir()
    (tmp_path / "outside.toml").write_text(GOOD, encoding="utf-8")  # a valid site file
    run = scrapy(
        "crawl", "site", "-a", "site=../outside", "-a", f"base_url={demo_server.base_url}",
        "-s", f"SITES_DIR={sites}", *FAST,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )  # fmt: skip
    assert run.returncode == 2
    assert "'../outside' is not a site key" in run.stderr
    assert "Traceback" not in run.stderr
    assert demo_server.requests == []


@pytest.mark.parametrize(
    "database_url",
    ["postgresql://depeches:s3cret@db:port/x", "pas une URL", "mysql://depeches:s3cret@db/x"],
)
@pytest.mark.parametrize("command", ["crawl", "export", "runs", "sites", "check", "report"])
def test_an_unusable_database_url_is_a_configuration_error(tmp_path, database_url, command):
    args = {
        "crawl": ["crawl", "urls", "-a", "url=https://exemple.sn/a.html"],
        "export": ["export", "-o", str(tmp_path / "out.jsonl")],
        "runs": ["runs"],
        "sites": ["sites"],
        "check": ["sites", "--check", "demo"],
        "report": ["report", "-o", str(tmp_path / "report.html")],
    }[command]
    run = scrapy(*args, database_url=database_url)
    assert run.returncode == 2, run.stderr[-2000:]
    assert "DATABASE_URL" in run.stderr
    assert "Traceback" not in run.stderr
    assert "s3cret" not in run.stderr


# Every command that opens the database and must not create its schema: `crawl` and
# `sites --check` create it, `report` writes a page saying the archive is empty.
READERS = {
    "export": ["export", "-o", "{tmp}/out.jsonl"],
    "reextract": ["reextract"],
    "runs": ["runs"],
    "sites": ["sites"],
}


@pytest.mark.parametrize(
    "database",
    ["sqlite-missing", "sqlite-empty", pytest.param("postgres", marks=pytest.mark.postgres)],
)
@pytest.mark.parametrize("command", sorted(READERS))
def test_a_database_without_schema_asks_for_migrate(tmp_path, request, command, database):
    if database == "postgres":
        url = request.getfixturevalue("empty_pg_url")
        why = ""
    else:
        path = tmp_path / "data" / "depeches.sqlite3"
        if database == "sqlite-empty":
            path.parent.mkdir()
            path.touch()
        url = f"sqlite:///{path}"
        why = " (the file does not exist)" if database == "sqlite-missing" else ""
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in READERS[command]]
    run = scrapy(*args, database_url=url)
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.stdout == ""
    # one line: the command, the database, what is wrong and what to run
    said = (
        f"scrapy {command}: {url}: the database has no depeches schema{why}: "
        "run `scrapy migrate` to create it (revision "
    )
    assert re.fullmatch(re.escape(said) + r"[0-9a-f]{12}\)\n", run.stderr), run.stderr[-2000:]
    # nothing was created: no file, folder, WAL header or table; no export file either
    assert not (tmp_path / "out.jsonl").exists()
    if database == "sqlite-missing":
        assert not (tmp_path / "data").exists()
    elif database == "sqlite-empty":
        assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["depeches.sqlite3"]
        assert (tmp_path / "data" / "depeches.sqlite3").stat().st_size == 0
    else:
        with psycopg.connect(url) as connection:
            tables = connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        assert tables == []
