"""The catalogue of real outlets in settings/sites: every file loads, is sourced and https, and
the groups of `-a site=` select what they say."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.sites import SiteConfigError, load_sites, select_sites
from settings.base import SITES_DIR

CONTINENT = {
    "FR": "Europe", "BE": "Europe", "CH": "Europe", "LU": "Europe",
    "CA": "North America", "HT": "North America",
    "LB": "Asia",
    "DZ": "Africa", "MA": "Africa", "TN": "Africa", "SN": "Africa", "CI": "Africa",
    "ML": "Africa", "BF": "Africa", "NE": "Africa", "GN": "Africa", "BJ": "Africa",
    "TG": "Africa", "CM": "Africa", "CD": "Africa", "CG": "Africa", "GA": "Africa",
    "MG": "Africa", "MU": "Africa", "RE": "Africa",
}  # fmt: skip
CATALOGUE = [s for s in load_sites(SITES_DIR, "all") if s.include_in_all]


def test_the_catalogue_spans_the_francophone_world():
    assert len(CATALOGUE) >= 40
    countries = {s.country for s in CATALOGUE}
    assert len(countries) >= 8
    assert len({CONTINENT[c] for c in countries}) >= 3
    assert "demo" not in {s.key for s in CATALOGUE}


@pytest.mark.parametrize("site", CATALOGUE, ids=lambda s: s.key)
def test_each_outlet_file_is_complete_sourced_and_https(site):
    text = Path(site.path or "").read_text(encoding="utf-8")
    assert text.startswith("# "), "the file says where its URLs come from"
    assert "\ntimezone = " in text and "\nlanguage = " in text and "\ncountry = " in text
    assert site.country in CONTINENT
    assert any(g.startswith("region:") for g in site.groups)
    assert f"country:{site.country.lower()}" in site.groups
    for url in (site.base_url or "", *site.feeds, *site.sitemaps, *site.listings):
        assert urlsplit(url).scheme == "https", url
    assert site.feeds or site.sitemaps or site.listings


def test_groups_select_sites():
    senegal = select_sites(SITES_DIR, "country:SN")
    assert senegal and all(s.country == "SN" for s in senegal)
    assert "demo" not in {s.key for s in senegal}  # named only: -a site=demo
    maghreb = {s.country for s in select_sites(SITES_DIR, "region:maghreb")}
    assert maghreb <= {"DZ", "MA", "TN"} and len(maghreb) == 3
    agencies = select_sites(SITES_DIR, "kind:agency")
    assert {"aps-dz", "map-express"} <= {s.key for s in agencies}
    assert [s.key for s in select_sites(SITES_DIR, "demo")] == ["demo"]
    both = select_sites(SITES_DIR, ["lemonde", "country:FR"])
    assert len({s.key for s in both}) == len(both)


def test_unknown_groups_and_bad_group_names_are_refused(tmp_path: Path):
    with pytest.raises(SiteConfigError, match="no site in group 'region:atlantide'"):
        select_sites(SITES_DIR, "region:atlantide")
    bad = tmp_path / "exemple.toml"
    bad.write_text('name = "X"\ngroups = ["maghreb"]\n[discovery]\nfeeds = ["https://x.sn/r"]\n')
    with pytest.raises(SiteConfigError) as caught:
        load_sites(tmp_path, "exemple")
    assert caught.value.field_name == "groups[0]"
    bad.write_text('name = "X"\ninclude_in_all = "no"\n[discovery]\nfeeds = ["https://x.sn/r"]\n')
    with pytest.raises(SiteConfigError) as caught:
        load_sites(tmp_path, "exemple")
    assert caught.value.field_name == "include_in_all"


def test_all_without_any_catalogue_site_is_an_error(tmp_path: Path):
    (tmp_path / "demo.toml").write_text(
        'name = "X"\ninclude_in_all = false\n[discovery]\nfeeds = ["https://x.sn/r"]\n'
    )
    assert [s.key for s in select_sites(tmp_path, "demo")] == ["demo"]
    with pytest.raises(SiteConfigError, match="no site for all"):
        select_sites(tmp_path, "all")
