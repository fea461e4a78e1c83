"""No connection to a private address: a site cannot make the crawler fetch its own network.

A page, a redirect or a DNS record is controlled by the site. Without this guard, a configured
domain (or a subdomain) resolving to 169.254.169.254, 10.x or 127.x, or a redirect to
`http://127.0.0.1:8080/admin`, makes the crawler fetch and store what only this machine may
see. Every address is checked after DNS resolution, for every request (articles, feeds,
sitemaps, robots.txt, each redirect hop), against the non-global ranges of the IANA
special-purpose registries below. `ALLOW_PRIVATE_NETWORKS` (CIDRs; setting or environment
variable of the same name, comma-separated) opens some of them: the tests, `make demo`, an
intranet mirror.

Two parts, one policy:

- `PrivateAddressMiddleware` (downloader middleware, after the proxy middleware) refuses a
  request whose host is a blocked IP literal or a `localhost` name, and resolves other hosts
  first (through the resolver below), so the refusal is a clear `private_address` rejection
  before any robots.txt or connection attempt;
- `GuardedResolver` (TWISTED_DNS_RESOLVER) refuses the blocked addresses when the connection
  itself resolves its host: the address checked is the one connected to, even if the DNS
  answer changed since the middleware's look-up (DNS rebinding).

Behind a proxy (`http_proxy`), the proxy resolves the site's names, not the crawler: only IP
literals and `localhost` names can be checked here, and the proxy must refuse private
destinations itself (docs/operations.md). The proxy's own host is operator configuration and
is never refused.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Sequence
from typing import Any, Self
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.base import ReactorBase
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not globally reachable (IANA IPv4/IPv6 special-purpose address registries), plus multicast.
BLOCKED_NETWORKS: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "this network"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared (CGNAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "broadcast"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
    ("100::/64", "discard-only"),
    ("2001::/23", "IETF protocol assignments"),
    ("2001:db8::/32", "documentation"),
    ("fc00::/7", "unique local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
)
_BLOCKED = tuple((ipaddress.ip_network(cidr), kind) for cidr, kind in BLOCKED_NETWORKS)
# IPv6 forms that carry an IPv4 address: the IPv4 address is what gets reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
LOCALHOST_ADDRESSES = ("127.0.0.1", "::1")
ENV_VARIABLE = "ALLOW_PRIVATE_NETWORKS"


class PrivateAddressError(IgnoreRequest):
    """A request refused before any connection: its host is (or resolves to) a private address."""


class PrivateAddressLookupError(DNSLookupError):
    """A connection refused at resolution time: the host resolves to a private address."""


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def parse_networks(values: Iterable[str]) -> tuple[list[Network], list[str]]:
    """The CIDRs of ALLOW_PRIVATE_NETWORKS, and the entries that are not CIDRs."""
    networks: list[Network] = []
    bad: list[str] = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            bad.append(text[:60])
    return networks, bad


def allowed_networks_setting(settings: Any) -> list[str]:
    """ALLOW_PRIVATE_NETWORKS from the settings (a list, or a comma-separated string)."""
    value = settings.get(ENV_VARIABLE) if settings is not None else None
    if value is None:
        value = os.environ.get(ENV_VARIABLE, "")
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    return [str(part) for part in value]


class AddressPolicy:
    """Which addresses may be connected to: every global one, and ALLOW_PRIVATE_NETWORKS."""

    def __init__(self, allowed: Sequence[Network] = ()) -> None:
        self.allowed = list(allowed)

    @classmethod
    def from_settings(cls, settings: Any) -> Self:
        networks, _bad = parse_networks(allowed_networks_setting(settings))
        return cls(networks)  # bad entries are refused by crawler.fetch.safety before any crawl

    def refusal(self, address: str) -> str | None:
        """Why `address` (an IP literal) may not be connected to; None when it may."""
        try:
            parsed: Address = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
        except ValueError:
            return None  # not an address: names are checked once resolved
        if any(parsed in network for network in self.allowed):
            return None
        embedded = _embedded_ipv4(parsed)
        if embedded is not None:
            inner = self.refusal(str(embedded))
            return f"{parsed} embeds {inner}" if inner else None
        for network, kind in _BLOCKED:
            if parsed in network:
                return f"{parsed} is {kind} ({network})"
        return None


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def is_localhost_name(host: str) -> bool:
    """RFC 6761: `localhost` and every name under it are the machine itself."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def proxy_hosts() -> frozenset[str]:
    """The hosts of the proxies the environment configures (operator's choice, never refused)."""
    hosts = set()
    for proxy in getproxies().values():
        url = proxy if "://" in proxy else f"http://{proxy}"
        host = urlsplit(url).hostname
        if host:
            hosts.add(host.lower())
    return frozenset(hosts)


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to a blocked address."""

    policy: AddressPolicy
    exempt: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        resolver = super().from_crawler(crawler, reactor)
        resolver.policy = AddressPolicy.from_settings(crawler.settings)
        resolver.exempt = proxy_hosts()
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        deferred = super().getHostByName(name, timeout)
        if name.lower() in self.exempt:
            return deferred
        return deferred.addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        why = self.policy.refusal(address)
        if why is not None:
            raise PrivateAddressLookupError(f"private_address: {name} resolves to {why}")
        return address


class PrivateAddressMiddleware:
    """Refuses requests to blocked addresses before robots.txt, connection or proxy sees them."""

    def __init__(self, crawler: Crawler, policy: AddressPolicy) -> None:
        self.crawler = crawler
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, AddressPolicy.from_settings(crawler.settings))

    def _refuse(self, request: Request, why: str) -> PrivateAddressError:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("depeches/private_address_refused")
        return PrivateAddressError(f"private_address: {why} ({request.url[:200]})")

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlparse_cached(request).hostname or ""
        if is_ip_literal(host):
            why = self.policy.refusal(host)
            if why is not None:
                raise self._refuse(request, why)
            return
        if is_localhost_name(host):
            for address in LOCALHOST_ADDRESSES:
                why = self.policy.refusal(address)
                if why is not None:
                    raise self._refuse(request, f"{host} is {why}")
            return
        if request.meta.get("proxy"):
            return  # the proxy resolves the name (and must refuse private destinations)
        from twisted.internet import reactor

        try:
            await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[arg-type]
        except PrivateAddressLookupError as exc:
            raise self._refuse(request, str(exc).removeprefix("private_address: ")) from None
        except Exception:
            return  # a name that does not resolve fails as the download's own error
