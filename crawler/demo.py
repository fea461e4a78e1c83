"""`make demo`: serve the demo site (demo/site), crawl it into SQLite, print what was stored.

The site is served by a few lines of http.server here, not by the tests' fixture server: the
demo is one of the README's two commands and must not depend on tests/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select

from crawler.storage.engine import make_engine
from crawler.storage.models import Rejection

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "demo" / "site"
DEMO_PORT = 8765  # settings/sites/demo.toml base_url
# Files whose `{{BASE}}` becomes the server's origin: feeds and sitemaps hold absolute URLs.
TEMPLATED = {".html", ".xml", ".txt"}


class _DemoServer(ThreadingHTTPServer):
    origin = ""  # http://127.0.0.1:<port>


class _DemoSiteHandler(SimpleHTTPRequestHandler):
    """Static files of demo/site, `{{BASE}}` written as the origin, no access log."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(SITE), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() or path.suffix not in TEMPLATED:
            super().do_GET()
            return
        origin = cast(_DemoServer, self.server).origin
        body = path.read_bytes().replace(b"{{BASE}}", origin.encode("ascii"))
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_demo_site() -> Iterator[str]:
    """demo/site on 127.0.0.1 (the site file's own port when free), for the block; its origin."""
    try:
        server = _DemoServer(("127.0.0.1", DEMO_PORT), _DemoSiteHandler)
    except OSError:
        server = _DemoServer(("127.0.0.1", 0), _DemoSiteHandler)
    server.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.origin
    finally:
        server.shutdown()
        server.server_close()


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "sqlite:///data/demo.sqlite3")
    # the demo site is served on 127.0.0.1, which the private-address guard refuses by default
    env = {
        "ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8,::1/128",
        **os.environ,
        "DATABASE_URL": database_url,
    }
    scrapy = [sys.executable, "-m", "scrapy"]
    # the site file's own origin when free, so that a second `make demo` sees the same URLs
    with serve_demo_site() as base_url:
        print(f"demo site served at {base_url}; database {database_url}", flush=True)
        steps = [
            [*scrapy, "migrate"],
            [
                *scrapy,
                "crawl",
                "site",
                "-a",
                "site=demo",
                "-a",
                f"base_url={base_url}",
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
