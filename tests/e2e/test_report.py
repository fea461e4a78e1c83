"""`scrapy report` after a real crawl of the demo site, opened in headless Chromium.

Chromium is the Debian package (`.ci/run` installs it when missing), driven through Playwright's
Python API with `executable_path`: Playwright's own browser download is never used. Playwright
rather than raw DevTools calls because it waits for the load, collects console messages and
page errors, and routes every request, in a few stable lines.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import FAST, ROOT, scrapy

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = ROOT / "test-artifacts"


def open_in_chromium(report: Path, screenshot: Path) -> dict:
    """Load the report from disk; what the browser saw: charts, tables, messages, requests."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    seen: dict = {"console": [], "errors": [], "requests": [], "blocked": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def route(route, request):
                seen["requests"].append(request.url)
                if request.url == report.as_uri():
                    route.continue_()
                else:  # anything else would be the network (or another file): refuse it
                    seen["blocked"].append(request.url)
                    route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: seen["console"].append((m.type, m.text)))
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.goto(report.as_uri(), wait_until="load")
            seen["charts"] = page.evaluate(
                """() => [...document.querySelectorAll('figure.chart')].map(f => {
                    const svg = f.querySelector('svg');
                    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
                    return {
                        key: f.dataset.chart, width: box.width, height: box.height,
                        marks: svg ? svg.querySelectorAll('path, use, image, text').length : 0,
                        table: f.parentElement.querySelectorAll('.data table tbody tr').length,
                    };
                })"""
            )
            seen["text"] = page.inner_text("body")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return seen


def test_demo_report_renders_offline_in_chromium(demo_server, db_url, demo_expected, tmp_path):
    crawl = scrapy(
        "crawl", "site", "-a", "site=demo", "-a", f"base_url={demo_server.base_url}", *FAST,
        database_url=db_url,
    )  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    report = tmp_path / "report.html"
    run = scrapy("report", "-o", str(report), database_url=db_url)
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"report written to {report}" in run.stderr
    backend = "sqlite" if db_url.startswith("sqlite") else "postgres"
    seen = open_in_chromium(report, ARTIFACTS / f"report-demo-{backend}.png")

    assert seen["blocked"] == []
    assert seen["requests"] == [report.as_uri()]
    assert seen["errors"] == []
    assert [m for m in seen["console"] if m[0] in ("error", "warning")] == []
    # The demo crawl stores articles and rejections, runs once, and sees read counters; it has
    # one outlet, so there is no cross-outlet cluster to draw.
    charts = {chart["key"]: chart for chart in seen["charts"]}
    assert sorted(charts) == sorted(
        ["daily_articles", "agency_share", "field_coverage", "rejections", "recent_runs",
         "read_curves"]
    )  # fmt: skip
    for chart in charts.values():
        assert chart["width"] > 300 and chart["height"] > 100, chart
        assert chart["marks"] > 10, chart
        assert chart["table"] >= 1, chart
    assert "No story cluster in this period." in seen["text"]

    articles = demo_expected["articles"].values()
    with_read_count = sum(1 for a in articles if a["read_count"] is not None)
    with_tags = sum(1 for a in articles if a["tags"])
    total = len(demo_expected["articles"])
    text = seen["text"]
    coverage_row = re.search(
        r"^demo\t(\d+)\t(.*)$", text.split("Articles with each field")[1], re.M
    )
    assert coverage_row is not None
    assert int(coverage_row.group(1)) == total
    cells = coverage_row.group(2).split("\t")  # date, authors, tags, section, agencies, ...
    assert cells[2] == f"{round(100 * with_tags / total)}% ({with_tags})"
    assert cells[5] == f"{round(100 * with_read_count / total)}% ({with_read_count})"
    # rejected: the fixture's rejected pages, and the robots.txt-disallowed ones never fetched
    rejected = [*demo_expected["rejected"].values()]
    rejected += ["robots_disallowed"] * len(demo_expected["never_fetched"])
    reasons = sorted(set(rejected))  # ties in count: columns in name order
    table = text.split("Rejected URLs per reason")[1]
    assert f"site\ttotal\t{chr(9).join(reasons)}\n" in table
    counts = "\t".join(str(rejected.count(reason)) for reason in reasons)
    assert f"demo\t{len(rejected)}\t{counts}\n" in table
    runs = text.split("Recent runs\n")[-1]
    assert re.search(
        r"^1\t\d{4}-\d\d-\d\d \d\d:\d\d\tsite\tdemo\tok\t\d+s\t\d+\t7\t0\t", runs, re.M
    )


def test_empty_archive_report_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert scrapy("migrate", database_url=url).returncode == 0
    run = scrapy("report", "--since", "7d", "-o", str(tmp_path / "r" / "{date}.html"),
                 database_url=url)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    today = datetime.now(UTC).date().isoformat()
    page = (tmp_path / "r" / f"{today}.html").read_text(encoding="utf-8")
    assert "The archive holds no articles, no crawl runs and no rejections" in page

    missing = tmp_path / "nothing-here.sqlite3"
    run = scrapy("report", "-o", str(tmp_path / "m.html"), database_url=f"sqlite:///{missing}")
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"No archive at {missing}" in (tmp_path / "m.html").read_text(encoding="utf-8")
    assert not missing.exists()


def test_bad_options_are_usage_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    run = scrapy("report", "--since", "last week", database_url=url)
    assert run.returncode == 2
    assert "--since expects YYYY-MM-DD or Nd" in run.stderr
    run = scrapy("report", "--site", "aps,Le Soleil", database_url=url)
    assert run.returncode == 2
    assert "'Le Soleil' is not a site key" in run.stderr
