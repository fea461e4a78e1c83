"""Site files: `settings/sites/<key>.toml` → a validated, frozen `SiteConfig`.

A mistake in a site file must stop the crawl before any request, with an error that names the
file and the field, so every key is checked here and unknown keys are refused.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tldextract
from lxml import etree
from lxml.cssselect import CSSSelector

DEFAULT_TIMEZONE = "Europe/Paris"
LANGUAGE_POLICIES = ("store", "reject")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
# The public suffix list of tldextract's bundled snapshot: never fetched (no network in a crawl
# check, and no list that changes under us), no cache written.
_SUFFIXES = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)


def is_public_suffix(domain: str) -> bool:
    """`com`, `co.uk`, `blogspot.com`: a site owning one would own every host under it."""
    name = domain.strip().lower().rstrip(".")
    if not name:
        return False
    parts = _SUFFIXES(name)
    return bool(parts.suffix) and not parts.domain


# `-a site=` also takes a group: `country:SN`, `region:maghreb`, `kind:agency`...
GROUP_RE = re.compile(r"^[a-z]+:[a-z0-9_\-]+$")

TOP_KEYS = {
    "name",
    "country",
    "timezone",
    "language",
    "language_policy",
    "base_url",
    "domains",
    "groups",
    "include_in_all",
    "discovery",
    "selectors",
}
DISCOVERY_KEYS = {
    "feeds",
    "sitemaps",
    "listings",
    "article_url",
    "exclude_url",
    "max_listing_pages",
}
SELECTOR_KEYS = {
    "body",
    "title",
    "date",
    "authors",
    "read_count",
    "tags",
    "section",
    "drop",
    "drop_text",
}


class SiteConfigError(ValueError):
    """A site file that cannot be used; the message names the file and the field."""

    def __init__(self, path: Path | str, field_name: str, message: str) -> None:
        self.path = str(path)
        self.field_name = field_name
        super().__init__(f"{path}: {field_name}: {message}" if field_name else f"{path}: {message}")


@dataclass(frozen=True)
class Selectors:
    """Per-site overrides of the generic field rules (CSS, or XPath when starting with / or ()."""

    body: str | None = None  # the article text's container, where trafilatura misreads the layout
    title: str | None = None
    date: str | None = None
    authors: str | None = None
    read_count: str | None = None
    tags: str | None = None
    section: str | None = None
    drop: tuple[str, ...] = ()  # XPath of page parts to prune before extraction
    drop_text: tuple[str, ...] = ()  # regexes of whole body lines to drop


@dataclass(frozen=True)
class SiteConfig:
    key: str
    name: str
    country: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    language: str = "fr"
    language_policy: str = "store"
    base_url: str | None = None
    domains: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    article_url: tuple[str, ...] = ()
    exclude_url: tuple[str, ...] = ()
    max_listing_pages: int | None = None
    selectors: Selectors = field(default_factory=Selectors)
    path: str | None = None
    generic: bool = False
    groups: tuple[str, ...] = ()  # `country:XX` (from country) plus the file's own groups
    include_in_all: bool = True  # False: only crawled when named (the demo on 127.0.0.1)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_article_url(self, url: str) -> bool:
        """Does this URL look like one of the site's articles (and not an excluded one)?"""
        target = _path_and_query(url)
        if any(re.search(pattern, target) for pattern in self.exclude_url):
            return False
        if not self.article_url:
            return True
        return any(re.search(pattern, target) for pattern in self.article_url)

    def owns(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def rebased(self, base_url: str) -> SiteConfig:
        """The same site served from another origin (a mirror, a staging copy, a test server)."""
        base_url = base_url.rstrip("/")
        old = (self.base_url or "").rstrip("/")

        def move(url: str) -> str:
            if old and url.startswith(old):
                url = url[len(old) :]
            return urljoin(base_url + "/", url.lstrip("/")) if url.startswith("/") else url

        host = (urlsplit(base_url).hostname or "").lower()
        return replace(
            self,
            base_url=base_url,
            domains=(host,),
            feeds=tuple(move(u) for u in self.feeds),
            sitemaps=tuple(move(u) for u in self.sitemaps),
            listings=tuple(move(u) for u in self.listings),
        )

    @classmethod
    def for_unknown_domain(cls, url: str) -> SiteConfig:
        """Generic rules for a URL whose domain has no site file."""
        host = (urlsplit(url).hostname or "unknown").lower()
        key = host[4:] if host.startswith("www.") else host
        return cls(key=key, name=key, domains=(host,), generic=True)


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + ("?" + parts.query if parts.query else "")


def _check_selector(path: Path, name: str, value: str) -> None:
    try:
        if value.startswith(("/", "(")):
            etree.XPath(value)
        else:
            CSSSelector(value)
    except Exception as exc:  # cssselect and lxml raise several unrelated types
        raise SiteConfigError(path, name, f"invalid selector {value!r}: {exc}") from None


def _string_list(path: Path, name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SiteConfigError(path, name, "must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _check_unknown(path: Path, section: str, data: dict[str, Any], allowed: set[str]) -> None:
    for name in data:
        if name not in allowed:
            where = f"{section}.{name}" if section else name
            known = ", ".join(sorted(allowed))
            raise SiteConfigError(path, where, f"unknown key (known keys: {known})")


def _check_url(path: Path, name: str, url: str, base_url: str | None) -> str:
    if url.startswith("/"):
        if not base_url:
            raise SiteConfigError(path, name, f"relative URL {url!r} needs base_url")
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteConfigError(path, name, f"not an http(s) URL: {url!r}")
    return url


def parse_site(key: str, data: dict[str, Any], path: Path) -> SiteConfig:
    """Validate one site file's data; raise SiteConfigError on the first problem."""
    if not KEY_RE.match(key):
        raise SiteConfigError(
            path, "", f"site key {key!r} must be lower-case letters, digits, _ or -"
        )
    _check_unknown(path, "", data, TOP_KEYS)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SiteConfigError(path, "name", "missing (the site's display name)")
    timezone = data.get("timezone", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise SiteConfigError(path, "timezone", f"unknown time zone {timezone!r}") from None
    policy = data.get("language_policy", "store")
    if policy not in LANGUAGE_POLICIES:
        raise SiteConfigError(path, "language_policy", f"must be one of {LANGUAGE_POLICIES}")
    base_url = data.get("base_url")
    if base_url is not None:
        _check_url(path, "base_url", str(base_url), None)

    discovery = data.get("discovery", {})
    if not isinstance(discovery, dict):
        raise SiteConfigError(path, "discovery", "must be a table")
    _check_unknown(path, "discovery", discovery, DISCOVERY_KEYS)
    urls: dict[str, tuple[str, ...]] = {}
    for kind in ("feeds", "sitemaps", "listings"):
        values = _string_list(path, f"discovery.{kind}", discovery.get(kind, []))
        urls[kind] = tuple(
            _check_url(path, f"discovery.{kind}[{i}]", u, base_url) for i, u in enumerate(values)
        )
    if not any(urls.values()):
        raise SiteConfigError(
            path, "discovery", "no start URL: give at least one of feeds, sitemaps or listings"
        )
    patterns: dict[str, tuple[str, ...]] = {}
    for kind in ("article_url", "exclude_url"):
        patterns[kind] = _string_list(path, f"discovery.{kind}", discovery.get(kind, []))
        for i, pattern in enumerate(patterns[kind]):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SiteConfigError(
                    path, f"discovery.{kind}[{i}]", f"bad regex {pattern!r}: {exc}"
                ) from None
    if urls["listings"] and not patterns["article_url"]:
        raise SiteConfigError(
            path,
            "discovery.article_url",
            "required when listings are given (which links are articles?)",
        )
    max_pages = discovery.get("max_listing_pages")
    if max_pages is not None and (not isinstance(max_pages, int) or max_pages < 1):
        raise SiteConfigError(path, "discovery.max_listing_pages", "must be a positive integer")

    raw_selectors = data.get("selectors", {})
    if not isinstance(raw_selectors, dict):
        raise SiteConfigError(path, "selectors", "must be a table")
    _check_unknown(path, "selectors", raw_selectors, SELECTOR_KEYS)
    single: dict[str, str | None] = {}
    for selector_name in ("body", "title", "date", "authors", "read_count", "tags", "section"):
        value = raw_selectors.get(selector_name)
        where = f"selectors.{selector_name}"
        if value is not None:
            if not isinstance(value, str) or not value.strip():
                raise SiteConfigError(path, where, "must be a non-empty string")
            _check_selector(path, where, value)
        single[selector_name] = value
    drop = _string_list(path, "selectors.drop", raw_selectors.get("drop", []))
    for i, xpath in enumerate(drop):
        if not xpath.startswith(("/", "(")):
            raise SiteConfigError(path, f"selectors.drop[{i}]", "must be an XPath expression")
        _check_selector(path, f"selectors.drop[{i}]", xpath)
    drop_text = _string_list(path, "selectors.drop_text", raw_selectors.get("drop_text", []))
    for i, pattern in enumerate(drop_text):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SiteConfigError(path, f"selectors.drop_text[{i}]", f"bad regex: {exc}") from None

    country = data.get("country")
    if country is not None and not (isinstance(country, str) and COUNTRY_RE.match(country)):
        raise SiteConfigError(path, "country", 'must be a two-letter ISO 3166 code, like "SN"')
    groups = _groups(path, data, country)
    include_in_all = data.get("include_in_all", True)
    if not isinstance(include_in_all, bool):
        raise SiteConfigError(path, "include_in_all", "must be true or false")

    domains = _string_list(path, "domains", data.get("domains", []))
    for i, domain in enumerate(domains):
        if is_public_suffix(domain):
            raise SiteConfigError(
                path,
                f"domains[{i}]",
                f"{domain!r} is a public suffix: the site would own every "
                'host under it (give the site\'s own domain, like "exemple.sn")',
            )
    if not domains:
        hosts = {urlsplit(u).hostname for v in urls.values() for u in v if not u.startswith("/")}
        if base_url:
            hosts.add(urlsplit(str(base_url)).hostname)
        domains = tuple(sorted(h.lower() for h in hosts if h))

    return SiteConfig(
        key=key,
        name=name.strip(),
        country=country,
        timezone=str(timezone),
        language=str(data.get("language", "fr")),
        language_policy=str(policy),
        base_url=str(base_url).rstrip("/") if base_url else None,
        domains=tuple(d.lower() for d in domains),
        feeds=tuple(_absolute(u, base_url) for u in urls["feeds"]),
        sitemaps=tuple(_absolute(u, base_url) for u in urls["sitemaps"]),
        listings=tuple(_absolute(u, base_url) for u in urls["listings"]),
        article_url=patterns["article_url"],
        exclude_url=patterns["exclude_url"],
        max_listing_pages=max_pages,
        selectors=Selectors(
            **single,
            drop=drop,
            drop_text=drop_text,
        ),
        path=str(path),
        groups=groups,
        include_in_all=include_in_all,
    )


def _groups(path: Path, data: dict[str, Any], country: Any) -> tuple[str, ...]:
    """`country:xx` from the country, then the file's `groups` ("region:maghreb"), lower-case."""
    declared = _string_list(path, "groups", data.get("groups", []))
    found: list[str] = []
    if isinstance(country, str) and COUNTRY_RE.match(country):
        found.append(f"country:{country.lower()}")
    for i, group in enumerate(declared):
        if not GROUP_RE.match(group.lower()):
            raise SiteConfigError(
                path, f"groups[{i}]", f"{group!r} is not of the form kind:name (region:maghreb)"
            )
        if group.lower().startswith("country:"):
            raise SiteConfigError(path, f"groups[{i}]", "country groups come from `country`")
        found.append(group.lower())
    return tuple(dict.fromkeys(found))


def _absolute(url: str, base_url: Any) -> str:
    return urljoin(str(base_url).rstrip("/") + "/", url.lstrip("/")) if url.startswith("/") else url


def load_site_file(path: Path) -> SiteConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(path, "", f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise SiteConfigError(path, "", f"cannot read: {exc}") from None
    return parse_site(path.stem, data, path)


def load_sites(sites_dir: Path | str, key: str) -> list[SiteConfig]:
    """The site named `key`, or every site for `key="all"`."""
    directory = Path(sites_dir)
    if key == "all":
        files = sorted(directory.glob("*.toml"))
        if not files:
            raise SiteConfigError(directory, "", "no site files")
        return [load_site_file(p) for p in files]
    if not KEY_RE.fullmatch(key):  # `../../x` would name a file outside SITES_DIR
        raise SiteConfigError(
            "-a site", "", f"{key[:80]!r} is not a site key (lower-case letters, digits, _ or -)"
        )
    path = directory / f"{key}.toml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.toml"))) or "none"
        raise SiteConfigError(path, "", f"no such site file (known sites: {known})")
    return [load_site_file(path)]


def select_sites(sites_dir: Path | str, selectors: str | list[str]) -> list[SiteConfig]:
    """The sites named by keys and groups (`all`, `country:SN`, `region:maghreb`, `a,b`).

    `all` and groups leave out site files with `include_in_all = false` (the demo, served on
    127.0.0.1 by `make demo` and the tests only); a key names its file whatever that flag says.
    A group that matches no site is an error, like an unknown key.
    """
    wanted = [selectors] if isinstance(selectors, str) else list(selectors)
    wanted = [w.strip() for item in wanted for w in item.split(",") if w.strip()]
    if not wanted:
        raise SiteConfigError(sites_dir, "site", "missing: give a site key, a group or all")
    chosen: dict[str, SiteConfig] = {}
    every: list[SiteConfig] | None = None
    for selector in wanted:
        if selector != "all" and ":" not in selector:
            for site in load_sites(sites_dir, selector):
                chosen.setdefault(site.key, site)
            continue
        if every is None:
            every = load_sites(sites_dir, "all")
        if selector == "all":
            matched = [s for s in every if s.include_in_all]
            if not matched:
                raise SiteConfigError(
                    sites_dir, "site", "no site for all: every file says include_in_all = false"
                )
        else:
            group = selector.lower()
            matched = [s for s in every if group in s.groups and s.include_in_all]
            if not matched:
                known = sorted({g for s in every for g in s.groups})
                raise SiteConfigError(
                    sites_dir, "site", f"no site in group {selector!r} (groups: {', '.join(known)})"
                )
        for site in matched:
            chosen.setdefault(site.key, site)
    return list(chosen.values())


def site_for_url(url: str, sites: list[SiteConfig]) -> SiteConfig:
    """The configured site that owns this URL's domain, or generic rules for it."""
    for site in sites:
        if site.owns(url):
            return site
    return SiteConfig.for_unknown_domain(url)
