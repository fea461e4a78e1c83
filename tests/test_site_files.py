"""Site files: what a correct one gives, and the field a broken one is refused on."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sites import SiteConfigError, load_site_file, parse_site

GOOD = {
    "name": "Le Fil du Sahel",
    "country": "SN",
    "timezone": "Africa/Dakar",
    "base_url": "https://exemple.sn",
    "discovery": {
        "feeds": ["/rss.xml"],
        "listings": ["https://exemple.sn/actualite/"],
        "article_url": [r"^/actualite/\d{4}/"],
        "exclude_url": ["/live/"],
    },
    "selectors": {"read_count": ".views", "body": "div.texte", "drop": ["//div[@id='pub']"]},
}


def test_a_correct_site_file():
    site = parse_site("exemple", GOOD, Path("exemple.toml"))
    assert site.name == "Le Fil du Sahel"
    assert site.domains == ("exemple.sn",)
    assert site.feeds == ("https://exemple.sn/rss.xml",)
    assert site.selectors.read_count == ".views"
    assert site.is_article_url("https://exemple.sn/actualite/2024/10/28/otan.html")
    assert not site.is_article_url("https://exemple.sn/actualite/live/2024/")
    assert not site.is_article_url("https://exemple.sn/a-propos.html")
    moved = site.rebased("http://127.0.0.1:9000")
    assert moved.feeds == ("http://127.0.0.1:9000/rss.xml",)
    assert moved.listings == ("http://127.0.0.1:9000/actualite/",)
    assert moved.domains == ("127.0.0.1",)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"colour": "red"}, "colour"),
        ({"timezone": "Afrique/Dakar"}, "timezone"),
        ({"discovery": {"feeds": []}}, "discovery"),
        ({"discovery": {"feeds": ["rss.xml"]}}, "discovery.feeds[0]"),
        ({"discovery": {"listings": ["/a/"]}}, "discovery.article_url"),
        ({"discovery": {"feeds": ["/r"], "article_url": ["("]}}, "discovery.article_url[0]"),
        ({"selectors": {"tags": "div[["}}, "selectors.tags"),
        ({"selectors": {"drop": ["div.pub"]}}, "selectors.drop[0]"),
        ({"selectors": {"colour": "x"}}, "selectors.colour"),
        ({"language_policy": "maybe"}, "language_policy"),
    ],
)
def test_a_broken_site_file_names_the_field(change, field):
    data = {**GOOD, **change}
    with pytest.raises(SiteConfigError) as caught:
        parse_site("exemple", data, Path("settings/sites/exemple.toml"))
    assert caught.value.field_name == field
    assert str(caught.value).startswith(f"settings/sites/exemple.toml: {field}: ")


def test_invalid_toml_names_the_file(tmp_path):
    bad = tmp_path / "exemple.toml"
    bad.write_text('name = "Le Fil\n', encoding="utf-8")
    with pytest.raises(SiteConfigError, match=r"exemple\.toml: not valid TOML"):
        load_site_file(bad)
