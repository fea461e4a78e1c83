"""Settings a crawl must run with, checked before any request.

The project settings make Scrapy safe for hostile pages (size limits, timeouts, no local-file
handlers, certificate checks...). A crawl started without them (`scrapy runspider` outside the
project, a stray `-s` override) must refuse to start rather than run unguarded.
"""

from __future__ import annotations

from importlib.metadata import version

from scrapy.settings import BaseSettings

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
    if _version_tuple(version("scrapy")) < MIN_SCRAPY:
        problems.append(f"Scrapy {version('scrapy')} is older than 2.19")
    if _version_tuple(version("lxml")) < MIN_LXML:
        problems.append(f"lxml {version('lxml')} is older than 6.1")
    return problems


def check_settings(settings: BaseSettings) -> None:
    problems = settings_problems(settings)
    if problems:
        raise UnsafeSettingsError("unsafe settings, refusing to crawl: " + "; ".join(problems))
