"""Canonical URLs: tracking, AMP and mobile variants fold; different articles never merge."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.fields.html import parse_html
from crawler.fields.urls import (
    canonicalize_url,
    choose_canonical_url,
    find_canonical_candidates,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Exemple.FR/Politique/Article-1.html",
            "https://www.exemple.fr/Politique/Article-1.html",
        ),
        ("https://www.exemple.fr:443/a", "https://www.exemple.fr/a"),
        ("http://www.exemple.fr:80/a", "http://www.exemple.fr/a"),
        ("http://www.exemple.fr:8080/a", "http://www.exemple.fr:8080/a"),
        ("https://www.exemple.fr/a#commentaires", "https://www.exemple.fr/a"),
        ("https://www.exemple.fr", "https://www.exemple.fr/"),
        # tracking parameters go, the others stay in their order
        (
            "https://www.exemple.fr/a?utm_source=twitter&id=7&xtor=RSS-3&page=2&fbclid=XyZ",
            "https://www.exemple.fr/a?id=7&page=2",
        ),
        ("https://www.exemple.fr/a?at_medium=custom7&at_campaign=x", "https://www.exemple.fr/a"),
        (
            "https://www.exemple.fr/a?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5",
            "https://www.exemple.fr/a",
        ),
        (
            "https://www.exemple.fr/a?igshid=1&_ga=2&ref_src=twsrc&cmp=rss&ns_campaign=x&oref=y",
            "https://www.exemple.fr/a",
        ),
        ("https://www.exemple.fr/a?UTM_Medium=email&z=1&b=2", "https://www.exemple.fr/a?z=1&b=2"),
        (
            "https://www.exemple.fr/spip.php?article717",
            "https://www.exemple.fr/spip.php?article717",
        ),
        # AMP renditions
        (
            "https://www.exemple.fr/monde/article-123/amp/",
            "https://www.exemple.fr/monde/article-123/",
        ),
        (
            "https://www.exemple.fr/monde/article-123/amp",
            "https://www.exemple.fr/monde/article-123",
        ),
        (
            "https://www.exemple.fr/amp/monde/article-123",
            "https://www.exemple.fr/monde/article-123",
        ),
        (
            "https://www.exemple.fr/monde/article-123?amp",
            "https://www.exemple.fr/monde/article-123",
        ),
        (
            "https://www.exemple.fr/monde/article-123?amp=1&p=2",
            "https://www.exemple.fr/monde/article-123?p=2",
        ),
        ("https://www.exemple.fr/a?outputType=amp", "https://www.exemple.fr/a"),
        ("https://amp.exemple.fr/monde/article-123", "https://www.exemple.fr/monde/article-123"),
        (
            "https://www.exemple.fr/monde/article-123.amp.html",
            "https://www.exemple.fr/monde/article-123.html",
        ),
        # an "amp" word inside a slug is not an AMP marker
        ("https://www.exemple.fr/sport/camp-de-base", "https://www.exemple.fr/sport/camp-de-base"),
        ("https://www.exemple.fr/amplitude/x", "https://www.exemple.fr/amplitude/x"),
        # mobile hosts
        ("https://m.exemple.fr/a", "https://www.exemple.fr/a"),
        ("https://mobile.exemple.fr/a", "https://www.exemple.fr/a"),
        ("https://m.fr/a", "https://m.fr/a"),
        # percent-escapes: non-ASCII path encoded, escapes upper-cased
        ("https://www.exemple.fr/caf\u00e9", "https://www.exemple.fr/caf%C3%A9"),
        ("https://www.exemple.fr/caf%c3%a9", "https://www.exemple.fr/caf%C3%A9"),
        # garbage never raises: it comes back stripped
        ("  pas une url  ", "pas une url"),
        ("", ""),
        ("mailto:redaction@exemple.fr", "mailto:redaction@exemple.fr"),
        ("https://www.exemple.fr:99999/a", "https://www.exemple.fr:99999/a"),
        ("http://[::1", "http://[::1"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_canonicalize_url_is_idempotent_on_nested_amp() -> None:
    once = canonicalize_url("https://amp.exemple.fr/amp/amp/a.amp.amp.html?amp&utm_source=x")
    assert once == "https://www.exemple.fr/a.html"
    assert canonicalize_url(once) == once


_segment = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12
).filter(lambda s: s != "amp" and not s.endswith(".amp"))
_path = st.lists(_segment, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))
_param = st.tuples(
    st.sampled_from(["id", "page", "q", "article", "p"]), st.text(alphabet="abc123", max_size=5)
)
_tracking = st.tuples(
    st.sampled_from(["utm_source", "utm_campaign", "xtor", "fbclid", "at_medium"]),
    st.text(alphabet="abc123", max_size=5),
)


def _url(host: str, path: str, params: list[tuple[str, str]], fragment: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params)
    return (
        f"https://{host}{path}"
        + (f"?{query}" if query else "")
        + (f"#{fragment}" if fragment else "")
    )


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["www.exemple.fr", "M.Exemple.fr", "amp.exemple.fr", "actu.fr"]),
    _path,
    st.lists(st.one_of(_param, _tracking), max_size=4),
    st.text(alphabet="xyz", max_size=3),
)
def test_canonicalize_url_is_idempotent(
    host: str, path: str, params: list[tuple[str, str]], fragment: str
) -> None:
    once = canonicalize_url(_url(host, path, params, fragment))
    assert canonicalize_url(once) == once


@settings(max_examples=100, deadline=None)
@given(_path, _path, st.lists(_tracking, max_size=2))
def test_different_paths_never_merge(
    path_a: str, path_b: str, tracking: list[tuple[str, str]]
) -> None:
    a = canonicalize_url(_url("www.exemple.fr", path_a, tracking, ""))
    b = canonicalize_url(_url("www.exemple.fr", path_b, [], "top"))
    assert (a == b) == (path_a == path_b)


@settings(max_examples=100, deadline=None)
@given(_path, _param, _param)
def test_different_meaningful_parameters_never_merge(
    path: str, param_a: tuple[str, str], param_b: tuple[str, str]
) -> None:
    a = canonicalize_url(_url("www.exemple.fr", path, [param_a], ""))
    b = canonicalize_url(_url("www.exemple.fr", path, [param_b], ""))
    assert (a == b) == (param_a == param_b)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_canonicalize_url_never_raises(text: str) -> None:
    result = canonicalize_url(text)
    assert canonicalize_url(result) == result


def test_find_canonical_candidates_in_page_order() -> None:
    tree = parse_html(
        """<html><head>
        <meta property="og:url" content="https://www.exemple.fr/og">
        <link rel="canonical" href="/relative-canon">
        <link rel="alternate" href="https://www.exemple.fr/amp">
        <link rel="Canonical" href="/relative-canon">
        </head><body></body></html>"""
    )
    assert find_canonical_candidates(tree) == ["/relative-canon", "https://www.exemple.fr/og"]


def test_find_canonical_candidates_none() -> None:
    assert find_canonical_candidates(parse_html("<html><body><p>x</p></body></html>")) == []


PAGE = "https://m.exemple.fr/monde/article-1?utm_source=rss"


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (["https://www.exemple.fr/monde/article-1"], "https://www.exemple.fr/monde/article-1"),
        (["/monde/article-1-canon"], "https://www.exemple.fr/monde/article-1-canon"),
        (["//www.exemple.fr/x"], "https://www.exemple.fr/x"),
        # another site: ignored
        (["https://www.autre.fr/monde/article-1"], "https://www.exemple.fr/monde/article-1"),
        # the home page: ignored, the next candidate wins
        (["https://www.exemple.fr/", "https://www.exemple.fr/y"], "https://www.exemple.fr/y"),
        (["/"], "https://www.exemple.fr/monde/article-1"),
        # not http(s)
        (
            ["javascript:void(0)", "ftp://www.exemple.fr/z"],
            "https://www.exemple.fr/monde/article-1",
        ),
        # AMP host of the same site is accepted and folded
        (["https://amp.exemple.fr/monde/a/amp/"], "https://www.exemple.fr/monde/a/"),
        # a tracking parameter in the canonical goes too
        (["https://exemple.fr/z?xtor=AL-1"], "https://exemple.fr/z"),
        ([], "https://www.exemple.fr/monde/article-1"),
        (["http://[bad"], "https://www.exemple.fr/monde/article-1"),
    ],
)
def test_choose_canonical_url(candidates: list[str], expected: str) -> None:
    assert choose_canonical_url(PAGE, candidates) == expected


def test_choose_canonical_url_garbage_page_url() -> None:
    assert choose_canonical_url("  n'importe quoi ", ["/a"]) == "n'importe quoi"


@pytest.mark.parametrize(
    ("page_url", "candidates", "expected"),
    [
        # fetched on the mobile host with tracking: the canonical on www. is the same site
        (
            "https://m.exemple.sn/politique/article-12?utm_source=fb&fbclid=IwAR",
            ["https://www.exemple.sn/politique/article-12"],
            "https://www.exemple.sn/politique/article-12",
        ),
        # no canonical: the mobile page URL itself is folded
        (
            "https://m.exemple.sn/politique/article-12?xtor=RSS-3&id=4",
            [],
            "https://www.exemple.sn/politique/article-12?id=4",
        ),
        # an AMP page whose only candidate is an aggregator's og:url
        (
            "https://www.exemple.sn/amp/politique/article-12",
            ["https://www.agregateur-afrique.com/senegal/article-12"],
            "https://www.exemple.sn/politique/article-12",
        ),
    ],
)
def test_choose_canonical_url_mobile_amp_and_off_site(
    page_url: str, candidates: list[str], expected: str
) -> None:
    assert choose_canonical_url(page_url, candidates) == expected
