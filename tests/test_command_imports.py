"""Scrapy imports every command and spider module on each `scrapy crawl`: keep them light."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
from scrapy.utils.misc import walk_modules_iter
list(walk_modules_iter("crawler.commands"))
list(walk_modules_iter("crawler.spiders"))
print(",".join(sorted(m for m in ("matplotlib", "playwright") if m in sys.modules)))
"""


def test_a_crawl_does_not_load_the_report_charts():
    # matplotlib alone is ~70 MB in the crawl's own process (the hostile crawl's memory budget)
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "", done.stdout


EXTRACTION_CHECK = """
import sys
from scrapy.utils.misc import load_object, walk_modules_iter
from settings import base
list(walk_modules_iter("crawler.commands"))
list(walk_modules_iter("crawler.spiders"))
for component in (*base.ITEM_PIPELINES, *base.EXTENSIONS, *base.DOWNLOADER_MIDDLEWARES):
    load_object(component)
print(",".join(sorted(m for m in ("trafilatura", "htmldate", "justext") if m in sys.modules)))
"""


def test_the_crawl_process_does_not_load_the_extraction_libraries():
    # the pool's workers extract; the crawl's own process only builds jobs and reads results,
    # and trafilatura with its fallbacks is ~20 MB there (docs/performance.md)
    done = subprocess.run(
        [sys.executable, "-c", EXTRACTION_CHECK],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.strip() == "", done.stdout
