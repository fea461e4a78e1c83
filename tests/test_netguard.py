"""The private-address policy (crawler/fetch/netguard.py): which addresses a crawl may reach."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.fetch.netguard import (
    AddressPolicy,
    allowed_networks_setting,
    is_localhost_name,
    parse_networks,
)

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),
    ("100.64.0.1", "shared (CGNAT)"),
    ("100.127.255.254", "shared (CGNAT)"),
    ("0.0.0.0", "this network"),
    ("224.0.0.251", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("198.18.0.1", "benchmarking"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "unique local"),
    ("fd12:3456::1", "unique local"),
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("[::1]", "loopback"),
]
ALLOWED = ["8.8.8.8", "196.1.95.1", "41.82.0.1", "100.63.255.255", "100.128.0.1", "172.32.0.1",
           "2001:4860:4860::8888", "2c0f:fb50::1", "::ffff:8.8.8.8"]  # fmt: skip


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_non_global_addresses_are_refused(address, kind):
    why = AddressPolicy().refusal(address)
    assert why is not None and kind in why


@pytest.mark.parametrize("address", ALLOWED)
def test_global_addresses_pass(address):
    assert AddressPolicy().refusal(address) is None


def test_allowed_networks_open_only_their_range():
    networks, bad = parse_networks(["127.0.0.0/8", " ::1/128 ", "", "10.1.0.0/16"])
    assert bad == []
    policy = AddressPolicy(networks)
    assert policy.refusal("127.0.0.1") is None
    assert policy.refusal("::1") is None
    assert policy.refusal("::ffff:127.0.0.1") is None
    assert policy.refusal("10.1.200.3") is None
    assert policy.refusal("10.2.0.1") is not None
    assert policy.refusal("169.254.169.254") is not None


def test_bad_cidrs_are_reported():
    assert parse_networks(["127.0.0.0/8", "localhost", "10.0.0.0/33"])[1] == [
        "localhost",
        "10.0.0.0/33",
    ]


def test_setting_takes_a_list_or_a_comma_separated_string(monkeypatch):
    monkeypatch.delenv("ALLOW_PRIVATE_NETWORKS", raising=False)
    assert allowed_networks_setting(
        Settings({"ALLOW_PRIVATE_NETWORKS": "10.0.0.0/8, ::1/128"})
    ) == [
        "10.0.0.0/8",
        " ::1/128",
    ]
    assert allowed_networks_setting(Settings({"ALLOW_PRIVATE_NETWORKS": ["10.0.0.0/8"]})) == [
        "10.0.0.0/8"
    ]
    monkeypatch.setenv("ALLOW_PRIVATE_NETWORKS", "192.168.0.0/16")
    assert allowed_networks_setting(Settings()) == ["192.168.0.0/16"]


@pytest.mark.parametrize(
    ("host", "expected"),
    [("localhost", True), ("LOCALHOST.", True), ("api.localhost", True),
     ("localhost.exemple.sn", False), ("mylocalhost", False)],
)  # fmt: skip
def test_localhost_names(host, expected):
    assert is_localhost_name(host) is expected


RESOLVER_SCRIPT = """
import sys
from scrapy.settings import Settings
from twisted.internet import protocol, reactor
from twisted.internet.endpoints import TCP4ClientEndpoint

from crawler.fetch.netguard import GuardedResolver

class Process:  # what Scrapy hands the resolver: an object with settings
    settings = Settings({"ALLOW_PRIVATE_NETWORKS": sys.argv[1]})

GuardedResolver.from_crawler(Process(), reactor).install_on_reactor()
outcome = []

def done(result):
    outcome.append(type(getattr(result, "value", result)).__name__)
    reactor.stop()

endpoint = TCP4ClientEndpoint(reactor, "localhost", 9, timeout=5)
endpoint.connect(protocol.Factory.forProtocol(protocol.Protocol)).addBoth(done)
reactor.run()
print(outcome[0])
"""


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [("", "PrivateAddressLookupError"), ("127.0.0.0/8", "ConnectionRefusedError")],
)
def test_the_resolver_refuses_at_connection_time(allowed, expected):
    # the connection's own resolution (not the middleware's look-up) is checked: a DNS answer
    # that changed between the two still cannot lead to a private address
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", RESOLVER_SCRIPT, allowed],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == expected
