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


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "sqlite:///data/demo.sqlite3")
    env = {**os.environ, "DATABASE_URL": database_url}
    scrapy = [sys.executable, "-m", "scrapy"]
    with FixtureServer(SITE) as server:
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
            result = subprocess.run(step, cwd=ROOT, env=env)
            if result.returncode != 0:
                return result.returncode
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo.jsonl"
        subprocess.run([*scrapy, "export", "-o", str(out)], cwd=ROOT, env=env, check=True)
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    for _row in rows:
        pass
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rejections = connection.execute(
            select(Rejection.url, Rejection.reason, Rejection.detail).order_by(Rejection.id)
        ).all()
    for _url, _reason, _detail in rejections:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
