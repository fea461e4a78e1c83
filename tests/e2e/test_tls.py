"""Certificates are checked: a page behind a self-signed certificate is refused, and recorded.

The demo article is served twice on 127.0.0.1: over HTTPS with a certificate nobody signed,
and over plain HTTP. `scrapy crawl urls` fetches both; the HTTP copy is stored (so the page
itself is fine) and the HTTPS one ends in `rejections` with the TLS failure as its detail.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text

from crawler.storage.engine import make_engine
from tests.e2e.conftest import DEMO, FAST, scrapy
from tests.fixture_server import FixtureServer

pytestmark = pytest.mark.e2e

ARTICLE = "/actualite/2024/10/28/otan-soldats-nord-coreens-russie.html"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key: valid dates, no trusted issuer."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def https_server(root: Path, cert: Path, key: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_self_signed_certificate_is_refused_and_recorded(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    sites = tmp_path / "no-sites"  # generic rules for 127.0.0.1
    sites.mkdir()
    database_url = f"sqlite:///{tmp_path / 'tls.sqlite3'}"
    with (
        https_server(DEMO / "site", cert, key) as https_base,
        FixtureServer(DEMO / "site") as http_server,
    ):
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{https_base}{ARTICLE}\n{http_server.base_url}{ARTICLE}\n")
        run = scrapy(
            "crawl", "urls", "-a", f"file={urls}", "-s", f"SITES_DIR={sites}", *FAST,
            # robots.txt would be refused first (the host then skipped): look at the page itself
            "-s", "RETRY_TIMES=0", "-s", "ROBOTSTXT_OBEY=False", database_url=database_url,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT url FROM article_urls")).scalars().all()
            rejected = connection.execute(text("SELECT url, reason, detail FROM rejections")).all()
    finally:
        engine.dispose()
    assert f"{http_server.base_url}{ARTICLE}" in stored
    assert not any(url.startswith("https://") for url in stored)
    [(url, reason, detail)] = rejected
    assert (url, reason) == (f"{https_base}{ARTICLE}", "fetch_failed")
    assert "certificate" in detail.lower(), detail
