"""Settings a crawl must run with, checked before any request.

The project settings make Scrapy safe for hostile pages (size limits, timeouts, no local-file
handlers, certificate checks...). A crawl started without them (`scrapy runspider` outside the
project, a stray `-s` override) must refuse to start rather than run unguarded.
"""

from __future__ import annotations

from importlib.metadata import version
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from crawler.fetch.netguard import allowed_networks_setting, is_ip_literal, parse_networks

# 2.14.2: security fixes (decompression bombs, header handling); 2.19: certificate checks
# through DOWNLOAD_VERIFY_CERTIFICATES
MIN_SCRAPY = (2, 19, 0)
MIN_LXML = (6, 1)  # XML entity-expansion and XXE hardening
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
MAX_TIMEOUT_SECONDS = 180
LOCAL_SCHEMES = ("file", "data", "s3", "ftp")
# Scrapy's own TLS context factories (unset, "SENTINEL", is its internal default): they check
# certificates when DOWNLOAD_VERIFY_CERTIFICATES is on; another one could ignore the setting.
SCRAPY_CONTEXTS = (
    "SENTINEL",
    "scrapy.core.downloader.contextfactory.ScrapyClientContextFactory",
    "scrapy.core.downloader.contextfactory.BrowserLikeContextFactory",
)

MAX_EXTRACTION_TIMEOUT = 600
MAX_URL_LENGTH = 16 * 1024
# Every connection goes through Twisted and the guarded resolver (crawler/fetch/netguard.py):
# another http(s) handler (httpx, aiohttp) would resolve names itself and bypass the guard.
HTTP_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
GUARD_RESOLVER = "crawler.fetch.netguard.GuardedResolver"
GUARD_MIDDLEWARE = "crawler.fetch.netguard.PrivateAddressMiddleware"
OFFSITE_MIDDLEWARE = "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"
JSON_SERIALIZER = "crawler.redis_json"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class UnsafeSettingsError(RuntimeError):
    """The effective settings would let a hostile page or server do harm."""


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def settings_problems(settings: BaseSettings) -> list[str]:
    """Every reason these settings are unsafe (empty when they are fine)."""
    problems = []
    if settings.get("BOT_NAME") != "depeches":
        problems.append("the project settings are not loaded (run `scrapy crawl` in the project)")
    maxsize = settings.getint("DOWNLOAD_MAXSIZE")
    if not 0 < maxsize <= MAX_DOWNLOAD_BYTES:
        problems.append(f"DOWNLOAD_MAXSIZE={maxsize} (must be 1..{MAX_DOWNLOAD_BYTES})")
    if settings.getint("DOWNLOAD_WARNSIZE") <= 0:
        problems.append("DOWNLOAD_WARNSIZE must be positive")
    timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
    if not 0 < timeout <= MAX_TIMEOUT_SECONDS:
        problems.append(f"DOWNLOAD_TIMEOUT={timeout:g} (must be 0..{MAX_TIMEOUT_SECONDS} s)")
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    for scheme in LOCAL_SCHEMES:
        if handlers.get(scheme, "unset") is not None:
            problems.append(f"the {scheme}:// download handler must be disabled")
    if settings.getbool("TELNETCONSOLE_ENABLED"):
        problems.append("TELNETCONSOLE_ENABLED must be False")
    if settings.getbool("REMOTE_CONTROL_ENABLED"):
        problems.append("REMOTE_CONTROL_ENABLED must be False")
    if not settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"):
        problems.append("DOWNLOAD_VERIFY_CERTIFICATES must be True")
    factory = settings.get("DOWNLOADER_CLIENTCONTEXTFACTORY")
    if factory not in SCRAPY_CONTEXTS:
        problems.append(f"DOWNLOADER_CLIENTCONTEXTFACTORY must be left unset, not {factory}")
    if settings.getint("REDIRECT_MAX_TIMES") > 10:
        problems.append("REDIRECT_MAX_TIMES must be at most 10")
    problems.extend(_round_two_problems(settings))
    if _version_tuple(version("scrapy")) < MIN_SCRAPY:
        problems.append(f"Scrapy {version('scrapy')} is older than 2.19")
    if _version_tuple(version("lxml")) < MIN_LXML:
        problems.append(f"lxml {version('lxml')} is older than 6.1")
    return problems


def _component_path(value: object) -> str:
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    return str(value)


def _round_two_problems(settings: BaseSettings) -> list[str]:
    """The guards added after the second hostile-input review (docs/reliability.md)."""
    problems = []
    middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    enabled = {_component_path(k) for k, v in middlewares.items() if v is not None}
    if OFFSITE_MIDDLEWARE not in enabled:
        problems.append("OffsiteMiddleware must stay enabled (it keeps a crawl on its domains)")
    if GUARD_MIDDLEWARE not in enabled:
        problems.append(f"{GUARD_MIDDLEWARE} must stay enabled (no private addresses)")
    if settings.get("TWISTED_DNS_RESOLVER") != GUARD_RESOLVER:
        problems.append(f"TWISTED_DNS_RESOLVER must be {GUARD_RESOLVER}")
    if (settings.getpriority("DNS_RESOLVER") or 0) > 0:  # deprecated; it would take over
        problems.append("DNS_RESOLVER must be left unset (TWISTED_DNS_RESOLVER guards addresses)")
    _networks, bad = parse_networks(allowed_networks_setting(settings))
    if bad:
        problems.append(f"ALLOW_PRIVATE_NETWORKS: not CIDRs: {', '.join(bad[:5])}")
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    for scheme in ("http", "https"):
        handler = handlers.get(scheme, "unset")
        if handler != "unset" and _component_path(handler) != HTTP_HANDLER:
            problems.append(f"the {scheme}:// download handler must be Scrapy's HTTP11 handler")
    if not settings.getbool("MEMUSAGE_ENABLED"):
        problems.append("MEMUSAGE_ENABLED must be True (a hostile page must not exhaust memory)")
    elif settings.getint("MEMUSAGE_LIMIT_MB") <= 0:
        problems.append("MEMUSAGE_LIMIT_MB must be positive")
    try:
        extraction = settings.getfloat("EXTRACTION_TIMEOUT", 60)
    except ValueError:
        extraction = -1.0
    if not 0 < extraction <= MAX_EXTRACTION_TIMEOUT:
        problems.append(
            f"EXTRACTION_TIMEOUT={settings.get('EXTRACTION_TIMEOUT')!s:.20} "
            f"(must be 0..{MAX_EXTRACTION_TIMEOUT} s)"
        )
    url_length = settings.getint("URLLENGTH_LIMIT")
    if not 0 < url_length <= MAX_URL_LENGTH:
        problems.append(f"URLLENGTH_LIMIT={url_length} (must be 1..{MAX_URL_LENGTH})")
    scheduler = str(settings.get("SCHEDULER"))
    shared = "redis" in scheduler.lower() or scheduler == "crawler.scaleout.SiteRunScheduler"
    if shared and settings.get("SCHEDULER_SERIALIZER") != JSON_SERIALIZER:
        problems.append(f"SCHEDULER_SERIALIZER must be {JSON_SERIALIZER} (never pickle)")
    redis_problem = redis_url_problem(settings.get("REDIS_URL"))
    if redis_problem:
        problems.append(redis_problem)
    return problems


def redis_url_problem(redis_url: str | None) -> str | None:
    """A shared queue on another machine without a password: anyone there could feed it."""
    if not redis_url:
        return None
    try:
        parts = urlsplit(str(redis_url))
        host = (parts.hostname or "").lower()
        password = parts.password
    except ValueError:
        return "REDIS_URL is not a valid URL"
    if (
        parts.scheme == "unix"
        or host in LOOPBACK_HOSTS
        or (is_ip_literal(host) and host.startswith("127."))
    ):
        return None
    if not password:
        return f"REDIS_URL on {host or '?'} has no password (redis://:PASSWORD@{host}:6379/0)"
    return None


def check_settings(settings: BaseSettings) -> None:
    problems = settings_problems(settings)
    if problems:
        raise UnsafeSettingsError("unsafe settings, refusing to crawl: " + "; ".join(problems))
