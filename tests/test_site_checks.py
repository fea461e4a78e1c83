"""Site-file checks of issue 13: country codes, public suffixes as domains, keys as paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sites import SiteConfigError, is_public_suffix, load_sites, parse_site

BASE = {
    "name": "Le Fil du Sahel",
    "base_url": "https://exemple.sn",
    "discovery": {"feeds": ["/rss.xml"]},
}


@pytest.mark.parametrize(
    ("domain", "suffix"),
    [("com", True), ("sn", True), ("co.uk", True), ("com.sn", True), ("blogspot.com", True),
     ("COM.", True), ("exemple.sn", False), ("www.exemple.sn", False), ("lefil.com.sn", False),
     ("localhost", False), ("127.0.0.1", False), ("", False)],
)  # fmt: skip
def test_public_suffixes(domain, suffix):
    assert is_public_suffix(domain) is suffix


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"country": 221}, "country"), ({"country": "Sénégal"}, "country"),
     ({"country": ["SN"]}, "country"), ({"domains": ["com"]}, "domains[0]"),
     ({"domains": ["exemple.sn", "co.uk"]}, "domains[1]")],
)  # fmt: skip
def test_bad_values_name_their_field(tmp_path, extra, field):
    with pytest.raises(SiteConfigError) as caught:
        parse_site("fil", {**BASE, **extra}, tmp_path / "fil.toml")
    assert caught.value.field_name == field


def test_a_good_country_and_domain_pass(tmp_path):
    site = parse_site("fil", {**BASE, "country": "SN", "domains": ["exemple.sn"]}, tmp_path)
    assert site.country == "SN" and site.domains == ("exemple.sn",)


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a/../../b", "demo\n", "Demo"])
def test_a_site_key_is_never_a_path(tmp_path: Path, key):
    sites = tmp_path / "sites"
    sites.mkdir()
    with pytest.raises(SiteConfigError, match="is not a site key"):
        load_sites(sites, key)
