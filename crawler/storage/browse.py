"""`make browse`: the SQLite archive in Datasette, with docs/schema.md's descriptions, the
worked queries of docs/queries.md as canned queries, and full-text search on articles.

    python -m crawler.storage.browse [--port 8001] [--no-open] [PATH]

PATH defaults to the SQLite file of DATABASE_URL (default data/depeches.sqlite3). Datasette
opens it read-only, so a crawl may keep writing meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from crawler.storage.docs import datasette_metadata
from crawler.storage.engine import make_engine, resolve_database_url
from crawler.storage.schema import schema_state


def default_path() -> Path:
    url = make_url(resolve_database_url(None))
    if url.get_backend_name() != "sqlite" or not url.database:
        raise SystemExit(
            "browse: Datasette reads SQLite files; DATABASE_URL is not one (give a PATH)"
        )
    return Path(url.database)


def command(path: Path, metadata: Path, port: int, open_browser: bool) -> list[str]:
    """The datasette command line serving `path` on 127.0.0.1:`port`."""
    args = [sys.executable, "-m", "datasette", "serve", str(path), "--metadata", str(metadata)]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    return [*args, "--open"] if open_browser else args


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="browse", description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, help="SQLite archive (default: DATABASE_URL)")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--no-open", action="store_true", help="do not open a web browser")
    options = parser.parse_args(argv)
    path: Path = options.path or default_path()
    if not path.is_file():
        raise SystemExit(f"browse: no archive at {path}: crawl first (make demo, scrapy crawl)")
    engine = make_engine(f"sqlite:///{path}")
    state = schema_state(engine)
    engine.dispose()
    if state != "current":
        raise SystemExit(f"browse: {path}: schema is {state}: run `scrapy migrate` first")
    metadata = datasette_metadata(path.stem)
    handle, name = tempfile.mkstemp(prefix="depeches-datasette-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(metadata, stream, ensure_ascii=False, indent=1)
    args = command(path, Path(name), options.port, not options.no_open)
    sys.stderr.write(f"browse: http://127.0.0.1:{options.port}/{path.stem} (Ctrl-C to stop)\n")
    sys.stderr.flush()
    os.execv(sys.executable, args)  # Datasette replaces this process: Ctrl-C stops it


if __name__ == "__main__":
    main()
