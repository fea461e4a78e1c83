"""Log lines for dropped items that name the URL and the reason, not the whole page."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class DepechesLogFormatter(LogFormatter):
    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        url = getattr(exception, "url", "") or getattr(item, "url", "")
        return {
            "level": logging.INFO,
            "msg": "rejected %(url)s: %(reason)s",
            "args": {"url": url, "reason": str(exception)},
        }
