"""CPU per page of `extract_page` beside bare trafilatura, on real pages read at run time.

Each case directory holds `page.html` and `truth.json` (its `url`); the site file that owns
the URL gives the extraction options, as in a crawl. Both extractors run on the same pages in
this process, after a warm-up, so the ratio is what the crawl's pool sees per page.

    .venv/bin/python bench/extract_cpu.py ../shared/corpus/dev ../shared/corpus/broad
        [--repeat 3] [--dump raw.jsonl] [--profile N]

`--dump` writes every page's RawExtraction (one JSON line per case), and times nothing, to
compare two versions of the finders field by field; `--profile N` prints the N costliest
functions of extract_page; `--split` prints the CPU per page of each step of extract_page
(trafilatura's own extraction, the body rules, each finder), timed without a profiler.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import pstats
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura

import crawler.process.extract as extract_module
from crawler.process.extract import extract_page
from crawler.sites import Selectors, load_sites, site_for_url

SITES_DIR = Path(__file__).resolve().parents[1] / "settings" / "sites"


def load_cases(roots: list[Path]) -> list[tuple[str, str, str, Selectors]]:
    """(case, url, html, options) for every case directory under the roots, sorted."""
    sites = load_sites(SITES_DIR, "all")
    cases = []
    for root in roots:
        for case in sorted(p for p in root.iterdir() if (p / "page.html").exists()):
            url = json.loads((case / "truth.json").read_text())["url"]
            html = (case / "page.html").read_text(encoding="utf-8", errors="replace")
            options = site_for_url(url, sites).selectors
            cases.append((f"{root.name}/{case.name}", url, html, options))
    return cases


def cpu_ms(cases, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """CPU milliseconds per page of extract_page and of bare trafilatura, best of `repeat`.

    The two run page by page in turn, so a machine busy with other work slows both alike
    and their ratio holds.
    """
    best_ours, best_bare = float("inf"), float("inf")
    for _ in range(repeat):
        ours = bare = 0.0
        for _case, url, html, options in cases:
            start = time.process_time()
            extract_page(html, url, options)
            middle = time.process_time()
            trafilatura.bare_extraction(html, url=url)
            ours += middle - start
            bare += time.process_time() - middle
        best_ours, best_bare = min(best_ours, ours), min(best_bare, bare)
    return 1000 * best_ours / len(cases), 1000 * best_bare / len(cases)


# The steps of extract_page, as names it calls through crawler.process.extract (trafilatura's
# entry point is looked up on its module there, so wrapping it times our call of it only).
SPLIT_STEPS = (
    "Page.parse",
    "trafilatura.bare_extraction",
    "_fresh_tree",
    "prune_boilerplate",
    "promote_text_divs",
    "text_beside_headline",
    "sandwiched_subheadings",
    "find_title_candidates",
    "find_visible_lead",
    "find_date_candidates",
    "find_library_date_candidates",
    "find_author_candidates",
    "find_author_accounts",
    "find_read_count_texts",
    "find_tag_candidates",
    "find_section_candidates",
    "find_canonical_candidates",
)


def split_ms(cases) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """CPU milliseconds per page of each step of extract_page (one pass, steps wrapped)."""
    spent: dict[str, float] = {}

    def timed(name: str, function):  # type: ignore[no-untyped-def]
        @functools.wraps(function)
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - start

        return wrapper

    originals = []
    for name in SPLIT_STEPS:
        owner, attribute = extract_module, name
        if "." in name:
            first, attribute = name.split(".")
            owner = getattr(extract_module, first)
        function = vars(owner)[attribute]  # Page.parse: the classmethod object itself
        originals.append((owner, attribute, function))
        if isinstance(function, classmethod):
            setattr(owner, attribute, classmethod(timed(name, function.__func__)))
        else:
            setattr(owner, attribute, timed(name, function))
    try:
        total = 0.0
        for _case, url, html, options in cases:
            start = time.process_time()
            extract_page(html, url, options)
            total += time.process_time() - start
    finally:
        for owner, attribute, function in originals:
            setattr(owner, attribute, function)
    per_page = {name: round(1000 * seconds / len(cases), 2) for name, seconds in spent.items()}
    per_page["extract_page (all)"] = round(1000 * total / len(cases), 2)
    return per_page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--split", action="store_true")
    args = parser.parse_args()
    cases = load_cases(args.roots)
    for _case, url, html, options in cases[:3]:  # warm-up: imports, compiled patterns
        extract_page(html, url, options)
        trafilatura.bare_extraction(html, url=url)

    if args.dump:
        with args.dump.open("w") as out:
            for case, url, html, options in cases:
                raw = asdict(extract_page(html, url, options))
                out.write(json.dumps({"case": case, **raw}, ensure_ascii=False) + "\n")
        return 0
    if args.split:
        print(json.dumps(split_ms(cases), indent=1))
        return 0
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _case, url, html, options in cases:
            extract_page(html, url, options)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
        return 0

    ours, bare = cpu_ms(cases, args.repeat)
    print(
        json.dumps(
            {
                "pages": len(cases),
                "extract_page_cpu_ms": round(ours, 2),
                "bare_trafilatura_cpu_ms": round(bare, 2),
                "ratio": round(ours / bare, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
