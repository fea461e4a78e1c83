"""`scrapy crawl urls -a file=...` over the seed-layout variants, unknown domain, then export.

The same pages and expected values as `tests/pipelines/test_seed_variants.py`, but fetched by
Scrapy (charset from the page's <meta>), run through the real pipelines into SQLite and read
back with `scrapy export`. The demo site file owns 127.0.0.1, so an empty SITES_DIR makes the
generic rules apply, as for a site nobody configured.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import FAST, export_rows, scrapy
from tests.fixture_server import FixtureServer
from tests.pipelines.test_seed_variants import EXPECTED, KNOWN_FAILURES, VARIANTS_DIR

pytestmark = pytest.mark.e2e


def _checked(variant: str, field: str) -> bool:
    return (variant, field) not in KNOWN_FAILURES


def test_seed_variants_crawled_with_generic_rules(tmp_path):
    sites = tmp_path / "no-sites"
    sites.mkdir()
    database_url = f"sqlite:///{tmp_path / 'variants.sqlite3'}"
    with FixtureServer(VARIANTS_DIR) as server:
        url_list = tmp_path / "urls.txt"
        url_list.write_text(
            "".join(f"{server.base_url}{e['url']}\n" for e in EXPECTED.values()), encoding="utf-8"
        )
        run = scrapy(
            "crawl", "urls", "-a", f"file={url_list}", "-s", f"SITES_DIR={sites}", *FAST,
            database_url=database_url,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-4000:]
        fetched = [path for path in server.requests if path != "/robots.txt"]
        assert sorted(fetched) == sorted(e["url"] for e in EXPECTED.values())
    rows = {urlsplit(row["url"]).path: row for row in export_rows(database_url, tmp_path)}
    assert sorted(rows) == sorted(e["url"] for e in EXPECTED.values())

    problems = []
    for variant, expected in EXPECTED.items():
        row = rows[expected["url"]]
        paragraphs = row["body"].split("\n\n")
        got = {
            "title": row["title"],
            "published": (_utc(row["published_at"]), row["published_precision"]),
            "read_count": row["read_count"],
            "tags": row["tags"],
            "agencies": row["agencies"],
            "authors": row["authors"],
            "language": row["language"],
            "body_first": paragraphs[0],
            "body_last": paragraphs[-1],
            "paragraphs": len(paragraphs),
            "not_in_body": [s for s in expected["not_in_body"] if s in row["body"]],
        }
        want = {
            **{field: expected[field] for field in got},
            "published": (expected["published"], expected["published_precision"]),
            "not_in_body": [],
        }
        assert row["site"] == "127.0.0.1", variant  # generic rules, not the demo site
        problems += [
            f"{variant} {field}: got {got[field]!r}, want {want[field]!r}"
            for field in got
            if _checked(variant, field) and got[field] != want[field]
        ]
    assert problems == []


def _utc(exported: str | None) -> str | None:
    """The exported instant in UTC: the export writes it with the publication's own offset
    (here the generic site's zone, Europe/Paris); expected.json holds the UTC instants."""
    if not exported or "T" not in exported:
        return exported  # a bare day stays as written
    return datetime.fromisoformat(exported).astimezone(UTC).isoformat()
