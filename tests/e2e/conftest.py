"""End-to-end helpers: the demo site on 127.0.0.1 and `scrapy` run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixture_server import FixtureServer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo"
FAST = [
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "AUTOTHROTTLE_ENABLED=False",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s", "LOG_LEVEL=INFO",
]  # fmt: skip


# The fixture servers listen on 127.0.0.1, which the private-address guard refuses by default
# (crawler/fetch/netguard.py): each test crawl opens loopback unless its test says otherwise.
LOOPBACK_ALLOWED = {"ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8,::1/128"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder runs `scrapy` or a server: `make check` leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def scrapy(
    *args: str, database_url: str, timeout: float = 180, extra_env: dict[str, str] | None = None
) -> Run:
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    env.update(LOOPBACK_ALLOWED)
    env.update(DATABASE_URL=database_url, **(extra_env or {}))
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def export_rows(database_url: str, tmp_path: Path) -> list[dict]:
    out = tmp_path / "export.jsonl"
    run = scrapy("export", "-o", str(out), database_url=database_url)
    assert run.returncode == 0, run.stderr[-3000:]
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def demo_server():
    with FixtureServer(DEMO / "site") as server:
        yield server


@pytest.fixture(scope="session")
def demo_expected() -> dict:
    return json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))
