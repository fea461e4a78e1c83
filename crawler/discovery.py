"""Find article URLs in feeds (RSS, Atom, RDF), sitemaps (index, urlset, news) and listings.

Pure functions over response bytes. XML is parsed with entity expansion, DTD loading and network
access off (billion laughs, XXE), and gzip is inflated with a hard size limit (zip bombs).

Before parsing, the document type declaration is cut out (a feed or sitemap has no use for
one: it only ever carries entity bombs and external entities) and stray ampersands are
escaped, so a broken feed (raw `&` in a title or a link, HTML entities such as `&eacute;`)
keeps every item instead of losing text to the parser's recovery mode. A sitemap is read up to
the protocol's 50,000 URLs; the rest is logged and ignored.
"""

from __future__ import annotations

import contextlib
import gzip
import html.entities
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import etree

logger = logging.getLogger(__name__)

MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
MAX_SITEMAP_URLS = 50_000
SITEMAP_STEP_BYTES = 256 * 1024  # a 50,000-URL sitemap (~6 MB) is read in ~25 steps


class DiscoveryError(ValueError):
    """A feed or sitemap that cannot be read (too large, not XML)."""


@dataclass(frozen=True)
class Link:
    """An article URL found by discovery, with what the source said about it."""

    url: str
    hints: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


def inflate(body: bytes, limit: int = MAX_XML_BYTES) -> bytes:
    """Gunzip when the body is gzip (sitemap.xml.gz), refusing to inflate past `limit`."""
    if not body.startswith(b"\x1f\x8b"):
        if len(body) > limit:
            raise DiscoveryError(f"document larger than {limit} bytes")
        return body
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            while chunk := stream.read(1024 * 1024):
                out.write(chunk)
                if out.tell() > limit:
                    raise DiscoveryError(f"gzip inflates past {limit} bytes")
    except (OSError, EOFError) as exc:
        raise DiscoveryError(f"bad gzip data: {exc}") from None
    return out.getvalue()


# The DOCTYPE and its internal subset, if any, near the start of the document. Matched only
# where the first "<!DOCTYPE" opens: searched from every "<!DOCTYPE" of a document that never
# closes one, the pattern would scan to the end each time (48 kB of them took 3 s).
_DOCTYPE_START = re.compile(rb"<!DOCTYPE\b", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE\b[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_DOCTYPE_WINDOW = 1024 * 1024
# An ampersand, and the reference it starts if it is a well-formed one.
_AMPERSAND = re.compile(
    rb"&(?:(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};)|([A-Za-z][A-Za-z0-9]{0,31});)?"
)
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
# A start tag that another "<" interrupts before its ">" ("<a <a <a ..."): never well-formed
# (no "<" is allowed in a tag), and libxml2's push parser rescans from each one (100 kB of
# them: a second of the reactor). Escaped, it stays visible text, as the recovering parser
# would have left it. Only the content of a CDATA section can hold one legitimately.
_INTERRUPTED_TAG = re.compile(rb"<(?=[A-Za-z_:][^<>]*<)")


def _escape(data: bytes) -> bytes:
    return _AMPERSAND.sub(_entity, _INTERRUPTED_TAG.sub(b"&lt;", data))


def _entity(match: re.Match[bytes]) -> bytes:
    numeric, name = match.group(1), match.group(2)
    if numeric:
        return match.group(0)
    if name is None:
        return b"&amp;"  # a raw ampersand ("Sécurité & défense", "?a=1&b=2")
    if name in _XML_ENTITIES:
        return match.group(0)
    codepoint = html.entities.name2codepoint.get(name.decode("ascii"))
    if codepoint is not None:
        return b"&#%d;" % codepoint  # an HTML entity in a feed (&eacute;, &nbsp;)
    return b"&amp;" + name + b";"  # an undeclared entity (&xxe;, &lol9;) stays visible text


# Byte-order marks and, without one, the first bytes of "<?" in UTF-16 and UTF-32.
_WIDE_ENCODINGS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml\b[^>]{0,200}\?>")


def as_utf8_xml(body: bytes) -> bytes:
    """A UTF-16 or UTF-32 document (by its byte-order mark or its first bytes) as UTF-8.

    The byte rules (DOCTYPE, ampersands) read ASCII: in a two- or four-byte encoding an "&"
    escaped byte by byte cuts the characters around it in half. The declaration, which named
    the old encoding, is replaced. Other encodings are ASCII-compatible and stay as they are.
    """
    for mark, encoding in _WIDE_ENCODINGS:
        if body.startswith(mark):
            text = body.decode(encoding, errors="replace").removeprefix("\ufeff")
            data = text.encode("utf-8")
            return _XML_DECLARATION.sub(b'<?xml version="1.0" encoding="UTF-8"?>', data, count=1)
    return body


def _without_doctype(body: bytes) -> bytes:
    """UTF-8 (or ASCII-compatible) bytes without their DOCTYPE."""
    body = as_utf8_xml(body)
    head = body[:_DOCTYPE_WINDOW]
    start = _DOCTYPE_START.search(head)
    doctype = _DOCTYPE.match(head, start.start()) if start is not None else None
    if doctype is not None:
        body = body[: doctype.start()] + body[doctype.end() :]
    return body


# An ampersand's reference is at most this long ("&#x10FFFF;", a 32-letter name and ";").
_REFERENCE_CHARS = 40


def _sanitized_steps(body: bytes, step_bytes: int) -> Iterator[bytes]:
    """`sanitize_xml` in pieces of about `step_bytes`, each cut before any "&" near its end
    so that no reference is split (the escaping costs a Python call per "&": 16 MB of them
    is seconds, which the caller spreads over its steps)."""
    data = _without_doctype(body)
    offset = 0
    while offset < len(data):
        end = offset + max(step_bytes, _REFERENCE_CHARS)
        if end < len(data):
            ampersand = data.rfind(b"&", end - _REFERENCE_CHARS, end)
            if ampersand > offset:
                end = ampersand
        yield _escape(data[offset:end])
        offset = end


def sanitize_xml(body: bytes) -> bytes:
    """Drop the DOCTYPE (and with it every entity declaration), escape stray ampersands and
    the "<" of start tags cut short by another "<".

    UTF-16 and UTF-32 documents are turned into UTF-8 first (`as_utf8_xml`).
    """
    return _escape(_without_doctype(body))


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names and child.text and child.text.strip():
            return str(child.text).strip()
    return None


def _children_text(element: etree._Element, name: str) -> list[str]:
    return [
        str(child.text).strip()
        for child in element
        if _local(child.tag) == name and child.text and child.text.strip()
    ]


FEED_ROOTS = frozenset({"rss", "feed", "rdf"})


def is_feed(body: bytes) -> bool:
    """An RSS, RDF or Atom document (parse_feed reads anything, an HTML page as no entries).

    Only the root element is read: the parse stops at the first step that opens it.
    """
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, no_network=True, load_dtd=False, recover=True
    )
    for chunk in _sanitized_steps(inflate(body), SITEMAP_STEP_BYTES):
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError:
            return False
        for _, element in parser.read_events():
            return _local(element.tag) in FEED_ROOTS
    return False


def parse_feed(body: bytes, base_url: str) -> list[Link]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed: URL plus date, title and categories."""
    *_, links = parse_feed_in_steps(body, base_url)
    assert links is not None
    return links


def parse_feed_in_steps(
    body: bytes, base_url: str, step_bytes: int = SITEMAP_STEP_BYTES
) -> Iterator[list[Link] | None]:
    """`parse_feed` fed `step_bytes` at a time: None after each step, then the links.

    As for sitemaps, the caller (the crawler's reactor) lets other work run at each None: a
    16 MB feed is seconds of escaping and parsing. Each entry is dropped once read.
    """
    links: list[Link] = []
    parser = _pull_parser()
    for chunk in _sanitized_steps(inflate(body), step_bytes):
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError:
            break
        _read_feed_events(parser.read_events(), base_url, links)
        yield None
    else:
        with contextlib.suppress(etree.XMLSyntaxError):
            parser.close()
        _read_feed_events(parser.read_events(), base_url, links)
    yield links


def _pull_parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=True,
    )


def _read_feed_events(events: Any, base_url: str, links: list[Link]) -> None:
    for _, element in events:
        if _local(element.tag) not in ("item", "entry"):
            continue
        link = _feed_entry(element, base_url)
        if link is not None:
            links.append(link)
        element.clear()  # read: drop it and the entries before it from the tree
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]


def _feed_entry(element: etree._Element, base_url: str) -> Link | None:
    url = None
    if _local(element.tag) == "entry":
        for child in element:
            if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                url = child.get("href")
                break
    else:
        url = _child_text(element, "link")
        if not url:
            guid = next((c for c in element if _local(c.tag) == "guid"), None)
            if guid is not None and guid.get("isPermaLink", "true") == "true" and guid.text:
                url = guid.text.strip()
        if not url:
            url = element.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    if not url:
        return None
    hints: dict[str, object] = {}
    published = _child_text(element, "pubdate", "published", "date", "issued", "updated")
    if published:
        hints["feed_published"] = published
    title = _child_text(element, "title")
    if title:
        hints["feed_title"] = title
    categories = _children_text(element, "category") or [
        c.get("term", "") for c in element if _local(c.tag) == "category" and c.get("term")
    ]
    if categories:
        hints["feed_tags"] = categories
    return Link(urljoin(base_url, url.strip()), hints)


@dataclass(frozen=True)
class SitemapDocument:
    kind: str  # index | urlset | unknown
    links: list[Link]


def parse_sitemap(body: bytes, base_url: str) -> SitemapDocument:
    """A sitemap index (child sitemaps) or a urlset (pages, with Google News fields if any)."""
    *_, document = parse_sitemap_in_steps(body, base_url)
    assert document is not None
    return document


def parse_sitemap_in_steps(
    body: bytes, base_url: str, step_bytes: int = SITEMAP_STEP_BYTES
) -> Iterator[SitemapDocument | None]:
    """`parse_sitemap` fed `step_bytes` at a time: None after each step, then the document.

    The caller can let other work run at each None (the crawler's reactor: a 50,000-URL
    sitemap is about a second of parsing), and each entry is dropped from the tree once read,
    so a giant sitemap never sits in memory whole.
    """
    data = inflate(body)
    if not data.strip():
        yield SitemapDocument("unknown", [])
        return
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=True,
    )
    state = _SitemapState(base_url)
    for chunk in _sanitized_steps(data, step_bytes):
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError:
            break  # what was read so far stands, as the recovering parser's tree would
        if not state.read(parser.read_events()):
            break
        yield None
    else:
        with contextlib.suppress(etree.XMLSyntaxError):
            parser.close()
        state.read(parser.read_events())
    yield SitemapDocument(state.kind, state.links)


class _SitemapState:
    """What a sitemap's events gave so far: its kind and its links."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.root: Any = None
        self.kind = "unknown"
        self.links: list[Link] = []

    def read(self, events: Any) -> bool:
        """Take in the parser's pending events; False once the URL limit is reached."""
        for event, element in events:
            if self.root is None:
                self.root = element
                self.kind = {"sitemapindex": "index", "urlset": "urlset"}.get(
                    _local(element.tag), "unknown"
                )
                continue
            if event != "end" or element.getparent() is not self.root:
                continue
            if _local(element.tag) in ("sitemap", "url") and not self._entry(element):
                return False
            element.clear()  # read: drop it and what came before it from the tree
            while element.getprevious() is not None:
                del self.root[0]
        return True

    def _entry(self, element: etree._Element) -> bool:
        loc = _child_text(element, "loc")
        if not loc:
            return True
        if len(self.links) >= MAX_SITEMAP_URLS:
            logger.warning(
                "sitemap %s lists more than %d URLs (the protocol's limit): the rest is ignored",
                self.base_url,
                MAX_SITEMAP_URLS,
            )
            return False
        hints: dict[str, object] = {}
        lastmod = _child_text(element, "lastmod")
        if lastmod:
            hints["lastmod"] = lastmod
        news = next((c for c in element if _local(c.tag) == "news"), None)
        if news is not None:
            for name, key in (
                ("publication_date", "sitemap_published"),
                ("title", "sitemap_title"),
            ):
                value = _child_text(news, name)
                if value:
                    hints[key] = value
            keywords = _child_text(news, "keywords")
            if keywords:
                hints["sitemap_keywords"] = [k.strip() for k in keywords.split(",") if k.strip()]
        self.links.append(Link(urljoin(self.base_url, loc), hints))
        return True


_NEXT_TEXT = re.compile(
    r"^\s*(page\s+)?suivante?\b|^\s*suiv\.?\s*$|^\s*next\b|^\s*[›»>]+\s*$|articles plus anciens",
    re.IGNORECASE,
)


def is_next_page_link(text: str, rel: str | None) -> bool:
    """A pagination link to the next listing page ("Page suivante ›", rel=next, "»")."""
    if rel and "next" in rel.lower().split():
        return True
    return bool(_NEXT_TEXT.search(text or ""))
