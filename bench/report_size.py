"""Report size and time: `scrapy report` over a generated year of 40 sites.

    .venv/bin/python bench/report_size.py [--sites 40] [--days 365] [--per-day 12] [--keep DIR]

Fills a fresh SQLite archive (migrated to head) by bulk inserts: every site publishes about
`--per-day` articles a day with random quiet days (gaps), agencies on ~45% of articles, bylines,
tags, sections and read counters on part of them, one crawl run a site a day (some degraded or
failed), rejections of a dozen reasons, and wire-story clusters spread over up to 12 outlets.
Then runs `scrapy report` once as a subprocess and prints the file's size and the time taken.
The budget of docs/operations.md: under 2 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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

AGENCIES = ["AFP", "REUTERS", "APS", "MAP", "BELGA", "AP", "TAP", "APA", "AIP", "ANP"]
REASONS = ["http_status", "fetch_failed", "no_article_text", "robots_disallowed", "too_short",
           "language", "duplicate_content", "extraction_failed", "timeout", "not_article",
           "too_large", "pipeline_error"]  # fmt: skip


def fill(url: str, sites: int, days: int, per_day: int, seed: int = 17) -> int:
    rng = random.Random(seed)
    engine = make_engine(url)
    upgrade_to_head(engine)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    article_id = run_id = 0
    with engine.begin() as connection:
        connection.execute(
            insert(models.Site.__table__),
            [{"id": s + 1, "key": f"site-{s:02d}", "name": f"Site {s}"} for s in range(sites)],
        )
        connection.execute(
            insert(models.Tag.__table__),
            [{"id": t + 1, "slug": f"tag-{t}", "label": f"Tag {t}"} for t in range(200)],
        )
    cluster_id = 0
    for day in range(days):
        articles, agencies, authors, tags, reads, runs, rejections = [], [], [], [], [], [], []
        clusters, members = [], []
        when = start + timedelta(days=day)
        day_members: list[tuple[int, datetime]] = []
        for s in range(sites):
            run_id += 1
            quiet = rng.random() < 0.03  # a gap day
            status = rng.choices(["ok", "degraded", "failed"], [0.93, 0.05, 0.02])[0]
            stats = {
                "close_reason": "finished" if status != "failed" else "shutdown",
                "downloader/response_count": rng.randint(20, 400),
                "depeches/articles/new": 0 if quiet else per_day,
            }
            if status == "degraded":
                stats["depeches/degraded_reasons"] = ["saw 3 articles, under half the median"]
            runs.append(
                {"id": run_id, "spider": "site", "site_key": f"site-{s:02d}",
                 "started_at": when + timedelta(hours=6),
                 "finished_at": when + timedelta(hours=6, seconds=rng.randint(30, 900)),
                 "status": status, "stats": stats, "host": "bench", "pid": 1}
            )  # fmt: skip
            for _ in range(rng.randint(0, 4)):
                rejections.append(
                    {"crawl_run_id": run_id, "url": f"https://s{s}.example/r/{run_id}",
                     "site_key": f"site-{s:02d}", "reason": rng.choice(REASONS), "detail": "",
                     "rejected_at": when + timedelta(hours=6)}
                )  # fmt: skip
            if quiet:
                continue
            for _ in range(max(0, int(rng.gauss(per_day, per_day / 3)))):
                article_id += 1
                published = when + timedelta(minutes=rng.randint(0, 1439))
                articles.append(
                    {"id": article_id, "canonical_url": f"https://s{s}.example/a/{article_id}",
                     "site_id": s + 1, "url": f"https://s{s}.example/a/{article_id}",
                     "final_url": f"https://s{s}.example/a/{article_id}",
                     "title": f"Dépêche {article_id} du site {s}", "body": "Texte.",
                     "published_at": published if rng.random() < 0.95 else None,
                     "published_precision": "minute",
                     "section": "Politique" if rng.random() < 0.5 else None,
                     "language": "fr" if rng.random() < 0.98 else None,
                     "read_count": rng.randint(10, 90000) if s % 3 == 0 else None,
                     "word_count": 400, "content_hash": f"{article_id:064x}",
                     "extractor": "bench", "pipeline_version": "bench",
                     "first_seen_at": published, "last_seen_at": published}
                )  # fmt: skip
                if rng.random() < 0.45:
                    agencies.append(
                        {"article_id": article_id, "code": rng.choice(AGENCIES[: 3 + s % 7]),
                         "where_found": "trailer", "raw": "(AFP)"}
                    )  # fmt: skip
                    if rng.random() < 0.2:
                        day_members.append((article_id, published))
                if rng.random() < 0.6:
                    authors.append(
                        {"article_id": article_id, "position": 0, "name": "Awa", "kind": "person"}
                    )
                if rng.random() < 0.7:
                    tags.append(
                        {"article_id": article_id, "tag_id": rng.randint(1, 200), "position": 0,
                         "label": "Tag"}
                    )  # fmt: skip
                if s % 3 == 0:
                    for k in range(rng.randint(1, 4)):
                        reads.append(
                            {"article_id": article_id,
                             "observed_at": published + timedelta(hours=6 * k + 1),
                             "value": rng.randint(10, 90000)}
                        )  # fmt: skip
        rng.shuffle(day_members)
        while len(day_members) >= 2:
            size = min(len(day_members), rng.randint(2, 12))
            group, day_members = day_members[:size], day_members[size:]
            cluster_id += 1
            clusters.append({"id": cluster_id, "created_at": when})
            for aid, published in group:
                members.append(
                    {"article_id": aid, "cluster_id": cluster_id, "similarity": 0.9,
                     "joined_at": published}
                )  # fmt: skip
        with engine.begin() as connection:
            connection.execute(insert(models.CrawlRun.__table__), runs)
            if rejections:
                connection.execute(insert(models.Rejection.__table__), rejections)
            if articles:
                for row in articles:
                    row["cluster_id"] = None
                cluster_of = {m["article_id"]: m["cluster_id"] for m in members}
                for row in articles:
                    row["cluster_id"] = cluster_of.get(row["id"])
                connection.execute(insert(models.Article.__table__), articles)
            for table, rows in (
                (models.ArticleAgency, agencies), (models.ArticleAuthor, authors),
                (models.ArticleTag, tags), (models.ReadCount, reads),
                (models.Cluster, clusters), (models.ClusterMember, members),
            ):  # fmt: skip
                if rows:
                    connection.execute(insert(table.__table__), rows)
    engine.dispose()
    return article_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=12)
    parser.add_argument("--keep", type=Path, help="keep the archive and report in this folder")
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="depeches-report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "year.sqlite3"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    began = time.monotonic()
    count = fill(url, options.sites, options.days, options.per_day)
    print(f"filled {count} articles, {options.sites} sites, {options.days} days "
          f"in {time.monotonic() - began:.0f} s")  # fmt: skip
    report = folder / "report.html"
    began = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "-o", str(report)],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, check=True,
    )  # fmt: skip
    took = time.monotonic() - began
    size = report.stat().st_size
    print(json.dumps({"articles": count, "report_bytes": size, "report_mb": round(size / 2**20, 2),
                      "seconds": round(took, 1), "report": str(report)}))  # fmt: skip


if __name__ == "__main__":
    main()
