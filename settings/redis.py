"""Scale-out profile: `SCRAPY_SETTINGS_MODULE=settings.redis scrapy crawl site -a site=<key>`.

Several processes (on one machine or several) started with this profile for the same site and
run share one request queue and one dupefilter in Redis, and write to one PostgreSQL database.
Set DEPECHES_RUN_ID to the same value on every worker of a run (default: the 15-minute cron
period they started in).
"""

from __future__ import annotations

import os

from settings.base import *  # noqa: F403

SCHEDULER = "crawler.scaleout.SiteRunScheduler"
DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
SCHEDULER_PERSIST = True  # peers may still be working: never flush on close (keys expire)
SCHEDULER_QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
# Requests are stored as JSON, never pickle (unpickling what another machine wrote runs its code).
SCHEDULER_SERIALIZER = "crawler.redis_json"
# Redis on another machine needs a password: redis://:PASSWORD@host:6379/0 (crawler/fetch/safety.py
# refuses a non-loopback REDIS_URL without one).
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_KEY_TTL = 86400
REDIS_IDLE_SECONDS = float(os.environ.get("DEPECHES_IDLE_SECONDS", "30"))
DEPECHES_RUN_ID = os.environ.get("DEPECHES_RUN_ID", "")
# Workers of one run are meant to overlap: the per-site run lock would refuse all but one.
RUN_LOCK_ENABLED = False
EXTENSIONS = {**EXTENSIONS, "crawler.scaleout.IdleExit": 200}  # noqa: F405
