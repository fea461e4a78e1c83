"""Canonical URLs: one stable key per article so feeds, AMP pages and shares dedupe together.

The rules only ever fold variants of the same resource (tracking parameters, AMP and mobile
renditions, letter case of scheme and host, default port, fragment); URLs that differ in path
or in a meaningful query parameter never merge.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml.html import HtmlElement
from w3lib.url import safe_url_string

from crawler.fields.page import Page

_TRACKING_EXACT = frozenset(
    {
        "xtor",
        "xtref",
        "xts",
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "ref_src",
        "ref_url",
        "cmp",
        "oref",
        "ito",
        "ocid",
        "ncid",
        "s_cid",
        "soc_src",
        "soc_trk",
        "wt_mc",
        "wt.mc_id",
        "sr_share",
        "__twitter_impression",
        "amp",
    }
)
_TRACKING_PREFIXES = ("utm_", "at_", "ns_", "pk_", "mtm_", "hsa_")
# ?outputType=amp and friends select a rendition, not a resource.
_AMP_VALUED = frozenset({"outputtype", "output", "format", "view"})

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_MOBILE_HOST_PREFIXES = ("m.", "mobile.", "amp.")
_SITE_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_AMP_HTML_SUFFIX = re.compile(r"\.amp\.html?$", re.IGNORECASE)


def _is_tracking(pair: str) -> bool:
    key, _, value = pair.partition("=")
    key = key.lower()
    if key in _TRACKING_EXACT or key.startswith(_TRACKING_PREFIXES):
        return True
    return key in _AMP_VALUED and value.lower() == "amp"


def _fold_amp_path(path: str) -> str:
    """/a/b/amp/ → /a/b/, /amp/a/b → /a/b, /a/b.amp.html → /a/b.html."""
    if path.lower().startswith("/amp/"):
        path = path[4:]
    lowered = path.lower()
    if lowered.endswith(("/amp/", "/amp")):
        path = path[:-4]
    return _AMP_HTML_SUFFIX.sub(".html", path) or "/"


def _fold_host(host: str) -> str:
    host = host.lower().rstrip(".")
    for prefix in _MOBILE_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return "www." + host[len(prefix) :]
    return host


def canonicalize_url(url: str) -> str:
    """The dedup key of an article URL; idempotent, never raises (garbage comes back stripped)."""
    stripped = url.strip() if isinstance(url, str) else ""
    try:
        # folding can uncover another foldable form (/amp/amp/): repeat until stable
        current = stripped
        for _ in range(5):
            folded = _canonicalize(current)
            if folded == current:
                break
            current = folded
        return current
    except (ValueError, UnicodeError):
        return stripped


def _canonicalize(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    safe = urlsplit(safe_url_string(url))
    host = _fold_host(safe.hostname or "")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = safe.port  # raises ValueError on a bad port: handled by the caller
    netloc = host if port is None or str(port) == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    if safe.username:
        credentials = safe.username + (f":{safe.password}" if safe.password else "")
        netloc = f"{credentials}@{netloc}"
    path = _PERCENT_ESCAPE.sub(lambda m: m.group(0).upper(), safe.path) or "/"
    path = _fold_amp_path(path)
    query_pairs = [p for p in safe.query.split("&") if p and not _is_tracking(p)]
    return urlunsplit((scheme, netloc, path, "&".join(query_pairs), ""))


def find_canonical_candidates(source: Page | HtmlElement) -> list[str]:
    """<link rel=canonical> hrefs then og:url values, raw and in page order (duplicates dropped)."""
    page = Page.of(source)
    tree = page.tree
    found: list[str] = []
    for link in tree.iter("link"):
        rel_tokens = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel_tokens and href and href not in found:
            found.append(href)
    for value in page.meta_contents("og:url"):
        if value not in found:
            found.append(value)
    return found


def _site_host(host: str) -> str:
    host = host.lower().rstrip(".")
    for prefix in _SITE_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


def choose_canonical_url(page_url: str, candidates: list[str]) -> str:
    """The first same-site http(s) candidate that is not the home page, else the page URL."""
    try:
        page_host = _site_host(urlsplit(page_url.strip()).hostname or "")
    except ValueError:
        return canonicalize_url(page_url)
    for raw in candidates:
        try:
            absolute = urljoin(page_url.strip(), raw.strip())
            parts = urlsplit(absolute)
            host = parts.hostname or ""
        except ValueError:
            continue
        if parts.scheme.lower() not in _DEFAULT_PORTS or not host:
            continue
        if _site_host(host) != page_host:
            continue
        if parts.path in ("", "/") and not parts.query:
            continue  # a canonical to the home page is a CMS default, not this article
        return canonicalize_url(absolute)
    return canonicalize_url(page_url)
