"""Feeds and sitemaps: what discovery reads from them, including broken and hostile ones.

Expected values are written from the documents below. The sitemap parser reads in steps
(`parse_sitemap_in_steps`): every case is also read one byte at a time and at odd step sizes,
so a tag or an entity cut across two steps changes nothing.
"""

from __future__ import annotations

import gzip
import time
from typing import Any

import pytest

from crawler.discovery import (
    MAX_SITEMAP_URLS,
    DiscoveryError,
    SitemapDocument,
    parse_feed,
    parse_feed_in_steps,
    parse_sitemap,
    parse_sitemap_in_steps,
)

BASE = "https://www.exemple.sn/sitemap.xml"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def read_in_steps(body: bytes, step: int) -> SitemapDocument:
    *pauses, document = parse_sitemap_in_steps(body, BASE, step_bytes=step)
    assert pauses == [None] * len(pauses) and document is not None
    return document


def as_plain(document: SitemapDocument) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    return document.kind, [(link.url, link.hints) for link in document.links]


SITEMAPS: list[tuple[str, bytes, str, list[tuple[str, dict[str, Any]]]]] = [
    (
        "urlset with lastmod, relative and blank locs",
        f"""<?xml version="1.0" encoding="UTF-8"?>
        <urlset {NS}>
          <url><loc>https://www.exemple.sn/actualite/2024/10/28/otan.html</loc>
               <lastmod>2024-10-28T14:32:00+00:00</lastmod></url>
          <url><loc>/actualite/2024/10/27/pecheurs.html</loc></url>
          <url><loc>   </loc></url>
          <url><lastmod>2024-10-26</lastmod></url>
        </urlset>""".encode(),
        "urlset",
        [
            (
                "https://www.exemple.sn/actualite/2024/10/28/otan.html",
                {"lastmod": "2024-10-28T14:32:00+00:00"},
            ),
            ("https://www.exemple.sn/actualite/2024/10/27/pecheurs.html", {}),
        ],
    ),
    (
        "Google News fields",
        f"""<urlset {NS} {NEWS_NS}>
          <url><loc>https://www.exemple.sn/a.html</loc>
            <news:news>
              <news:publication><news:name>Le Fil</news:name><news:language>fr</news:language>
              </news:publication>
              <news:publication_date>2024-10-28T14:32:00+01:00</news:publication_date>
              <news:title>Côte d'Ivoire : le prix du cacao &amp; la récolte</news:title>
              <news:keywords>cacao, Côte d'Ivoire , ,récolte</news:keywords>
            </news:news></url>
        </urlset>""".encode(),
        "urlset",
        [
            (
                "https://www.exemple.sn/a.html",
                {
                    "sitemap_published": "2024-10-28T14:32:00+01:00",
                    "sitemap_title": "Côte d'Ivoire : le prix du cacao & la récolte",
                    "sitemap_keywords": ["cacao", "Côte d'Ivoire", "récolte"],
                },
            )
        ],
    ),
    (
        "sitemap index",
        f"""<sitemapindex {NS}>
          <sitemap><loc>https://www.exemple.sn/sitemap-news.xml</loc></sitemap>
          <sitemap><loc>/sitemap-2019.xml.gz</loc><lastmod>2019-12-31</lastmod></sitemap>
        </sitemapindex>""".encode(),
        "index",
        [
            ("https://www.exemple.sn/sitemap-news.xml", {}),
            ("https://www.exemple.sn/sitemap-2019.xml.gz", {"lastmod": "2019-12-31"}),
        ],
    ),
    (
        "no namespace, raw ampersand and an HTML entity in a loc",
        b"""<urlset><url><loc>/recherche?q=eau&page=2&amp;tri=date</loc></url>
        <url><loc>/d&eacute;p&ecirc;che.html</loc></url></urlset>""",
        "urlset",
        [
            ("https://www.exemple.sn/recherche?q=eau&page=2&tri=date", {}),
            ("https://www.exemple.sn/dépêche.html", {}),
        ],
    ),
    (
        "entity bomb and external entity in the DOCTYPE: both stay inert",
        b"""<?xml version="1.0"?>
        <!DOCTYPE urlset [
          <!ENTITY lol "lol">
          <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY xxe SYSTEM "file:///etc/passwd">
        ]>
        <urlset><url><loc>/a-&lol2;.html</loc></url><url><loc>/b.html?x=&xxe;</loc></url></urlset>""",
        "urlset",
        [
            ("https://www.exemple.sn/a-&lol2;.html", {}),
            ("https://www.exemple.sn/b.html?x=&xxe;", {}),
        ],
    ),
    (
        # the recovering parser closes the cut entry too: its partial URL is a link (the site
        # file's article_url pattern, or a 404 recorded as a rejection, deals with it)
        "cut off mid-entry: the entries read before the cut stand",
        f"<urlset {NS}><url><loc>/un.html</loc></url><url><loc>/deux.html</loc></url>"
        "<url><loc>/tr".encode(),
        "urlset",
        [
            ("https://www.exemple.sn/un.html", {}),
            ("https://www.exemple.sn/deux.html", {}),
            ("https://www.exemple.sn/tr", {}),
        ],
    ),
    (
        "an entry nested in another element is not the sitemap's",
        b"<urlset><group><url><loc>/cache.html</loc></url></group>"
        b"<url><loc>/vue.html</loc></url></urlset>",
        "urlset",
        [("https://www.exemple.sn/vue.html", {})],
    ),
    (
        "Latin-1 declared and a byte order mark",
        '<?xml version="1.0" encoding="iso-8859-1"?><urlset><url><loc>/été.html</loc>'
        "</url></urlset>".encode("latin-1"),
        "urlset",
        [("https://www.exemple.sn/été.html", {})],
    ),
    (
        "an HTML page served as a sitemap",
        b"<!DOCTYPE html><html><body><a href='/x.html'>x</a></body></html>",
        "unknown",
        [],
    ),
    ("empty", b"", "unknown", []),
    ("blank", b" \n\t ", "unknown", []),
]


@pytest.mark.parametrize(
    ("body", "kind", "links"),
    [pytest.param(body, kind, links, id=name) for name, body, kind, links in SITEMAPS],
)
def test_sitemap(body: bytes, kind: str, links: list[tuple[str, dict[str, Any]]]) -> None:
    assert as_plain(parse_sitemap(body, BASE)) == (kind, links)
    assert as_plain(parse_sitemap(gzip.compress(body), BASE)) == (kind, links)
    for step in (1, 7, 64):
        assert as_plain(read_in_steps(body, step)) == (kind, links), step


def test_a_sitemap_is_read_to_the_protocol_s_limit(caplog: pytest.LogCaptureFixture) -> None:
    rows = "".join(f"<url><loc>/a/{n}.html</loc></url>" for n in range(MAX_SITEMAP_URLS + 5))
    body = f"<urlset {NS}>{rows}</urlset>".encode()
    document = read_in_steps(body, 4096)
    assert len(document.links) == MAX_SITEMAP_URLS
    assert document.links[-1].url == f"https://www.exemple.sn/a/{MAX_SITEMAP_URLS - 1}.html"
    assert "lists more than 50000 URLs" in caplog.text


def test_a_giant_sitemap_pauses_between_steps() -> None:
    rows = "".join(f"<url><loc>/a/{n}.html</loc></url>" for n in range(2000))
    body = f"<urlset {NS}>{rows}</urlset>".encode()
    *pauses, document = parse_sitemap_in_steps(body, BASE, step_bytes=4096)
    assert document is not None and len(document.links) == 2000
    assert pauses == [None] * -(-len(body) // 4096)


def test_a_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024) + b"</urlset>")
    with pytest.raises(DiscoveryError, match="inflates past"):
        parse_sitemap(bomb, BASE)


FEED_BASE = "https://www.exemple.sn/rss.xml"


@pytest.mark.parametrize(
    ("body", "links"),
    [
        pytest.param(
            b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Le Fil</title>
            <item><title>Budget 2025 : l'Assembl&eacute;e vote</title>
              <link>https://www.exemple.sn/budget.html</link>
              <pubDate>Mon, 28 Oct 2024 14:32:00 +0000</pubDate>
              <category>Economie</category><category>Budget</category></item>
            <item><title>Sans lien</title>
              <guid isPermaLink="true">https://www.exemple.sn/guid.html</guid></item>
            <item><title>Guid non permalien</title><guid isPermaLink="false">42</guid></item>
            </channel></rss>""",
            [
                (
                    "https://www.exemple.sn/budget.html",
                    {
                        "feed_published": "Mon, 28 Oct 2024 14:32:00 +0000",
                        "feed_title": "Budget 2025 : l'Assemblée vote",
                        "feed_tags": ["Economie", "Budget"],
                    },
                ),
                ("https://www.exemple.sn/guid.html", {"feed_title": "Sans lien"}),
            ],
            id="rss 2.0",
        ),
        pytest.param(
            b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Le Fil</title>
            <entry><title>Inondations &amp; relogement</title>
              <link rel="enclosure" href="/photo.jpg"/>
              <link href="/inondations.html"/>
              <published>2024-10-28T14:32:00+01:00</published>
              <category term="Soci\xc3\xa9t\xc3\xa9"/></entry></feed>""",
            [
                (
                    "https://www.exemple.sn/inondations.html",
                    {
                        "feed_published": "2024-10-28T14:32:00+01:00",
                        "feed_title": "Inondations & relogement",
                        "feed_tags": ["Société"],
                    },
                )
            ],
            id="atom",
        ),
        pytest.param(
            b"""<rss><channel><item><title>S\xc3\xa9curit\xc3\xa9 & d\xc3\xa9fense</title>
            <link>/securite.html?a=1&b=2</link></item></channel></rss>""",
            [
                (
                    "https://www.exemple.sn/securite.html?a=1&b=2",
                    {"feed_title": "Sécurité & défense"},
                )
            ],
            id="raw ampersands",
        ),
        pytest.param(b"not xml at all", [], id="not xml"),
    ],
)
def test_feed(body: bytes, links: list[tuple[str, dict[str, Any]]]) -> None:
    assert [(link.url, link.hints) for link in parse_feed(body, FEED_BASE)] == links
    for step in (1, 7, 64):  # a tag or a reference cut across two steps changes nothing
        *pauses, found = parse_feed_in_steps(body, FEED_BASE, step_bytes=step)
        assert found is not None and set(pauses) <= {None}
        assert [(link.url, link.hints) for link in found] == links, step


UTF16_FEED = """<?xml version="1.0" encoding="UTF-16"?>
<rss><channel><item><title>Sécurité & défense : le Sahel</title>
<link>/securite.html?a=1&b=2</link></item></channel></rss>"""


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(UTF16_FEED.encode("utf-16"), id="utf-16 with BOM"),
        pytest.param(UTF16_FEED.encode("utf-16-le"), id="utf-16-le without BOM"),
        pytest.param(UTF16_FEED.encode("utf-16-be"), id="utf-16-be without BOM"),
        pytest.param(UTF16_FEED.encode("utf-32"), id="utf-32 with BOM"),
        pytest.param(
            UTF16_FEED.replace("UTF-16", "UTF-8").encode("utf-8-sig"), id="utf-8 with BOM"
        ),
    ],
)
def test_a_utf16_feed_with_raw_ampersands(encoded: bytes) -> None:
    links = parse_feed(encoded, FEED_BASE)
    assert [(link.url, link.hints) for link in links] == [
        (
            "https://www.exemple.sn/securite.html?a=1&b=2",
            {"feed_title": "Sécurité & défense : le Sahel"},
        )
    ]


def _cpu(action: Any) -> float:
    started = time.process_time()
    action()
    return time.process_time() - started


def test_an_unclosed_doctype_is_read_in_linear_time() -> None:
    """`<!DOCTYPE a ` repeated with no `>`: 48 kB took 3 s, 96 kB 14 s (a search from each)."""

    def body(n: int) -> bytes:
        return b'<?xml version="1.0"?>' + b"<!DOCTYPE a " * n + b"<rss></rss>"

    small = min(_cpu(lambda: parse_feed(body(8_000), FEED_BASE)) for _ in range(3))
    large = _cpu(lambda: parse_feed(body(80_000), FEED_BASE))
    assert large < 20 * small + 0.05, (small, large)
    assert parse_sitemap(body(80_000), BASE).links == []


def test_a_feed_of_ampersands_pauses_between_short_steps() -> None:
    """Escaping costs a Python call per "&": 16 MB of them is seconds, spread over the steps
    (the reactor runs between them), none of which may take more than a fraction of one."""
    item = b"<item><title>" + b"&" * 200_000 + b"</title><link>/a.html</link></item>"
    body = b"<rss><channel>" + item * 20 + b"</channel></rss>"
    steps = parse_feed_in_steps(body, FEED_BASE)
    longest = 0.0
    while True:
        started = time.process_time()
        step = next(steps)
        longest = max(longest, time.process_time() - started)
        if step is not None:
            break
    assert len(step) == 20 and step[0].hints["feed_title"] == "&" * 200_000
    assert longest < 0.5, longest


def test_start_tags_cut_short_by_another_are_read_in_linear_time() -> None:
    """`<a <a <a ...` in a title: libxml2's push parser rescanned from each one (100 kB took
    a second of the reactor, 1 MB would take minutes); escaped, they stay visible text."""

    def body(n: int) -> bytes:
        return (
            b"<rss><channel><item><title>" + b"<a " * n + b"</title>"
            b"<link>/a.html</link></item></channel></rss>"
        )

    small = min(_cpu(lambda: parse_feed(body(3_000), FEED_BASE)) for _ in range(3))
    large = _cpu(lambda: parse_feed(body(30_000), FEED_BASE))
    assert large < 20 * small + 0.05, (small, large)
    links = parse_feed(body(30_000), FEED_BASE)
    assert [link.url for link in links] == ["https://www.exemple.sn/a.html"]
    assert links[0].hints["feed_title"] == "<a " * 29_999 + "<a"

    def sitemap(n: int) -> bytes:
        return b"<urlset><url><loc>/b.html</loc></url>" + b"<a " * n + b"</urlset>"

    small = min(_cpu(lambda: parse_sitemap(sitemap(3_000), BASE)) for _ in range(3))
    large = _cpu(lambda: parse_sitemap(sitemap(30_000), BASE))
    assert large < 20 * small + 0.05, (small, large)
    assert [link.url for link in parse_sitemap(sitemap(30_000), BASE).links] == [
        "https://www.exemple.sn/b.html"
    ]
