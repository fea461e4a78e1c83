"""The private-address guard for fetches made outside Scrapy's downloader.

`scrapy crawl ccnews` and `scrapy crawl warc -a file=https://...` stream WARC files of about a
gigabyte, which Scrapy's downloader would hold in memory whole; they read them with
`open_stream` instead. The rule is the crawl's: a connection to a loopback, private,
link-local, multicast, reserved or unspecified address is refused unless one of the CIDRs of
`ALLOW_PRIVATE_NETWORKS` (the setting, else the environment variable of the same name,
comma-separated) contains it. The address checked is the address connected to (the name is
resolved once), so a DNS answer that changes between the check and the connection cannot
slip through.

Kept small and free of project imports so that the downloader's guard can share
`check_address` / `allowed_networks`.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
from collections.abc import Iterable
from typing import IO
from urllib.parse import urljoin, urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
ENV_VAR = "ALLOW_PRIVATE_NETWORKS"
USER_AGENT = "depeches (+https://github.com/depeches/depeches) warc-reader"
MAX_REDIRECTS = 5


class PrivateAddressError(OSError):
    """The URL's host resolves to an address the guard does not open."""


def allowed_networks(value: str | Iterable[str] | None = None) -> tuple[Network, ...]:
    """The CIDRs opened: `value` (a setting), else the environment variable; bad ones raise."""
    if value is None:
        value = os.environ.get(ENV_VAR, "")
    items = value.split(",") if isinstance(value, str) else list(value)
    networks: list[Network] = []
    for item in items:
        text = item.strip()
        if text:
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ValueError(f"{ENV_VAR}: {text!r} is not a CIDR") from None
    return tuple(networks)


def is_public(address: Address) -> bool:
    """Is this an address of the public internet (not loopback, private, link-local...)?"""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_address(address: str, allowed: tuple[Network, ...]) -> Address:
    """The address, if the guard lets a connection to it through; else PrivateAddressError."""
    parsed = ipaddress.ip_address(address.split("%", 1)[0])
    if is_public(parsed) or any(parsed in network for network in allowed):
        return parsed
    raise PrivateAddressError(
        f"{parsed} is a private, loopback or reserved address (open it with {ENV_VAR})"
    )


def resolve(host: str, port: int, allowed: tuple[Network, ...]) -> str:
    """The first address of `host` the guard lets through (every refusal named otherwise)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from None
    refused: list[str] = []
    for info in infos:
        address = str(info[4][0])
        try:
            return str(check_address(address, allowed))
        except PrivateAddressError as exc:
            refused.append(str(exc))
    raise PrivateAddressError(f"{host}: " + "; ".join(refused))


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


def open_stream(url: str, allowed: tuple[Network, ...], timeout: float = 60.0) -> IO[bytes]:
    """A streamed GET of `url` (redirects followed, each hop checked); raises OSError.

    The caller reads the body as it arrives and closes it; nothing is buffered whole.
    """
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OSError(f"not an http(s) URL: {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(parts.hostname, port, allowed)
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
