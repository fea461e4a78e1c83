"""`scrapy crawl ccnews` against a local server laid out as CC-NEWS: a paths file a month, then
WARC files of our pages; attribution to sites, resumption after kill -9, shared workers."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis

from tests.e2e.conftest import FAST, ROOT, scrapy
from tests.e2e.generated_site import scalar
from tests.e2e.test_warc_import import PRIVATE, last_stats, query
from tests.e2e.warc_builder import ENGLISH_PAGE, WarcBuilder, demo_articles
from tests.fixture_server import FixtureServer, Route

pytestmark = pytest.mark.e2e
DEMO_HOST = "http://127.0.0.1:8765"  # the demo site file's origin: its records go to "demo"
PROXIES = ("http_proxy", "https_proxy")
OTHER_HOST = "https://www.journal-du-lac.example"  # no site file: a site row of its own


def month_dir(root: Path, month: str) -> Path:
    year, number = month.split("-")
    folder = root / "crawl-data" / "CC-NEWS" / year / number
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def publish(root: Path, month: str, files: dict[str, WarcBuilder]) -> list[str]:
    """Write the month's WARC files and its warc.paths.gz; the paths, in order."""
    folder = month_dir(root, month)
    paths = []
    for name, builder in files.items():
        builder.write(folder / name)
        paths.append((folder / name).relative_to(root).as_posix())
    (folder / "warc.paths.gz").write_bytes(gzip.compress(("\n".join(paths) + "\n").encode()))
    return paths


def layout(root: Path) -> dict[str, list[str]]:
    """Two months, two files each: the demo pages split between the two hosts, one English."""
    pages = list(demo_articles().items())
    files = []
    for index, (path, body) in enumerate(pages):
        host = DEMO_HOST if index % 2 == 0 else OTHER_HOST
        if index % 2 == 0 or not files:
            files.append(WarcBuilder())
        files[-1].page(host + path, body, date=f"2024-0{1 + index // 4}-1{index}T06:00:00Z")
    files[0].page("https://harbour.example.com/strike", ENGLISH_PAGE)
    january = {f"CC-NEWS-2024010{i}000000-0000{i}.warc.gz": b for i, b in enumerate(files[:2])}
    february = {f"CC-NEWS-2024020{i}000000-0000{i}.warc.gz": b for i, b in enumerate(files[2:])}
    return {
        "2024-01": publish(root, "2024-01", january),
        "2024-02": publish(root, "2024-02", february),
    }


def ccnews(server: FixtureServer, database_url: str, *extra: str):
    return scrapy("crawl", "ccnews", "-a", "from=2024-01", "-a", "to=2024-02",
                  "-a", f"base_url={server.base_url}/", *FAST, *extra,
                  database_url=database_url, extra_env=PRIVATE)  # fmt: skip


def test_a_backfill_imports_every_file_once_and_attributes_sites(db_url, tmp_path):
    paths = layout(tmp_path)
    pages = demo_articles()
    with FixtureServer(tmp_path) as server:
        run = ccnews(server, db_url)
        assert run.returncode == 0, run.stderr[-4000:]
        stats = last_stats(db_url)
        assert stats["depeches/warc/files"] == 4
        assert stats["depeches/warc/skipped/language"] == 1
        states = dict(query(db_url, "SELECT path, state FROM warc_files"))
        assert states == {path: "done" for month in paths.values() for path in month}
        per_site = "SELECT s.key, count(*) FROM articles a JOIN sites s ON s.id = a.site_id"
        by_site = dict(query(db_url, per_site + " GROUP BY s.key"))
        assert by_site == {"demo": (len(pages) + 1) // 2, "journal-du-lac.example": len(pages) // 2}
        generic = dict(query(db_url, "SELECT key, generic FROM sites"))
        assert not generic["demo"] and generic["journal-du-lac.example"]
        # provenance names the downloaded file's URL
        files = {name for (name,) in query(db_url, "SELECT DISTINCT warc_file FROM raw_pages")}
        assert files == {f"{server.base_url}/{p}" for month in paths.values() for p in month}
        requests = list(server.requests)
        # a second run finds every file done: it reads the paths files only
        run = ccnews(server, db_url)
        assert run.returncode == 0, run.stderr[-4000:]
        assert [r for r in server.requests[len(requests) :] if r.endswith(".warc.gz")] == []
    assert query(db_url, "SELECT count(*) FROM raw_pages")[0][0] == len(pages)


def start_ccnews(server: FixtureServer, database_url: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXIES}
    env.update(DATABASE_URL=database_url, **PRIVATE)
    command = [sys.executable, "-m", "scrapy", "crawl", "ccnews", "-a", "from=2024-01",
               "-a", "to=2024-02", "-a", f"base_url={server.base_url}/", *FAST]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def test_a_killed_backfill_resumes_at_the_file_it_was_in(db_url, tmp_path):
    paths = layout(tmp_path)
    second = paths["2024-01"][1]
    data = (tmp_path / second).read_bytes()
    with FixtureServer(tmp_path) as server:
        # the second file stalls half-way: the run is inside it when it is killed
        server.routes["/" + second] = Route(body=data, stall_after=len(data) // 2, stall=30)
        crawl = start_ccnews(server, db_url)
        deadline = time.monotonic() + 90
        done = "SELECT count(*) FROM warc_files WHERE state = 'done'"
        while scalar(db_url, done) < 1 and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.2)
        while ("/" + second) not in server.requests and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)
        assert crawl.poll() is None, "the backfill ended before it could be killed"
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(30)
        states = dict(query(db_url, "SELECT path, state FROM warc_files"))
        assert states[paths["2024-01"][0]] == "done" and states[second] == "importing"
        first_pages = scalar(db_url, "SELECT count(*) FROM raw_pages")
        del server.routes["/" + second]
        seen = len(server.requests)
        run = ccnews(server, db_url)
        assert run.returncode == 0, run.stderr[-4000:]
        fetched = [r for r in server.requests[seen:] if r.endswith(".warc.gz")]
        # the done file is not read again; the one it was in and the rest are
        assert fetched == ["/" + p for p in [second, *paths["2024-02"]]]
    states = dict(query(db_url, "SELECT path, state FROM warc_files"))
    assert set(states.values()) == {"done"}
    pages = demo_articles()
    assert scalar(db_url, "SELECT count(*) FROM articles") == len(pages)
    assert scalar(db_url, "SELECT count(*) FROM raw_pages") == len(pages) >= first_pages
    assert scalar(db_url, "SELECT count(*) FROM revisions") == 0
    killed = query(db_url, "SELECT status FROM crawl_runs ORDER BY id")
    assert killed[0] == ("failed",) and killed[-1] == ("ok",)


def test_a_bad_month_is_a_configuration_error(sqlite_url):
    run = scrapy("crawl", "ccnews", "-a", "from=2024-13", database_url=sqlite_url)
    assert run.returncode == 2 and "YYYY-MM" in run.stderr
    run = scrapy("crawl", "ccnews", "-a", "from=2024-03", "-a", "to=2024-01",
                 database_url=sqlite_url)  # fmt: skip
    assert run.returncode == 2 and "before" in run.stderr


@pytest.mark.postgres
def test_two_workers_share_the_list_of_files(empty_pg_url, tmp_path):
    paths = [p for month in layout(tmp_path).values() for p in month]
    redis_client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    redis_client.ping()
    with FixtureServer(tmp_path) as server:
        for path in paths:  # each file takes a moment: the other worker claims the next one
            server.routes["/" + path] = Route(body=(tmp_path / path).read_bytes(), delay=1.5)
        env = {k: v for k, v in os.environ.items() if k.lower() not in PROXIES}
        env.update(DATABASE_URL=empty_pg_url, SCRAPY_SETTINGS_MODULE="settings.redis",
                   DEPECHES_RUN_ID=f"test-{uuid.uuid4().hex[:8]}", DEPECHES_IDLE_SECONDS="1",
                   **PRIVATE)  # fmt: skip
        command = [sys.executable, "-m", "scrapy", "crawl", "ccnews", "-a", "from=2024-01",
                   "-a", "to=2024-02", "-a", f"base_url={server.base_url}/", *FAST]  # fmt: skip
        workers = [
            subprocess.Popen(command, cwd=ROOT, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]  # fmt: skip
        outputs = [worker.communicate(timeout=240) for worker in workers]
        fetched = Counter(r for r in server.requests if r.endswith(".warc.gz"))
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr[-3000:]
    assert fetched == {"/" + path: 1 for path in paths}
    runs = query(empty_pg_url, "SELECT crawl_run_id, count(*) FROM warc_files GROUP BY 1")
    assert len(runs) == 2 and sum(count for _, count in runs) == len(paths)
    assert scalar(empty_pg_url, "SELECT count(*) FROM articles") == len(demo_articles())
