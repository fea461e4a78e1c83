"""Two scrapy-redis workers split one crawl of the demo site: each article fetched, stored once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter

import pytest
import redis
from sqlalchemy import text

from crawler.storage.engine import make_engine
from tests.e2e.conftest import DEMO, FAST, LOOPBACK_ALLOWED, ROOT
from tests.fixture_server import FixtureServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_two_workers_share_one_frontier(empty_pg_url, demo_expected):
    pg_url = empty_pg_url
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    client.ping()
    run_id = f"test-{uuid.uuid4().hex[:8]}"
    with FixtureServer(DEMO / "site") as server:
        env = {
            k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")
        }
        env.update(LOOPBACK_ALLOWED)
        env.update(
            DATABASE_URL=pg_url,
            SCRAPY_SETTINGS_MODULE="settings.redis",
            DEPECHES_RUN_ID=run_id,
            DEPECHES_IDLE_SECONDS="3",
        )
        command = [
            sys.executable, "-m", "scrapy", "crawl", "site", "-a", "site=demo",
            "-a", f"base_url={server.base_url}", *FAST,
            # one request in flight per worker, so the queue is really shared out
            "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.4",
        ]  # fmt: skip
        workers = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]  # fmt: skip
        outputs = [worker.communicate(timeout=240) for worker in workers]
        requests = Counter(server.requests)
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr[-3000:]
    assert all("shared frontier in Redis" in stderr for _, stderr in outputs)
    for path in demo_expected["articles"]:
        assert requests[path] == 1, f"{path} fetched {requests[path]} times"
    engine = make_engine(pg_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM articles")).scalar()
        runs = connection.execute(text("SELECT count(*) FROM crawl_runs")).scalar()
        fetched = [
            json.loads(stats) if isinstance(stats, str) else stats
            for (stats,) in connection.execute(text("SELECT stats FROM crawl_runs"))
        ]
    engine.dispose()
    assert stored == len(demo_expected["articles"])
    assert runs == 2
    # each worker did part of the work
    responses = [stats.get("response_received_count", 0) for stats in fetched]
    assert all(count > 0 for count in responses), responses
    for key in client.scan_iter(f"depeches:site:demo:{run_id}:*"):
        assert 0 < client.ttl(key) <= 86400
