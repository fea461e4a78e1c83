"""`make bench-warc`: importing a WARC against crawling the same pages (docs/performance.md).

Builds, at run time, a WARC of N records (default 2,000) from real pages: a share (default
30 %) from ../shared/corpus/dev (French), the rest from ../shared/corpus/broad (other
languages), each page used several times under its own URL. The corpus is read where it is,
never copied into the project. Then, each into a fresh SQLite file:

1. FastWARC alone reads the file (records/s of the reader, no processing);
2. `scrapy crawl warc -a file=bench.warc.gz` imports it (default languages: fr);
3. `scrapy crawl urls -a file=urls.txt` fetches the same pages from a local server.

Prints records/s and French articles/s of both and writes data/bench/warc.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.run import (  # noqa: E402
    BENCH_SETTINGS,
    BIN,
    RESULTS_DIR,
    Server,
    database_figures,
    run_measured,
)
from bench.site import CORPUS, corpus_pages  # noqa: E402
from crawler.warc import RecordFilter, TrackedStream, read_warc, warc_response  # noqa: E402

PRIVATE = {"ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8"}


def build(workdir: Path, records: int, french_share: float, seed: int) -> dict[str, Any]:
    """The pages as a folder to serve (one file per record); their description."""
    rng = random.Random(seed)
    french, other = corpus_pages(CORPUS / "dev"), corpus_pages(CORPUS / "broad")
    count_fr = round(records * french_share)
    chosen = [rng.choice(french) for _ in range(count_fr)]
    chosen += [rng.choice(other) for _ in range(records - count_fr)]
    rng.shuffle(chosen)
    site = workdir / "site"
    paths = []
    for index, page in enumerate(chosen):
        path = f"p/{index:05d}-{page.parent.name}.html"
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(page.read_bytes().replace(b"{{BASE}}", b""))
        paths.append(path)
    return {"records": records, "french": count_fr, "paths": paths, "site": site}


def write_warc(workdir: Path, built: dict[str, Any], base_url: str) -> Path:
    """The same pages as WARC records, under the URLs the server gives them."""
    when = datetime(2024, 11, 5, 8, 0, tzinfo=UTC)
    target = workdir / "bench.warc.gz"
    with target.open("wb") as warc:
        for path in built["paths"]:
            body = (built["site"] / path).read_bytes()
            # text/html without a charset, as the fixture server serves them
            url = f"{base_url}/{path}"
            warc.write(warc_response(url, when, 200, body, content_type="text/html"))
    return target


def reader_speed(path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    outcomes = 0
    with path.open("rb") as raw:
        for _ in read_warc(TrackedStream(raw), RecordFilter()):
            outcomes += 1
    seconds = time.perf_counter() - started
    return {
        "records": outcomes,
        "seconds": round(seconds, 3),
        "records_s": round(outcomes / seconds, 1),
    }


def scrapy_run(args: list[str], database_url: str, workdir: Path, label: str) -> dict[str, Any]:
    command = [str(BIN / "scrapy"), "crawl", *args]
    for key, value in BENCH_SETTINGS.items():
        command += ["-s", f"{key}={value}"]
    env = {**os.environ, "DATABASE_URL": database_url, **PRIVATE}
    timed = run_measured(command, env=env, cwd=PROJECT_ROOT, log=workdir / f"{label}.log")
    if timed.returncode != 0:
        raise SystemExit(f"{label} failed (exit {timed.returncode}): see {workdir / label}.log")
    figures = database_figures(database_url)
    french = french_articles(database_url)
    return {"wall": round(timed.wall, 2), "cpu": round(timed.cpu, 2), "french_articles": french,
            "articles": figures["counts"]["articles"], "stats": figures["stats"]}  # fmt: skip


def french_articles(database_url: str) -> int:
    from sqlalchemy import text

    from crawler.storage.engine import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            # French pages stored: one article_urls row per URL (record) that led to a French
            # article; a page seen twice under two URLs is one article but two pages here
            query = text(
                "SELECT count(*) FROM article_urls u JOIN articles a ON a.id = u.article_id "
                "WHERE a.language = 'fr'"
            )
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--french-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--no-crawl", action="store_true", help="skip `scrapy crawl urls`")
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="depeches-bench-warc-"))
    built = build(workdir, options.records, options.french_share, options.seed)
    server = Server(built["site"])
    try:
        warc = write_warc(workdir, built, server.base_url)
        (workdir / "urls.txt").write_text(
            "".join(f"{server.base_url}/{path}\n" for path in built["paths"]), encoding="utf-8"
        )
        result: dict[str, Any] = {
            "records": built["records"],
            "french_records": built["french"],
            "warc_bytes": warc.stat().st_size,
            "reader": reader_speed(warc),
        }
        result["import"] = scrapy_run(
            ["warc", "-a", f"file={warc}"], f"sqlite:///{workdir / 'import.sqlite3'}", workdir,
            "import",
        )  # fmt: skip
        if not options.no_crawl:
            result["crawl"] = scrapy_run(
                ["urls", "-a", f"file={workdir / 'urls.txt'}"],
                f"sqlite:///{workdir / 'crawl.sqlite3'}", workdir, "crawl",
            )  # fmt: skip
    finally:
        server.stop()
    lines = [
        f"{built['records']} records ({built['french']} French), {warc.stat().st_size:,} bytes"
    ]
    reader = result["reader"]
    lines.append(f"FastWARC alone: {reader['records_s']} records/s")
    for label in ("import", "crawl"):
        if label not in result:
            continue
        run = result[label]
        run["records_s"] = round(built["records"] / run["wall"], 1)
        run["french_articles_s"] = round(run["french_articles"] / run["wall"], 1)
        run["cpu_ms_per_record"] = round(1000 * run["cpu"] / built["records"], 1)
        skipped = {k.rsplit("/", 1)[1]: v for k, v in run["stats"].items()
                   if k.startswith("depeches/warc/skipped/")}  # fmt: skip
        lines.append(
            f"{label}: {run['wall']} s wall, {run['cpu']} s CPU "
            f"({run['cpu_ms_per_record']} ms a record), {run['records_s']} records/s, "
            f"{run['french_articles']} French pages stored ({run['french_articles_s']}/s), "
            f"{run['articles']} distinct articles in all"
            + (f", skipped {skipped}" if skipped else "")
        )
        run["stats"] = {k: v for k, v in run["stats"].items() if k.startswith("depeches/")}
    load = os.getloadavg()[0]
    lines.append(f"load average at the end: {load:.1f} on {os.cpu_count()} cores")
    result["load_average"] = round(load, 2)
    print("\n".join(lines))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "warc.json").write_text(json.dumps(result, indent=2, default=str))
    print(f"figures in {RESULTS_DIR / 'warc.json'}; work files in {workdir}")


if __name__ == "__main__":
    main()
