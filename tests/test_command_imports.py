"""Scrapy imports every command and spider module on each `scrapy crawl`: keep them light."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
from scrapy.utils.misc import walk_modules
walk_modules("crawler.commands")
walk_modules("crawler.spiders")
print(",".join(sorted(m for m in ("matplotlib", "playwright") if m in sys.modules)))
"""


def test_a_crawl_does_not_load_the_report_charts():
    # matplotlib alone is ~70 MB in the crawl's own process (the hostile crawl's memory budget)
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "", done.stdout
