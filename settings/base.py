"""The real crawl profile: polite, bounded, safe by default.

Every value can be overridden per run with `-s NAME=VALUE`; DATABASE_URL also from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from crawler.process import DEFAULT_MIN_ARTICLE_WORDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent

BOT_NAME = "depeches"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# Where the site files live (one TOML per site).
SITES_DIR = str(PROJECT_ROOT / "settings" / "sites")

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///data/depeches.sqlite3")

# Identify ourselves: operators of the crawled sites must be able to reach us.
CONTACT_URL = os.environ.get("DEPECHES_CONTACT_URL", "https://github.com/depeches/depeches")
USER_AGENT = f"depeches/0.1 (+{CONTACT_URL}; francophone news research crawler)"

ROBOTSTXT_OBEY = True
DOWNLOADER_MIDDLEWARES = {
    # RFC 9309: a robots.txt answering 5xx / 429 or unreachable disallows the host for the run
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.fetch.middlewares.StrictRobotsTxtMiddleware": 100,
    # robots.txt Crawl-delay and Retry-After (429/503) as floors on the wait between requests
    "crawler.fetch.middlewares.PolitenessMiddleware": 560,
    # a compressed body whose stream stops early is flagged "dataloss" before decompression
    "crawler.fetch.transfer.CutStreamMiddleware": 595,
    # after HttpProxyMiddleware (750): no connection to private addresses (fetch/netguard.py)
    "crawler.fetch.netguard.PrivateAddressMiddleware": 760,
}
POLITENESS_MAX_WAIT = 600
# One crawl per site at a time (crawler/storage/run_lock.py); the scale-out profile turns it off.
RUN_LOCK_ENABLED = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# Scrapy starts CONCURRENT_ITEMS tasks for every response's output, whatever its size. An
# article response yields one item, so Scrapy's 100 cost ~15 % of the reactor's CPU for nothing;
# a sitemap's thousand requests only go into the scheduler, 8 at a time is plenty.
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Bounded responses and time: a news article is never 10 MB of HTML.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
DEPTH_LIMIT = 8

# Only the schemes a news crawler needs.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
# No connection to loopback, private, link-local, CGNAT, multicast or reserved addresses, checked
# after DNS resolution (crawler/fetch/netguard.py). ALLOW_PRIVATE_NETWORKS opens CIDRs: tests, the
# demo, an intranet mirror (`-s ALLOW_PRIVATE_NETWORKS=10.1.0.0/16`, or the environment
# variable of the same name, comma-separated).
TWISTED_DNS_RESOLVER = "crawler.fetch.netguard.GuardedResolver"
ALLOW_PRIVATE_NETWORKS = [
    cidr.strip() for cidr in os.environ.get("ALLOW_PRIVATE_NETWORKS", "").split(",") if cidr.strip()
]
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Check certificates like a browser does (Scrapy's default accepts any certificate).
DOWNLOAD_VERIFY_CERTIFICATES = True
DOWNLOAD_FAIL_ON_DATALOSS = True
URLLENGTH_LIMIT = 2083
MEMUSAGE_ENABLED = True
MEMUSAGE_WARNING_MB = 1024
MEMUSAGE_LIMIT_MB = 1536
REFERRER_POLICY = "same-origin"
COOKIES_ENABLED = False

# Articles that answer with an error status still reach the spider, so each ends as a rejection.
HTTPERROR_ALLOW_ALL = True

ITEM_PIPELINES = {
    # the page through crawler.process.chain.process_page, in the process pool
    "pipelines.process.ProcessPipeline": 100,
    "pipelines.store.StorePipeline": 500,
}
EXTENSIONS = {
    "crawler.extensions.crawl_run.CrawlRunExtension": 100,
    # keeps the PostgreSQL run lock across server restarts
    "crawler.extensions.run_lock_watch.RunLockWatch": 110,
    # Scrapy's LogStats line plus the scheduler queue and the frontier's pending URLs
    "scrapy.extensions.logstats.LogStats": None,
    "crawler.extensions.progress.ProgressLog": 0,
}
# Seconds between two progress lines (pages and items per minute, queue size, pending URLs).
LOGSTATS_INTERVAL = 60.0
# A database that goes away (PostgreSQL restart, failover) is retried this long, with a growing
# pause, before the crawl gives up with exit code 3 (crawler/storage/retry.py).
DATABASE_RETRY_SECONDS = 120
# Seconds between two checks that the PostgreSQL run lock's session is alive (a server restart
# drops the lock; it is taken again, or the crawl stops with exit code 4 if another run has it).
RUN_LOCK_CHECK_INTERVAL = 15

# Extraction runs in a process pool (both cores), off the reactor thread.
EXTRACTION_WORKERS = int(os.environ.get("DEPECHES_EXTRACTION_WORKERS", "0")) or None
# Seconds of a page's own run in a worker (from when it starts, not when it is queued): past
# it the worker is killed and replaced, and the page is rejected as extraction_timeout (retried
# in later runs like a transient error). At most 600 (crawler/fetch/safety.py).
EXTRACTION_TIMEOUT = 60
# Each extraction worker is replaced after this many pages (memory fragmentation stays bounded).
EXTRACTION_WORKER_MAX_PAGES = 1000
# ... and at once after a job that left it this many MB larger than when it started (resident
# memory; 0: no cap). On real pages a worker settles some 60-80 MB above its start; a huge page
# takes it far beyond, and replacing it then keeps the crawl's peak at one huge page's worth
# instead of one per worker.
EXTRACTION_WORKER_MAX_MEMORY_MB = 150
# Articles are written in batches: one transaction for many items.
STORE_BATCH_SIZE = 50
# Fewer words than this after cleaning: not an article (rejected as no_article_text). One value
# for the crawl, reextract, gensite, the tests and the bench: crawler/process/__init__.py.
MIN_ARTICLE_WORDS = DEFAULT_MIN_ARTICLE_WORDS
# Listing pages followed per listing start URL.
MAX_LISTING_PAGES = 20

FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = os.environ.get("DEPECHES_LOG_LEVEL", "INFO")
LOG_FORMATTER = "crawler.logformatter.DepechesLogFormatter"

# -- Incremental crawls and the frontier (crawler/frontier_policy.py, docs/operations.md) ------
# Off: every discovered URL is fetched again and sources are fetched unconditionally.
INCREMENTAL = True
# Seconds after each fetch of a stored article before it is fetched again (read counters,
# edits): 1 h, 6 h, 24 h, 3 days, then never. `-s REVISIT_SCHEDULE=3600,86400` also works.
REVISIT_SCHEDULE = [3600, 6 * 3600, 24 * 3600, 3 * 86400]
# Only articles published within this many days are revisited (0: every article).
REVISIT_RECENT_DAYS = 7
# A transient failure (network, timeout, 5xx/429, robots.txt outage) is retried after
# FRONTIER_RETRY_DELAY seconds, doubled at each attempt, then rejected after this many attempts.
FRONTIER_MAX_ATTEMPTS = 3
FRONTIER_RETRY_DELAY = 3600
# Feeds, sitemaps and listings: first poll interval, then halved after a poll with new articles
# and grown by half after one without, within these bounds (seconds).
SOURCE_POLL_INTERVAL = 900
SOURCE_POLL_MIN = 300
SOURCE_POLL_MAX = 86400

# WARC imports (scrapy crawl warc / ccnews, docs/operations.md): the languages wanted (primary
# subtags, comma-separated), pages in the pipelines at once, and where CC-NEWS lives.
WARC_LANGUAGES = os.environ.get("DEPECHES_WARC_LANGUAGES", "fr")
WARC_MAX_IN_FLIGHT = 32
CCNEWS_BASE_URL = os.environ.get("CCNEWS_BASE_URL", "https://data.commoncrawl.org/")
