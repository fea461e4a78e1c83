"""Streamed downloads outside Scrapy's downloader, behind the private-address guard.

`scrapy crawl ccnews` and `scrapy crawl warc -a file=https://...` read WARC files of about a
gigabyte, which Scrapy's downloader would hold in memory whole; they stream them with
`open_stream` instead. The policy is the crawl's own (`crawler.fetch.netguard.AddressPolicy`, opened
by `ALLOW_PRIVATE_NETWORKS`). The name is resolved once and the connection goes to the address
that was checked, so a DNS answer that changes in between cannot slip through.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import IO
from urllib.parse import urljoin, urlsplit

from crawler.fetch.netguard import AddressPolicy

USER_AGENT = "depeches (+https://github.com/depeches/depeches) warc-reader"
MAX_REDIRECTS = 5


class StreamRefusedError(OSError):
    """The URL's host resolves to an address the guard does not open."""


def resolve(host: str, port: int, policy: AddressPolicy) -> str:
    """The first address of `host` the guard lets through (every refusal named otherwise)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from None
    refused: list[str] = []
    for info in infos:
        address = str(info[4][0])
        why = policy.refusal(address)
        if why is None:
            return address
        refused.append(why)
    raise StreamRefusedError(
        f"private_address: {host} resolves to "
        + "; ".join(refused)
        + " (open it with ALLOW_PRIVATE_NETWORKS)"
    )


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def open_stream(url: str, policy: AddressPolicy, timeout: float = 60.0) -> IO[bytes]:
    """A streamed GET of `url` (redirects followed, each hop checked); raises OSError.

    The caller reads the body as it arrives and closes it; nothing is buffered whole.
    """
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OSError(f"not an http(s) URL: {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(parts.hostname, port, policy)
        kind = _GuardedHTTPSConnection if parts.scheme == "https" else _GuardedHTTPConnection
        connection = kind(parts.hostname, port, address, timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"User-Agent": USER_AGENT})
        response = connection.getresponse()
        location = response.getheader("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            response.close()
            connection.close()
            url = urljoin(url, location)
            continue
        if response.status != 200:
            response.close()
            connection.close()
            raise OSError(f"{url}: HTTP {response.status} {response.reason}")
        return response
    raise OSError(f"{url}: more than {MAX_REDIRECTS} redirects")
