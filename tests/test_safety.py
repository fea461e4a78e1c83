"""The crawl refuses unsafe settings; Retry-After parsing."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.fetch.middlewares import parse_retry_after
from crawler.fetch.safety import UnsafeSettingsError, check_settings, settings_problems
from settings import base as project_base

FILE_HANDLER = "scrapy.core.downloader.handlers.file.FileDownloadHandler"
HTTPX_HANDLER = "scrapy.core.downloader.handlers._httpx.HttpxDownloadHandler"
HTTP11_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
OFFSITE = "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"
# read from the module: get_project_settings() at import would set SCRAPY_SETTINGS_MODULE for
# the whole session (the runspider test needs a process without it)
PROJECT_MW = dict(project_base.DOWNLOADER_MIDDLEWARES)
GUARD = "crawler.fetch.netguard.PrivateAddressMiddleware"
LOCAL_OFF = {"file": None, "data": None, "s3": None, "ftp": None}


def project_settings(**overrides) -> Settings:
    settings = get_project_settings().copy()
    settings.setdict(overrides, priority="cmdline")
    return settings


def test_project_settings_are_safe():
    assert settings_problems(project_settings()) == []


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"DOWNLOAD_MAXSIZE": 0}, "DOWNLOAD_MAXSIZE=0"),
        ({"DOWNLOAD_MAXSIZE": 512 * 1024 * 1024}, "DOWNLOAD_MAXSIZE=536870912"),
        ({"DOWNLOAD_TIMEOUT": 3600}, "DOWNLOAD_TIMEOUT=3600"),
        ({"DOWNLOAD_HANDLERS": {"file": FILE_HANDLER, "data": None, "s3": None, "ftp": None}},
         "file:// download handler"),
        ({"TELNETCONSOLE_ENABLED": True}, "TELNETCONSOLE_ENABLED"),
        ({"DOWNLOAD_VERIFY_CERTIFICATES": False}, "DOWNLOAD_VERIFY_CERTIFICATES"),
        ({"DOWNLOADER_CLIENTCONTEXTFACTORY": "myproject.tls.TrustEveryoneFactory"},
         "DOWNLOADER_CLIENTCONTEXTFACTORY"),
        ({"REDIRECT_MAX_TIMES": 50}, "REDIRECT_MAX_TIMES"),
        # the second hostile-input review (issue 13)
        ({"DOWNLOADER_MIDDLEWARES": {**PROJECT_MW, OFFSITE: None}},
         "OffsiteMiddleware must stay enabled"),
        ({"DOWNLOADER_MIDDLEWARES": {**PROJECT_MW, GUARD: None}},
         "PrivateAddressMiddleware must stay enabled"),
        ({"TWISTED_DNS_RESOLVER": "scrapy.resolver.CachingThreadedResolver"},
         "TWISTED_DNS_RESOLVER must be crawler.fetch.netguard.GuardedResolver"),
        ({"DNS_RESOLVER": "scrapy.resolver.CachingHostnameResolver"}, "DNS_RESOLVER"),
        ({"ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8,intranet"}, "ALLOW_PRIVATE_NETWORKS: not CIDRs"),
        ({"MEMUSAGE_ENABLED": False}, "MEMUSAGE_ENABLED must be True"),
        ({"MEMUSAGE_LIMIT_MB": 0}, "MEMUSAGE_LIMIT_MB"),
        ({"EXTRACTION_TIMEOUT": 1e9}, "EXTRACTION_TIMEOUT=1000000000"),
        ({"EXTRACTION_TIMEOUT": 0}, "EXTRACTION_TIMEOUT=0"),
        ({"EXTRACTION_TIMEOUT": "soon"}, "EXTRACTION_TIMEOUT=soon"),
        ({"URLLENGTH_LIMIT": 0}, "URLLENGTH_LIMIT=0"),
        ({"DOWNLOAD_HANDLERS": {**LOCAL_OFF, "https": HTTPX_HANDLER}}, "https:// download handler"),
        ({"DOWNLOAD_HANDLERS": {**LOCAL_OFF, "http": None}}, "http:// download handler"),
        ({"SCHEDULER": "crawler.scaleout.SiteRunScheduler"},
         "SCHEDULER_SERIALIZER must be crawler.redis_json"),
        ({"REDIS_URL": "redis://10.0.0.5:6379/0"}, "REDIS_URL on 10.0.0.5 has no password"),
        ({"REDIS_URL": "redis://redis.internal/0"}, "REDIS_URL on redis.internal has no password"),
    ],
)  # fmt: skip
def test_each_unsafe_override_is_named(overrides, problem):
    problems = settings_problems(project_settings(**overrides))
    assert len(problems) == 1
    assert problem in problems[0]


@pytest.mark.parametrize(
    "overrides",
    [
        {"REDIS_URL": "redis://127.0.0.1:6379/0"},
        {"REDIS_URL": "redis://localhost/0"},
        {"REDIS_URL": "redis://:s3cret@10.0.0.5:6379/0"},
        {"REDIS_URL": "rediss://user:s3cret@redis.internal/0"},
        {"ALLOW_PRIVATE_NETWORKS": ["10.1.0.0/16", "::1/128"]},
        {"DOWNLOAD_HANDLERS": {**LOCAL_OFF, "https": HTTP11_HANDLER}},
        {"EXTRACTION_TIMEOUT": 600},
    ],
)
def test_safe_variants_pass(overrides):
    assert settings_problems(project_settings(**overrides)) == []


def test_scrapy_defaults_without_the_project_are_refused():
    with pytest.raises(UnsafeSettingsError) as caught:
        check_settings(Settings())
    message = str(caught.value)
    assert "project settings are not loaded" in message
    assert "file:// download handler" in message
    assert "TELNETCONSOLE_ENABLED" in message


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"120", 120.0),
        (b" 5 ", 5.0),
        ("Wed, 25 Nov 2026 10:00:30 GMT", 30.0),  # 30 s after `now` below
        ("Wed, 25 Nov 2026 09:59:00 GMT", 0.0),  # in the past: no wait
        (b"soon", None),
        (None, None),
        (b"", None),
    ],
)
def test_parse_retry_after(header, expected):
    now = 1795600800.0  # 2026-11-25 10:00:00 UTC
    assert parse_retry_after(header, now=now) == expected
