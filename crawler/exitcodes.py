"""Process exit codes, distinct so that cron and monitoring can tell failures apart."""

OK = 0
FAILED = 1  # the crawl ran but failed (an unexpected error)
CONFIG_ERROR = 2  # a bad site file, an unknown site, bad arguments
DATABASE_ERROR = 3  # the database is unreachable, or its schema is behind (run `scrapy migrate`)
ALREADY_RUNNING = 4
DEGRADED = 5


def for_run(status: str, recorded: int | None) -> int | None:
    """The exit code a finished crawl run gave cron: the one its stats recorded, else the one
    its status implies (a degraded verdict is reached after the stats are saved); None while
    it runs."""
    if recorded:
        return recorded
    return {"ok": OK, "degraded": DEGRADED, "failed": FAILED}.get(status)
