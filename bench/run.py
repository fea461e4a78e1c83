"""`make bench`: the crawler's speed on this machine against bare trafilatura (and peers).

1. Generates a local wire site of N article pages (bench/site.py) in a temporary folder.
2. Times bare `trafilatura.bare_extraction` on the same pages in this process (one core).
3. Serves the site on 127.0.0.1 (tests.fixture_server, in its own process) and runs
   `scrapy crawl site -a site=bench` into a fresh SQLite file (or PostgreSQL database) with a
   profile that only lifts per-host politeness; samples the crawl's process tree in /proc.
4. Measures the write cost of one article at 1,000 and at 100,000 stored articles.
5. With --peers, times trafilatura's command line and news-please over the same site.

Prints a table and writes the figures to data/bench/latest.json. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench import site as sitegen  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS_DIR = PROJECT_ROOT / "data" / "bench"
PEERS_DIR = Path(tempfile.gettempdir()) / "depeches-bench-peers"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

# The bench profile: only per-host politeness is lifted (the site is on 127.0.0.1).
BENCH_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "LOG_LEVEL": "INFO",
}


# -- process-tree sampling (/proc; no psutil needed) ---------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def process_tree(root: int) -> list[int]:
    children = _children_map()
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _rss_and_cpu(pid: int) -> tuple[int, float]:
    """(resident bytes, user+system CPU seconds) of one live process; (0, 0) when gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            rss = int(handle.read().split()[1]) * PAGE_SIZE
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except (OSError, IndexError, ValueError):
        return 0, 0.0
    fields = stat[stat.rindex(b")") + 2 :].split()
    return rss, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _pss(pid: int) -> int:
    """Proportional set size in bytes: pages shared with other processes (the pool workers
    and the fork server they were forked from) counted once across them; 0 when gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def machine_busy_seconds() -> float:
    """CPU seconds spent busy by the whole machine (all cores) since boot, from /proc/stat."""
    with open("/proc/stat", "rb") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


@dataclass
class TreeSampler:
    """Samples the RSS (sum over the tree) of a process and its descendants."""

    pid: int
    interval: float = 0.25
    samples: list[tuple[float, int, int]] = field(default_factory=list)  # (t, rss, processes)
    pss_samples: list[int] = field(default_factory=list)  # sum of PSS over the tree
    per_process_peak: dict[int, int] = field(default_factory=dict)
    per_process_cpu: dict[int, float] = field(default_factory=dict)  # last CPU seen per pid
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> TreeSampler:
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = process_tree(self.pid)
            total = 0
            pss = 0
            for pid in pids:
                rss, cpu = _rss_and_cpu(pid)
                total += rss
                pss += _pss(pid)
                if pid != os.getpid():
                    self.per_process_cpu[pid] = max(self.per_process_cpu.get(pid, 0.0), cpu)
                self.per_process_peak[pid] = max(self.per_process_peak.get(pid, 0), rss)
            if total:
                self.samples.append((time.monotonic() - self._started, total, len(pids)))
                self.pss_samples.append(pss)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def tree_cpu(self) -> float:
        """CPU seconds of every process seen in the tree, reaped or not (forkserver workers
        are children of the fork server, which the crawl never waits for: rusage misses them).
        Up to one sampling interval of each process's last CPU is missed."""
        return sum(self.per_process_cpu.values())

    @property
    def peak_pss(self) -> int:
        return max(self.pss_samples, default=0)

    @property
    def peak_rss(self) -> int:
        return max((s[1] for s in self.samples), default=0)

    def rss_quartiles(self) -> list[float]:
        """RSS (MB) at 25, 50, 75 and 100 % of the run: flat or growing?"""
        if not self.samples:
            return []
        n = len(self.samples)
        return [round(self.samples[min(n - 1, n * q // 4)][1] / 2**20, 1) for q in (1, 2, 3, 4)]


@dataclass
class Timed:
    wall: float
    cpu: float  # user + system of the child and its descendants (rusage, or /proc samples)
    returncode: int
    sampler: TreeSampler | None = None


def run_measured(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
    sample: bool = True,
    on_start: Any = None,
) -> Timed:
    """Run a command, returning wall time, CPU of its tree (rusage) and its RSS samples."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        sampler = TreeSampler(process.pid).start() if sample else None
        if on_start is not None:
            on_start(process.pid)
        returncode = process.wait()
        wall = time.monotonic() - started
        if sampler:
            sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if sampler is not None:
        cpu = max(cpu, sampler.tree_cpu)
    return Timed(wall, cpu, returncode, sampler)


# -- the served site -----------------------------------------------------------------------


class Server:
    """tests.fixture_server in its own process, so it does not share our GIL."""

    def __init__(self, root: Path, port: int = 0) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fixture_server",
                str(root),
                "--port",
                str(port),
                "--keep-alive",  # as real sites serve: one connection for many requests
            ],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"fixture server did not start: {line!r}")
        self.base_url = match.group(1)

    def cpu_seconds(self) -> float:
        return _rss_and_cpu(self.process.pid)[1]

    def stop(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        if self.process.poll() is None:
            self.process.kill()


# -- bare trafilatura ----------------------------------------------------------------------


def bare_trafilatura(
    site: sitegen.GeneratedSite, base_url: str, sample: int, with_metadata: bool
) -> dict[str, Any]:
    import trafilatura

    step = max(1, len(site.pages) // max(1, sample))
    pages = site.pages[::step][:sample]
    documents = [(base_url + p.url_path, site.read(p)) for p in pages]
    for url, html in documents[:5]:  # warm-up: imports, caches
        trafilatura.bare_extraction(html, url=url, with_metadata=with_metadata)
    busy0 = machine_busy_seconds()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    extracted = 0
    for url, html in documents:
        if trafilatura.bare_extraction(html, url=url, with_metadata=with_metadata) is not None:
            extracted += 1
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    others = max(0.0, machine_busy_seconds() - busy0 - cpu) / wall
    return {
        "other_load_cores": round(others, 2),
        "pages": len(documents),
        "extracted": extracted,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "pages_per_s": round(len(documents) / wall, 2),
        "ms_per_page": round(1000 * wall / len(documents), 2),
        "cpu_ms_per_page": round(1000 * cpu / len(documents), 2),
        "with_metadata": with_metadata,
        "trafilatura": trafilatura.__version__,
    }


def stage_cpu_alone(
    site: sitegen.GeneratedSite, base_url: str, sites_dir: Path, workdir: Path, sample: int
) -> dict[str, Any]:
    """CPU ms per page of each step of the one chain (`process_page`), run in this process on
    `sample` pages, beside bare trafilatura on the same pages, then the store of the articles.

    The crawl's stats time the same stages in the workers; this splits the per-page budget on
    one core, with nothing else in the way.
    """
    import trafilatura

    from crawler import PIPELINE_VERSION
    from crawler.items import Article
    from crawler.process.chain import PageJob, process_page
    from crawler.sites import load_sites
    from crawler.storage.engine import make_engine
    from crawler.storage.repository import Repository
    from crawler.storage.schema import ensure_schema

    config = load_sites(sites_dir, sitegen.SITE_KEY)[0]
    step = max(1, len(site.pages) // sample)
    pages = site.pages[::step][:sample]
    docs = [(base_url + p.url_path, site.read(p).replace("{{BASE}}", base_url)) for p in pages]
    spent: dict[str, float] = {}

    def job(url: str, html: str) -> PageJob:
        return PageJob(url=url, final_url=url, html=html, site=config, fetched_at=datetime.now(UTC))

    process_page(job(*docs[0]))  # warm-up: the finders' and langdetect's tables
    articles: list[Article] = []
    for url, html in docs:
        t0 = time.process_time()
        trafilatura.bare_extraction(html, url=url)
        spent["trafilatura.bare_extraction alone"] = (
            spent.get("trafilatura.bare_extraction alone", 0.0) + time.process_time() - t0
        )
        outcome = process_page(job(url, html), spent)
        if isinstance(outcome, Article):
            articles.append(outcome)
    engine = make_engine(f"sqlite:///{workdir / 'stages.sqlite3'}")
    store = "store (save_articles, batches of 50)"
    try:
        ensure_schema(engine, create_if_empty=True)
        repository = Repository(engine, pipeline_version=PIPELINE_VERSION)
        repository.ensure_site(config.key, config.name, config.country, config.timezone)
        run_id = repository.start_run("bench", config.key)
        for start in range(0, len(articles), 50):
            t0 = time.process_time()
            repository.save_articles(run_id, articles[start : start + 50])
            spent[store] = spent.get(store, 0.0) + time.process_time() - t0
    finally:
        engine.dispose()
    per_page = {name: round(1000 * seconds / len(docs), 2) for name, seconds in spent.items()}
    pipeline = sum(v for k, v in per_page.items() if not k.startswith("trafilatura.bare"))
    return {
        "pages": len(docs),
        "stored": len(articles),
        "cpu_ms_per_page": per_page,
        "pipeline_cpu_ms_per_page": round(pipeline, 2),
    }


# -- databases -----------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind: str, workdir: Path, name: str) -> Iterator[str]:
    """A URL to an empty database, dropped (PostgreSQL) or left in workdir (SQLite) after."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / (name + '.sqlite3')}"
        return
    import psycopg

    database = f"depeches_bench_{name}_{os.getpid()}"
    admin = PG_ADMIN_URL
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{database}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def database_figures(url: str) -> dict[str, Any]:
    from sqlalchemy import text

    from crawler.storage.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            counts = {
                table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in ("articles", "article_urls", "rejections", "read_counts")
            }
            reasons = dict(
                connection.execute(
                    text("SELECT reason, count(*) FROM rejections GROUP BY reason")
                ).all()
            )
            row = connection.execute(
                text("SELECT stats, status FROM crawl_runs ORDER BY id DESC LIMIT 1")
            ).one_or_none()
    finally:
        engine.dispose()
    stats: dict[str, Any] = {}
    status = None
    if row is not None:
        raw, status = row
        stats = raw if isinstance(raw, dict) else json.loads(raw or "{}")
    return {"counts": counts, "rejections": reasons, "stats": stats, "run_status": status}


def account_urls(database_url: str, urls: list[str]) -> dict[str, Any]:
    """How each served article URL ended: stored as a new article, stored as an alias of
    another URL's article, or rejected (by reason); any other URL is unaccounted for."""
    from sqlalchemy import text

    from crawler.storage.engine import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            first_url = dict(connection.execute(text("SELECT id, url FROM articles")).all())
            owner = dict(connection.execute(text("SELECT url, article_id FROM article_urls")).all())
            reasons = dict(
                connection.execute(text("SELECT url, reason FROM rejections ORDER BY id")).all()
            )
    finally:
        engine.dispose()
    outcomes: Counter[str] = Counter()
    unaccounted = []
    for url in urls:
        if url in owner:
            outcomes["stored" if first_url.get(owner[url]) == url else "aliased"] += 1
        elif url in reasons:
            outcomes[f"rejected/{reasons[url]}"] += 1
        else:
            unaccounted.append(url)
    return {
        "urls": len(urls),
        "outcomes": dict(sorted(outcomes.items())),
        "unaccounted": len(unaccounted),
        "unaccounted_sample": unaccounted[:5],
    }


# -- the crawl -----------------------------------------------------------------------------


def crawl(
    base_url: str,
    sites_dir: Path,
    database_url: str,
    workdir: Path,
    label: str,
    on_start: Any = None,
) -> tuple[Timed, dict[str, Any], Path]:
    command = [str(BIN / "scrapy"), "crawl", "site", "-a", "site=bench"]
    settings = {**BENCH_SETTINGS, "SITES_DIR": str(sites_dir)}
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    # the generated site is served on 127.0.0.1: open loopback to the private-address guard
    env = {
        **os.environ,
        "ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8,::1/128",
        "DATABASE_URL": database_url,
    }
    log = workdir / f"{label}.log"
    timed = run_measured(command, env=env, cwd=PROJECT_ROOT, log=log, on_start=on_start)
    return timed, database_figures(database_url), log


def stage_split(stats: dict[str, Any], pages: int) -> dict[str, Any]:
    """CPU per page of each stage, from the crawl's `depeches/time/<stage>_cpu_us` stats."""
    split: dict[str, Any] = {}
    for key, value in sorted(stats.items()):
        if not key.startswith("depeches/time/") or not key.endswith("_cpu_us"):
            continue
        name = key.removeprefix("depeches/time/").removesuffix("_cpu_us")
        seconds = float(value) / 1_000_000
        split[name] = {
            "cpu_s": round(seconds, 2),
            "cpu_ms_per_page": round(1000 * seconds / max(1, pages), 2),
        }
    return split


STAGES = ("extract", "normalise", "language", "dedup", "store")


# -- write cost ----------------------------------------------------------------------------

_SAMPLE_TEXT = (
    "le gouvernement a annoncé mardi une série de mesures destinées à soutenir les producteurs "
    "de la région dont les récoltes ont souffert de la sécheresse selon les chiffres officiels "
    "publiés par le ministère de l'agriculture qui prévoit une aide de plusieurs milliards de "
    "francs CFA pour la prochaine campagne agricole et la reconstitution des stocks de semences"
)
WORDS = _SAMPLE_TEXT.split()
TAGS = [f"Sujet {i}" for i in range(400)]


def synthetic_articles(start: int, count: int, rng: random.Random) -> list[Any]:
    from crawler.fields.tags import normalise_tags
    from crawler.items import AgencyMention, Article, ParsedDate
    from crawler.process.fingerprint import fingerprint

    articles = []
    base = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(start, start + count):
        when = base + timedelta(minutes=7 * i)
        paragraphs = [
            " ".join(rng.choices(WORDS, k=rng.randint(40, 90))) + f" ({i}-{n})."
            for n in range(rng.randint(4, 9))
        ]
        url = f"https://exemple-bench.sn/actualite/{when:%Y/%m/%d}/article-{i}.html"
        article = Article(
            url=url,
            final_url=url,
            site="bench",
            fetched_at=when + timedelta(hours=1),
            canonical_url=url,
            title=f"Dépêche numéro {i} : {' '.join(rng.choices(WORDS, k=8))}",
            description=" ".join(rng.choices(WORDS, k=25)),
            body="\n\n".join(paragraphs),
            published=ParsedDate(when, "minute", when.isoformat(), "meta"),
            authors=[f"Auteur {rng.randint(1, 300)}"],
            tags=normalise_tags(rng.sample(TAGS, 3)),
            section="Économie",
            agencies=[AgencyMention("APS", "trailer", "APS")],
            read_count=rng.randint(0, 5000),
            language="fr",
            language_confidence=0.99,
            extractor="bench",
        )
        article.word_count = len(article.body.split())
        # content hash and MinHash, as the dedup stage computes them in the pool in a crawl
        articles.append(fingerprint(article))
    return articles


def write_cost(kind: str, workdir: Path, sizes: list[int], measure: int, batch: int) -> dict:
    from crawler import PIPELINE_VERSION
    from crawler.storage.engine import make_engine
    from crawler.storage.repository import Repository
    from crawler.storage.schema import ensure_schema

    rng = random.Random(7)
    result: dict[str, Any] = {"batch": batch, "measured_articles": measure, "points": []}
    with fresh_database(kind, workdir, "writecost") as url:
        engine = make_engine(url)
        try:
            ensure_schema(engine, create_if_empty=True)
            repository = Repository(engine, pipeline_version=PIPELINE_VERSION)
            repository.ensure_site("bench", "Bench", "SN", "Africa/Dakar")
            run_id = repository.start_run("bench", "bench")
            stored = 0
            fill_seconds = 0.0
            for size in sorted(sizes):
                # Fill up to `size` in big batches (one transaction per 1,000 articles).
                while stored < size:
                    count = min(1000, size - stored)
                    articles = synthetic_articles(stored, count, rng)
                    t0 = time.perf_counter()
                    repository.save_articles(run_id, articles)
                    fill_seconds += time.perf_counter() - t0
                    stored += count
                articles = synthetic_articles(stored, measure, rng)
                t0, c0 = time.perf_counter(), time.process_time()
                for start in range(0, measure, batch):
                    repository.save_articles(run_id, articles[start : start + batch])
                seconds = time.perf_counter() - t0
                cpu = time.process_time() - c0
                stored += measure
                # Storing the same articles again (a re-crawl): the update path.
                t0, c0 = time.perf_counter(), time.process_time()
                for start in range(0, measure, batch):
                    repository.save_articles(run_id, articles[start : start + batch])
                again = time.perf_counter() - t0
                again_cpu = time.process_time() - c0
                result["points"].append(
                    {
                        "stored_before": size,
                        "ms_per_new_article": round(1000 * seconds / measure, 3),
                        "ms_per_unchanged_article": round(1000 * again / measure, 3),
                        # CPU of this process (SQLite runs in it): robust to other jobs.
                        "cpu_ms_per_new_article": round(1000 * cpu / measure, 3),
                        "cpu_ms_per_unchanged_article": round(1000 * again_cpu / measure, 3),
                    }
                )
            result["fill_seconds"] = round(fill_seconds, 1)
            result["fill_ms_per_article_big_batches"] = round(1000 * fill_seconds / stored, 3)
        finally:
            engine.dispose()
    first, last = result["points"][0], result["points"][-1]
    result["ratio_new"] = round(last["ms_per_new_article"] / first["ms_per_new_article"], 2)
    result["ratio_new_cpu"] = round(
        last["cpu_ms_per_new_article"] / first["cpu_ms_per_new_article"], 2
    )
    result["ratio_unchanged"] = round(
        last["ms_per_unchanged_article"] / first["ms_per_unchanged_article"], 2
    )
    return result


# -- peers ---------------------------------------------------------------------------------


def _venv(name: str, packages: list[str]) -> Path:
    """A virtual environment of its own for a peer, created once and reused."""
    venv = PEERS_DIR / name
    marker = venv / ".bench-installed"
    if not marker.exists():
        print(f"  installing {' '.join(packages)} into {venv} (once)...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", *packages],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        marker.write_text(" ".join(packages))
    return venv


def peer_trafilatura(urls: list[str], workdir: Path, version: str) -> dict[str, Any]:
    venv = _venv("trafilatura", [f"trafilatura=={version}", "lxml_html_clean"])
    source = venv / "lib"
    cfg = next(source.glob("python*/site-packages/trafilatura/settings.cfg")).read_text()
    cfg = re.sub(r"(?m)^SLEEP_TIME = .*$", "SLEEP_TIME = 0", cfg)
    cfg = re.sub(r"(?m)^SSRF_PROTECTION = .*$", "SSRF_PROTECTION = off", cfg)
    config = workdir / "trafilatura-bench.cfg"
    config.write_text(cfg)
    url_file = workdir / "urls.txt"
    url_file.write_text("".join(u + "\n" for u in urls))
    out = workdir / "trafilatura-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    command = [
        str(venv / "bin" / "trafilatura"),
        "-i",
        str(url_file),
        "--json",
        "--with-metadata",
        "--config-file",
        str(config),
        "-o",
        str(out),
    ]
    timed = run_measured(command, cwd=workdir, log=workdir / "trafilatura-cli.log")
    outputs = sum(1 for _ in out.rglob("*.json"))
    return {
        "command": " ".join(command),
        "wall_s": round(timed.wall, 2),
        "cpu_s": round(timed.cpu, 2),
        "documents": outputs,
        "pages_per_s": round(outputs / timed.wall, 2),
        "peak_rss_mb": round((timed.sampler.peak_rss if timed.sampler else 0) / 2**20, 1),
        "returncode": timed.returncode,
    }


NEWSPLEASE_SCRAPY = {
    "ROBOTSTXT_OBEY": "True",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
}


def peer_newsplease(site_root: Path, workdir: Path) -> dict[str, Any]:
    """news-please's SitemapCrawler over the site on port 80, JSON storage only."""
    from tests.fixture_server import FixtureServer

    class PortEightyServer(FixtureServer):
        """The same fixture server; URLs written as http://127.0.0.1/ (no ":80")."""

        @property
        def base_url(self) -> str:
            return "http://127.0.0.1"

    venv = _venv("news-please", ["news-please"])
    try:
        server = PortEightyServer(site_root, port=80).start()
    except OSError as exc:
        return {"skipped": f"cannot serve on port 80 of 127.0.0.1: {exc}"}
    try:
        repo = workdir / "news-please-repo"
        shutil.rmtree(repo, ignore_errors=True)
        config_dir = repo / "config"
        config_dir.mkdir(parents=True)
        package = next((venv / "lib").glob("python*/site-packages/newsplease"))
        cfg = (package / "config" / "config.cfg").read_text()
        cfg = re.sub(r"(?m)^working_path = .*$", f"working_path = {repo}/", cfg)
        cfg = re.sub(
            r"(?ms)^ITEM_PIPELINES = \{.*?\}\n",
            "ITEM_PIPELINES = {'newsplease.pipeline.pipelines.ArticleMasterExtractor':100,\n"
            "                  'newsplease.pipeline.pipelines.JsonFileStorage':300}\n",
            cfg,
        )
        for key, value in NEWSPLEASE_SCRAPY.items():
            if re.search(rf"(?m)^{key}\s*=", cfg):
                cfg = re.sub(rf"(?m)^{key}\s*=.*$", f"{key}={value}", cfg)
            else:
                cfg = cfg.replace("[Scrapy]\n", f"[Scrapy]\n{key}={value}\n", 1)
        (config_dir / "config.cfg").write_text(cfg)
        (config_dir / "sitelist.hjson").write_text(
            json.dumps({"base_urls": [{"url": f"{server.base_url}/", "crawler": "SitemapCrawler"}]})
        )
        command = [str(venv / "bin" / "news-please"), "-c", str(config_dir)]
        timed = run_measured(
            command,
            cwd=workdir,
            log=workdir / "news-please.log",
            env={**os.environ, "HOME": str(workdir)},
        )
        documents = sum(1 for _ in (repo / "data").rglob("*.json"))
    finally:
        server.stop()
    return {
        "command": " ".join(command),
        "base_url": server.base_url,
        "wall_s": round(timed.wall, 2),
        "cpu_s": round(timed.cpu, 2),
        "documents": documents,
        "pages_per_s": round(documents / timed.wall, 2),
        "peak_rss_mb": round((timed.sampler.peak_rss if timed.sampler else 0) / 2**20, 1),
        "returncode": timed.returncode,
    }


# -- profiling -----------------------------------------------------------------------------


def profile_crawl(base_url: str, sites_dir: Path, kind: str, workdir: Path) -> dict[str, Any]:
    """A second crawl under py-spy (not the measured one): top functions per thread kind."""
    py_spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if not py_spy:
        return {"skipped": "py-spy not installed (.venv/bin/pip install py-spy)"}
    raw = RESULTS_DIR / "profile.txt"
    spies: list[subprocess.Popen[bytes]] = []

    def attach(pid: int) -> None:
        spies.append(
            subprocess.Popen(
                [
                    py_spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--subprocesses",
                    "--threads",
                    "--rate",
                    "50",
                    "--format",
                    "raw",
                    "--output",
                    str(raw),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    with fresh_database(kind, workdir, "profiled") as url:
        crawl(base_url, sites_dir, url, workdir, "profiled", attach)
    for spy in spies:
        with contextlib.suppress(subprocess.TimeoutExpired):
            spy.wait(timeout=30)
    if not raw.exists():
        return {"skipped": "py-spy produced nothing (ptrace not permitted?)"}
    return {"raw": str(raw.relative_to(PROJECT_ROOT)), **summarise_profile(raw)}


def summarise_profile(raw: Path, top: int = 15) -> dict[str, Any]:
    """Self and inclusive time per function, separately for the reactor thread and workers."""
    groups: dict[str, dict[str, Counter[str]]] = {}
    totals: Counter[str] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        # frames: process "..." ; thread (0x.., "name") ; function (file:line) ...
        process = frames[0]
        thread = frames[1] if len(frames) > 1 else ""
        if "MainThread" in thread and "crawl" in process:
            group = "reactor thread"
        elif "depeches-db" in thread:
            group = "db writer thread"
        elif "spawn_main" in stack or "multiprocessing" in process:
            group = "pool workers"
        else:
            group = "other threads"
        functions = [re.sub(r" \(.*?/(?:site-packages|main)/", " (", f) for f in frames[2:]]
        entry = groups.setdefault(group, {"self": Counter(), "inclusive": Counter()})
        totals[group] += count
        if functions:
            entry["self"][functions[-1]] += count
            for function in set(functions):
                entry["inclusive"][function] += count
    summary: dict[str, Any] = {"samples": dict(totals)}
    for group, entry in groups.items():
        total = totals[group] or 1
        summary[group] = {
            "top_self": [(f, round(100 * c / total, 1)) for f, c in entry["self"].most_common(top)],
            "top_inclusive": [
                (f, round(100 * c / total, 1)) for f, c in entry["inclusive"].most_common(top)
            ],
        }
    return summary


# -- report --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "ram_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def print_table(title: str, rows: list[tuple[str, Any]]) -> None:
    print(f"\n{title}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="article pages (default 2000)")
    parser.add_argument(
        "--pages-from",
        choices=("corpus", "template"),
        default="corpus",
        help="corpus: the real pages of ../shared/corpus/{dev,broad} (read at run time, each "
        "under several URLs); template: the demo fixtures' 15 kB templates (default corpus)",
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--peers", action="store_true", help="also time trafilatura's CLI and news-please"
    )
    parser.add_argument(
        "--bare-sample",
        type=int,
        default=1000,
        help="pages for the bare trafilatura baseline (evenly spread; default 1000)",
    )
    parser.add_argument(
        "--write-sizes",
        default="1000,10000",
        help="stored-article counts at which to time one write (default 1000,10000; "
        "1000,100000 fills 100k articles through the repository: several minutes)",
    )
    parser.add_argument(
        "--write-measure",
        type=int,
        default=500,
        help="articles stored (batches of 50) at each size",
    )
    parser.add_argument("--no-write-cost", action="store_true")
    parser.add_argument(
        "--write-cost-only",
        action="store_true",
        help="only the write cost (no site, no crawl); figures to data/bench/write_cost.json",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="an extra, unmeasured crawl under py-spy: where the time goes",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    os.chdir(PROJECT_ROOT)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="depeches-bench-"))
    started = time.monotonic()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "make bench BENCH_ARGS=" + repr(" ".join(sys.argv[1:])),
        "pages": args.pages,
        "db": args.db,
        "settings": BENCH_SETTINGS,
    }
    if args.write_cost_only:
        return write_cost_only(args, workdir, report)
    server: Server | None = None
    try:
        print(f"generating {args.pages} pages ({args.pages_from}) in {workdir} ...", flush=True)
        t0 = time.monotonic()
        if args.pages_from == "corpus":
            site = sitegen.generate_from_corpus(workdir / "site", args.pages)
        else:
            site = sitegen.generate(workdir / "site", args.pages)
        sizes = site.sizes()
        report["site"] = {
            "pages_from": args.pages_from,
            "pages": len(site.pages),
            "mb": round(site.bytes_total / 2**20, 1),
            "page_kb_mean": round(site.bytes_total / max(1, len(site.pages)) / 1024, 1),
            "page_kb_min_median_max": [
                round(min(sizes) / 1024, 1),
                round(sorted(sizes)[len(sizes) // 2] / 1024, 1),
                round(max(sizes) / 1024, 1),
            ],
            "families": dict(Counter(p.family for p in site.pages)),
            "sitemaps": site.sitemaps,
            "listing_pages": site.listing_pages,
            "seconds": round(time.monotonic() - t0, 1),
        }
        server = Server(site.root)
        sites_dir = workdir / "sites"
        sitegen.write_site_file(sites_dir, server.base_url)

        print("bare trafilatura.bare_extraction, one process ...", flush=True)
        bare = bare_trafilatura(site, server.base_url, min(args.bare_sample, args.pages), False)
        bare_meta = bare_trafilatura(
            site, server.base_url, min(300, args.bare_sample, args.pages), True
        )
        report["bare"] = bare
        report["bare_with_metadata"] = bare_meta
        print("CPU per pipeline step, alone ...", flush=True)
        report["stage_cpu_alone"] = stage_cpu_alone(
            site, server.base_url, sites_dir, workdir, min(200, args.pages)
        )

        print("crawling ...", flush=True)
        server_cpu0 = server.cpu_seconds()
        busy0 = machine_busy_seconds()
        with fresh_database(args.db, workdir, "crawl") as url:
            timed, figures, log = crawl(server.base_url, sites_dir, url, workdir, "crawl")
            accounting = account_urls(url, [server.base_url + p.url_path for p in site.pages])
        busy = machine_busy_seconds() - busy0
        server_cpu = server.cpu_seconds() - server_cpu0
        shutil.copy(log, RESULTS_DIR / "crawl.log")
        if timed.returncode != 0:
            print(f"the crawl failed (exit {timed.returncode}); see data/bench/crawl.log")
        stats = figures["stats"]
        stored = figures["counts"]["articles"]
        # pages: the article URLs that ended stored, aliased or rejected (what bare
        # trafilatura's pages/s compares with: it too goes through pages that are no article)
        pages = accounting["urls"] - accounting["unaccounted"]
        elapsed = float(stats.get("elapsed_time_seconds") or timed.wall)
        sampler = timed.sampler
        assert sampler is not None
        crawl_report = {
            "returncode": timed.returncode,
            "run_status": figures["run_status"],
            "articles_stored": stored,
            "accounting": accounting,
            "rows": figures["counts"],
            "rejections": figures["rejections"],
            "wall_s": round(timed.wall, 2),
            "spider_elapsed_s": round(elapsed, 2),
            "startup_s": round(timed.wall - elapsed, 2),
            "pages": pages,
            "pages_per_s": round(pages / timed.wall, 2),
            "articles_per_s": round(stored / timed.wall, 2),
            "pages_per_s_spider_time": round(pages / elapsed, 2),
            "cpu_s": round(timed.cpu, 2),
            "cpu_s_per_page": round(timed.cpu / max(1, pages), 4),
            # the Scrapy process itself (reactor, writer thread); the rest is the pool
            "reactor_process_cpu_s": round(sampler.per_process_cpu.get(sampler.pid, 0.0), 2),
            "cores_busy": round(timed.cpu / timed.wall, 2),
            "peak_rss_mb": round(sampler.peak_rss / 2**20, 1),
            "peak_pss_mb": round(sampler.peak_pss / 2**20, 1),
            "rss_mb_at_25_50_75_100pct": sampler.rss_quartiles(),
            "peak_processes": max((s[2] for s in sampler.samples), default=0),
            "per_process_peak_rss_mb": sorted(
                (round(v / 2**20, 1) for v in sampler.per_process_peak.values()), reverse=True
            )[:6],
            "server_cpu_s": round(server_cpu, 2),
            # CPU used on this machine by anything but the crawl and the server (other jobs).
            "other_load_cores": round(max(0.0, busy - timed.cpu - server_cpu) / timed.wall, 2),
            "requests": stats.get("downloader/request_count"),
            "items": stats.get("item_scraped_count"),
            "stage_time": stage_split(stats, max(1, pages)),
            "stages_without_timing": [
                s for s in STAGES if not any(k.startswith(f"depeches/time/{s}") for k in stats)
            ],
            "depeches_stats": {k: v for k, v in stats.items() if k.startswith("depeches/")},
        }
        report["crawl"] = crawl_report
        report["ratio"] = round(crawl_report["pages_per_s"] / bare["pages_per_s"], 2)
        # CPU of the whole crawl tree per page against bare trafilatura's (target <= 1.6)
        report["cpu_ratio"] = round(
            1000 * crawl_report["cpu_s_per_page"] / bare["cpu_ms_per_page"], 2
        )
        # What the ratio would be with both cores free for us: cores x bare CPU / crawl CPU.
        report["ratio_cpu_bound"] = round(
            (os.cpu_count() or 1)
            * bare["cpu_ms_per_page"]
            / (1000 * crawl_report["cpu_s_per_page"]),
            2,
        )
        report["ratio_spider_time"] = round(
            crawl_report["pages_per_s_spider_time"] / bare["pages_per_s"], 2
        )

        if args.profile:
            print("profiling a second crawl with py-spy ...", flush=True)
            report["profile"] = profile_crawl(server.base_url, sites_dir, args.db, workdir)

        if args.peers:
            urls = [server.base_url + p.url_path for p in site.pages]
            print("peer: trafilatura command line ...", flush=True)
            try:
                report.setdefault("peers", {})["trafilatura_cli"] = peer_trafilatura(
                    urls, workdir, bare["trafilatura"]
                )
            except Exception as exc:  # a peer that cannot run is reported, not fatal
                report.setdefault("peers", {})["trafilatura_cli"] = {"skipped": repr(exc)}
            print("peer: news-please ...", flush=True)
            try:
                report["peers"]["news_please"] = peer_newsplease(site.root, workdir)
            except Exception as exc:
                report["peers"]["news_please"] = {"skipped": repr(exc)}

        server.stop()
        server = None

        if not args.no_write_cost:
            sizes_wc = [int(s) for s in args.write_sizes.split(",")]
            print(f"write cost at {sizes_wc} stored articles ...", flush=True)
            report["write_cost"] = write_cost(args.db, workdir, sizes_wc, args.write_measure, 50)
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report["bench_seconds"] = round(time.monotonic() - started, 1)

    text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    (RESULTS_DIR / "latest.json").write_text(text + "\n", encoding="utf-8")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"{stamp}-n{args.pages}-{args.db}.json").write_text(text + "\n")
    print_report(report)
    crawl_report = report["crawl"]
    # a URL that ended neither stored, aliased nor rejected is a lost page: the bench fails
    lost = crawl_report["accounting"]["unaccounted"]
    return 0 if crawl_report["returncode"] == 0 and not lost else 1


def write_cost_only(args: argparse.Namespace, workdir: Path, report: dict[str, Any]) -> int:
    """`--write-cost-only`: the write cost alone, in data/bench/write_cost.json (a crawl bench
    running at the same time keeps latest.json)."""
    sizes = [int(s) for s in args.write_sizes.split(",")]
    print(f"write cost at {sizes} stored articles ...", flush=True)
    started = time.monotonic()
    try:
        report["write_cost"] = write_cost(args.db, workdir, sizes, args.write_measure, 50)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["bench_seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    (RESULTS_DIR / "write_cost.json").write_text(text + "\n", encoding="utf-8")
    print_write_cost(report["write_cost"])
    return 0


def print_write_cost(w: dict[str, Any]) -> None:
    rows = [
        (
            f"{p['stored_before']:>7} stored",
            f"new: {p['ms_per_new_article']} ms wall, {p['cpu_ms_per_new_article']} ms CPU; "
            f"unchanged: {p['ms_per_unchanged_article']} ms wall, "
            f"{p['cpu_ms_per_unchanged_article']} ms CPU",
        )
        for p in w["points"]
    ]
    rows.append(
        (
            "ratio (largest / smallest)",
            f"new {w['ratio_new']} wall, {w['ratio_new_cpu']} CPU; unchanged "
            f"{w['ratio_unchanged']} wall (target: new <= 1.5)",
        )
    )
    rows.append(
        (
            "fill",
            f"{w['fill_seconds']} s ({w['fill_ms_per_article_big_batches']} "
            "ms/article in batches of 1,000)",
        )
    )
    print_table(f"write cost (Repository.save_articles, batches of {w['batch']})", rows)


def print_report(report: dict[str, Any]) -> None:
    m, c, b = report["machine"], report["crawl"], report["bare"]
    print_table(
        f"depeches bench: {report['pages']} pages, {report['db']}, "
        f"{m['cpus']} x {m['cpu_model']}, {m['ram_gb']} GB",
        [
            ("articles stored", f"{c['articles_stored']} (rejections: {c['rejections'] or 0})"),
            (
                "every article URL",
                f"{c['accounting']['outcomes']}; unaccounted for: "
                f"{c['accounting']['unaccounted']} {c['accounting']['unaccounted_sample']}",
            ),
            (
                "crawl wall time",
                f"{c['wall_s']} s (spider {c['spider_elapsed_s']} s, start-up {c['startup_s']} s)",
            ),
            (
                "crawl pages/s",
                f"{c['pages_per_s']} article URLs/s, {c['articles_per_s']} stored/s "
                f"(spider time only: {c['pages_per_s_spider_time']}; site: "
                f"{report['site']['pages_from']}, {report['site']['page_kb_mean']} kB a page)",
            ),
            (
                "bare trafilatura 1 core",
                f"{b['pages_per_s']} pages/s ({b['ms_per_page']} ms/page, "
                f"{b['pages']} pages; with_metadata=True: "
                f"{report['bare_with_metadata']['pages_per_s']} pages/s)",
            ),
            (
                "RATIO crawl / bare",
                f"{report['ratio']} (target >= 1.2; spider time only: "
                f"{report['ratio_spider_time']}; CPU-bound, both cores free: "
                f"{report['ratio_cpu_bound']})",
            ),
            (
                "CPU s per page",
                f"{c['cpu_s_per_page']} (tree total {c['cpu_s']} s, {c['cores_busy']} cores busy; "
                f"{report['cpu_ratio']} x bare's, target <= 1.6)",
            ),
            (
                "peak RSS of the tree",
                f"{c['peak_rss_mb']} MB over {c['peak_processes']} processes "
                f"(at 25/50/75/100 %: {c['rss_mb_at_25_50_75_100pct']})",
            ),
            (
                "peak PSS of the tree",
                f"{c['peak_pss_mb']} MB (shared pages counted once: the workers fork from a "
                "preloaded server)",
            ),
            ("server CPU", f"{c['server_cpu_s']} s"),
            (
                "other load on the machine",
                f"{c['other_load_cores']} cores during the crawl, "
                f"{b['other_load_cores']} during bare (other jobs: figures are then pessimistic)",
            ),
            ("rows", c["rows"]),
        ],
    )
    split = c["stage_time"]
    rows = [
        (name, f"{v['cpu_ms_per_page']} ms CPU a page ({v['cpu_s']} s in all)")
        for name, v in split.items()
    ]
    rows.append(("stages without timing", ", ".join(c["stages_without_timing"]) or "none"))
    print_table("time per stage (crawl stats depeches/time/*)", rows)
    alone = report.get("stage_cpu_alone")
    if alone:
        rows = [(name, f"{ms} ms") for name, ms in alone["cpu_ms_per_page"].items()]
        rows.append(
            ("pipeline total (without the bare line)", f"{alone['pipeline_cpu_ms_per_page']} ms")
        )
        rows.append(("crawl, whole process tree", f"{1000 * c['cpu_s_per_page']:.1f} ms"))
        reactor_ms = 1000 * c["reactor_process_cpu_s"] / max(1, c["pages"])
        rows.append(("  of which the Scrapy process (reactor + writer)", f"{reactor_ms:.1f} ms"))
        print_table(f"CPU per page of each step, run alone on {alone['pages']} pages", rows)
    if "write_cost" in report:
        print_write_cost(report["write_cost"])
    if "peers" in report:
        rows = []
        for name, peer in report["peers"].items():
            if "skipped" in peer:
                rows.append((name, f"not run: {peer['skipped']}"))
            else:
                rows.append(
                    (
                        name,
                        f"{peer['pages_per_s']} pages/s ({peer['documents']} documents "
                        f"in {peer['wall_s']} s, CPU {peer['cpu_s']} s, "
                        f"peak RSS {peer['peak_rss_mb']} MB)",
                    )
                )
        rows.append(("depeches", f"{c['pages_per_s']} pages/s"))
        print_table("peers, same site, same run", rows)
    if "profile" in report:
        profile = report["profile"]
        if "skipped" in profile:
            print(f"\nprofile: {profile['skipped']}")
        else:
            for group in ("reactor thread", "db writer thread", "pool workers"):
                if group in profile:
                    print_table(
                        f"py-spy, {group}: top self time (% of its samples)",
                        [(f"{pct} %", name[:110]) for name, pct in profile[group]["top_self"][:10]],
                    )
    print(f"\nfigures: data/bench/latest.json ({report['bench_seconds']} s in all)")


if __name__ == "__main__":
    raise SystemExit(main())
