"""No fetch of a private address: `scrapy crawl urls` through a redirect to 127.0.0.1.

The issue's reproduction: `-a url=http://localhost:P/redir` answering 302 to
`http://127.0.0.1:P/secret.html` stored the "secret" page as an article. With the guard on,
nothing reaches either server and the URL ends as a `private_address` rejection; with the
range opened by ALLOW_PRIVATE_NETWORKS, the same crawl stores the page.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest
from sqlalchemy import select

from crawler.storage.engine import make_engine
from crawler.storage.models import Article, Rejection
from tests.e2e.conftest import DEMO, FAST, scrapy
from tests.fixture_server import FixtureServer, Route

SECRET = "/actualite/2024/10/28/otan-soldats-nord-coreens-russie.html"


def _outcome(db_url: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            stored = list(connection.scalars(select(Article.url)))
            rejected = [
                (r.url, r.reason, r.detail)
                for r in connection.execute(
                    select(Rejection.url, Rejection.reason, Rejection.detail)
                )
            ]
    finally:
        engine.dispose()
    return stored, rejected


# Literal addresses in URLs: refused before any connection, whatever listens there.
LITERALS = {
    "http://169.254.169.254/latest/meta-data/": "link-local",
    "http://10.0.0.1/intranet.html": "private",
    "http://100.64.0.1/box.html": "shared (CGNAT)",
    "http://[::1]:8080/admin": "::1 is loopback",
    "http://[::ffff:127.0.0.1]/x.html": "embeds 127.0.0.1 is loopback",
    "http://[fd00::1]/x.html": "unique local",
    "http://0.0.0.0:8080/x.html": "this network",
}


def test_redirect_to_loopback_is_refused_by_default(db_url, tmp_path):
    with (
        FixtureServer(DEMO / "site") as secret,
        FixtureServer(
            DEMO / "site", routes={"/redir": Route.redirect(secret.base_url + SECRET)}
        ) as entry,
    ):
        port = entry.httpd.server_address[1]
        start = f"http://localhost:{port}/redir"
        listed = tmp_path / "urls.txt"
        listed.write_text("\n".join([start, *LITERALS]) + "\n", encoding="utf-8")
        run = scrapy(
            "crawl", "urls", "-a", f"file={listed}", *FAST,
            database_url=db_url, extra_env={"ALLOW_PRIVATE_NETWORKS": ""},
        )  # fmt: skip
        reached = entry.requests + secret.requests
    assert run.returncode == 0, run.stderr[-3000:]
    assert reached == []  # not even robots.txt
    stored, rejected = _outcome(db_url)
    assert stored == []
    reasons = {url: (reason, detail) for url, reason, detail in rejected}
    assert sorted(reasons) == sorted([start, *LITERALS])
    assert {reason for reason, _ in reasons.values()} == {"private_address"}
    assert "127.0.0.1 is loopback" in reasons[start][1]
    for url, kind in LITERALS.items():
        assert kind in reasons[url][1], (url, reasons[url])


def test_a_redirect_hop_into_a_refused_range_is_refused(db_url):
    # The entry server stands for an allowed intranet mirror (127.0.0.2, opened alone); its
    # redirect to 127.0.0.1 must be checked again at the hop.
    with (
        FixtureServer(DEMO / "site") as secret,
        FixtureServer(
            DEMO / "site",
            routes={"/redir": Route.redirect(secret.base_url + SECRET)},
            host="127.0.0.2",
        ) as entry,
    ):
        start = f"{entry.base_url}/redir"
        run = scrapy(
            "crawl", "urls", "-a", f"url={start}", *FAST,
            database_url=db_url, extra_env={"ALLOW_PRIVATE_NETWORKS": "127.0.0.2/32"},
        )  # fmt: skip
        reached_entry, reached_secret = list(entry.requests), list(secret.requests)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "/redir" in reached_entry
    assert reached_secret == []
    stored, rejected = _outcome(db_url)
    assert stored == []
    assert [(url, reason) for url, reason, _ in rejected] == [(start, "private_address")]


def test_the_opened_range_lets_the_same_redirect_through(db_url):
    with (
        FixtureServer(DEMO / "site") as secret,
        FixtureServer(
            DEMO / "site", routes={"/redir": Route.redirect(secret.base_url + SECRET)}
        ) as entry,
    ):
        start = f"http://localhost:{entry.httpd.server_address[1]}/redir"
        run = scrapy(
            "crawl", "urls", "-a", f"url={start}", *FAST,
            database_url=db_url, extra_env={"ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8,::1/128"},
        )  # fmt: skip
        reached_secret = list(secret.requests)
    assert run.returncode == 0, run.stderr[-3000:]
    assert SECRET in reached_secret
    stored, rejected = _outcome(db_url)
    assert stored == [start], rejected


def _local_name() -> str | None:
    """A name other than localhost that resolves to a private address here (/etc/hosts)."""
    name = socket.gethostname()
    try:
        address = socket.gethostbyname(name)
    except OSError:
        return None
    if name.lower().endswith("localhost") or ipaddress.ip_address(address).is_global:
        return None
    return name


def test_a_name_resolving_to_a_private_address_is_refused(db_url):
    name = _local_name()
    if name is None:
        pytest.skip("the machine's name does not resolve to a private address here")
    with FixtureServer(DEMO / "site") as server:
        start = f"http://{name}:{server.httpd.server_address[1]}{SECRET}"
        run = scrapy(
            "crawl", "urls", "-a", f"url={start}", *FAST,
            database_url=db_url, extra_env={"ALLOW_PRIVATE_NETWORKS": ""},
        )  # fmt: skip
        reached = list(server.requests)
    assert run.returncode == 0, run.stderr[-3000:]
    assert reached == []
    stored, rejected = _outcome(db_url)
    assert stored == []
    assert [(url, reason) for url, reason, _ in rejected] == [(start, "private_address")]
    assert f"{name} resolves to" in rejected[0][2]
