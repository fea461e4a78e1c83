"""`make demo`: serve the bundled demo site, crawl it into SQLite, print what was stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import select

from crawler.fixture_server import FixtureServer
from crawler.storage.engine import make_engine
from crawler.storage.models import Rejection

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "tests" / "fixtures" / "demo" / "site"
DEMO_PORT = 8765  # settings/sites/demo.toml base_url


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "sqlite:///data/demo.sqlite3")
    # the demo site is served on 127.0.0.1, which the private-address guard refuses by default
    env = {
        "ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8,::1/128",
        **os.environ,
        "DATABASE_URL": database_url,
    }
    scrapy = [sys.executable, "-m", "scrapy"]
    try:
        # the site file's own origin, so that a second `make demo` sees the same URLs
        server = FixtureServer(SITE, port=DEMO_PORT)
    except OSError:
        server = FixtureServer(SITE)
    with server:
        print(f"demo site served at {server.base_url}; database {database_url}", flush=True)
        steps = [
            [*scrapy, "migrate"],
            [
                *scrapy,
                "crawl",
                "site",
                "-a",
                "site=demo",
                "-a",
                f"base_url={server.base_url}",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
                "-s",
                "LOG_LEVEL=WARNING",
            ],
        ]
        for step in steps:
            print("$", " ".join(step[2:]), flush=True)
            result = subprocess.run(step, cwd=ROOT, env=env)
            if result.returncode != 0:
                print(f"demo: step failed with exit code {result.returncode}", file=sys.stderr)
                return result.returncode
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo.jsonl"
        subprocess.run([*scrapy, "export", "-o", str(out)], cwd=ROOT, env=env, check=True)
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    print(f"\n{len(rows)} articles stored")
    for row in rows:
        print(f"- {row['title']}")
        print(f"    url: {row['url']}")
        print(
            f"    published: {row['published_at']}  read count: {row['read_count']}"
            f"  language: {row['language']}"
        )
        print(f"    tags: {', '.join(row['tags']) or '-'}  section: {row['section'] or '-'}")
        agencies, authors = ", ".join(row["agencies"]) or "-", ", ".join(row["authors"]) or "-"
        print(f"    agencies: {agencies}  authors: {authors}")
        print(f"    body: {len(row['body'].split())} words, starts {row['body'][:70]!r}")
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rejections = connection.execute(
            select(Rejection.url, Rejection.reason, Rejection.detail).order_by(Rejection.id)
        ).all()
    print(f"\n{len(rejections)} rejections")
    for url, reason, detail in rejections:
        print(f"- {reason:<18} {url}  {detail or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
