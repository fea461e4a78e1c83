"""Export memory: peak RSS of `scrapy export` over N synthetic articles (default 200,000).

    .venv/bin/python bench/export.py [--articles N] [--format jsonl|csv|parquet ...]

Fills a fresh SQLite archive (migrated to head) with N articles of ~2 kB of text each, three
tags and an agency each, by bulk inserts (the repository's per-article logic is not what is
measured here), then runs `scrapy export` once per format as a subprocess and reports its
peak resident memory (the child's ru_maxrss) and rows per second.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.storage import models  # noqa: E402
from crawler.storage.engine import make_engine  # noqa: E402
from crawler.storage.schema import upgrade_to_head  # noqa: E402

PARAGRAPH = (
    "Le gouvernement a présenté mercredi en conseil des ministres un projet de loi de finances "
    "qui prévoit une hausse des dépenses sociales et une baisse du déficit, a indiqué le porte-"
    "parole, en précisant que les arbitrages définitifs seraient rendus la semaine prochaine."
)


def fill(url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade_to_head(engine)
    now = datetime(2024, 11, 6, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(insert(models.Site.__table__), [{"key": "bench", "name": "Bench"}])
        connection.execute(
            insert(models.Tag.__table__),
            [{"slug": f"tag-{i}", "label": f"Tag {i}"} for i in range(50)],
        )
    batch = 5000
    for start in range(0, count, batch):
        rows = []
        for i in range(start, min(count, start + batch)):
            body = "\n\n".join(f"{PARAGRAPH} ({i}.{p})" for p in range(5))
            rows.append(
                {
                    "id": i + 1,
                    "canonical_url": f"https://bench.example/article/{i}.html",
                    "site_id": 1,
                    "url": f"https://bench.example/article/{i}.html",
                    "final_url": f"https://bench.example/article/{i}.html",
                    "title": f"Projet de loi de finances : article {i}",
                    "body": body,
                    "word_count": len(body.split()),
                    "content_hash": f"{i:064x}",
                    "extractor": "bench",
                    "pipeline_version": "bench",
                    "published_at": now - timedelta(minutes=i),
                    "published_precision": "minute",
                    "language": "fr",
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
            )
        with engine.begin() as connection:
            connection.execute(insert(models.Article.__table__), rows)
            connection.execute(
                insert(models.ArticleTag.__table__),
                [
                    {"article_id": r["id"], "tag_id": 1 + (r["id"] + k) % 50, "position": k,
                     "label": f"Tag {(r['id'] + k) % 50}"}
                    for r in rows
                    for k in range(3)
                ],
            )  # fmt: skip
            connection.execute(
                insert(models.ArticleAgency.__table__),
                [{"article_id": r["id"], "code": "AFP", "where_found": "trailer", "raw": "AFP"}
                 for r in rows],
            )  # fmt: skip
    engine.dispose()


def export(url: str, fmt: str, out: Path) -> tuple[float, float]:
    """(peak RSS in MB of the export process, seconds)."""
    env = {**os.environ, "DATABASE_URL": url}
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "scrapy"), "export", "-o", str(out), "--format", fmt],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb <= before:
        print(f"  (note: ru_maxrss did not grow past an earlier child's {before / 1024:.0f} MB)")
    return peak_kb / 1024, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--format", nargs="+", default=["jsonl", "csv", "parquet"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="depeches-export-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'archive.sqlite3'}"
        started = time.monotonic()
        fill(url, args.articles)
        print(f"filled {args.articles:,} articles in {time.monotonic() - started:.0f} s")
        print(f"{'format':<8} {'peak RSS':>10} {'seconds':>8} {'rows/s':>9}")
        for fmt in args.format:
            # each format in its own measuring process, so ru_maxrss is that export's own
            target = str(Path(tmp) / f"out.{fmt}")
            code = (
                f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.export import export; "
                f"from pathlib import Path; mb, s = export({url!r}, {fmt!r}, Path({target!r})); "
                "print(mb, s)"
            )
            result = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            mb, seconds = (float(x) for x in result.stdout.split()[-2:])
            print(f"{fmt:<8} {mb:>8.0f} MB {seconds:>8.1f} {args.articles / seconds:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
