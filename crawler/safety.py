"""Settings a crawl must run with, checked before any request.

The project settings make Scrapy safe for hostile pages (size limits, timeouts, no local-file
handlers, certificate checks...). A crawl started without them (`scrapy runspider` outside the
project, a stray `-s` override) must refuse to start rather than run unguarded.
"""

from __future__ import annotations

from importlib.metadata import version

from scrapy.settings import BaseSettings

MIN_SCRAPY = (2, 14, 2)  # security fixes: decompression bombs, header handling
MIN_LXML = (6, 1)  # XML entity-expansion and XXE hardening
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
MAX_TIMEOUT_SECONDS = 180
LOCAL_SCHEMES = ("file", "data", "s3", "ftp")
VERIFYING_CONTEXT = "scrapy.core.downloader.contextfactory.BrowserLikeContextFactory"


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
    if settings.get("DOWNLOADER_CLIENTCONTEXTFACTORY") != VERIFYING_CONTEXT:
        problems.append(f"DOWNLOADER_CLIENTCONTEXTFACTORY must be {VERIFYING_CONTEXT}")
    if settings.getint("REDIRECT_MAX_TIMES") > 10:
        problems.append("REDIRECT_MAX_TIMES must be at most 10")
    if _version_tuple(version("scrapy")) < MIN_SCRAPY:
        problems.append(f"Scrapy {version('scrapy')} is older than 2.14.2")
    if _version_tuple(version("lxml")) < MIN_LXML:
        problems.append(f"lxml {version('lxml')} is older than 6.1")
    return problems


def check_settings(settings: BaseSettings) -> None:
    problems = settings_problems(settings)
    if problems:
        raise UnsafeSettingsError("unsafe settings, refusing to crawl: " + "; ".join(problems))
