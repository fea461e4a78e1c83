"""Process exit codes, distinct so that cron and monitoring can tell failures apart."""

OK = 0
FAILED = 1  # the crawl ran but failed (an unexpected error)
CONFIG_ERROR = 2  # a bad site file, an unknown site, bad arguments
DATABASE_ERROR = 3  # the database is unreachable, or its schema is behind (run `scrapy migrate`)
ALREADY_RUNNING = 4
DEGRADED = 5
