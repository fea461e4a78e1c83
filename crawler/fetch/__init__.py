"""Fetch: what stands between a request and a response, after the spiders decided what to get.

discover (crawler/spiders) → **fetch** → process (crawler/process) → store (crawler/storage).
middlewares.py (strict robots.txt, politeness), netguard.py (no private addresses: middleware
and DNS resolver), transfer.py (a cut compressed stream), stream.py (WARC downloads outside
Scrapy's downloader, same guard), safety.py (the settings a crawl must run with).
"""
