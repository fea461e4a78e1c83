"""`scrapy report`: one self-contained HTML page of charts over the archive.

The charts are SVG drawn on the Python side by matplotlib and inlined in the page: no script,
no font, no stylesheet comes from anywhere, so the file opens offline, prints, and stays small
(dense grids are embedded as PNG inside their SVG). Every chart has a table beside it holding
the same figures, so the page can be read without sight and copied. The SQL behind each chart
is in crawler/storage/report.py, also offered as canned queries by `make browse`.
"""

from __future__ import annotations

import html
import io
import json
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure

from crawler import exitcodes
from crawler.commands.runs import why
from crawler.sites import KEY_RE, SiteConfigError, select_sites

_RELATIVE = re.compile(r"^(\d{1,4})d$")
_SVG_START = re.compile(r"<svg\b[^>]*>")
_SIZE_ATTR = re.compile(r'\s(width|height)="[^"]*"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)

FIELDS = (
    ("with_date", "date"),
    ("with_authors", "authors"),
    ("with_tags", "tags"),
    ("with_section", "section"),
    ("with_agencies", "agencies"),
    ("with_read_count", "read count"),
    ("with_language", "language"),
)
MAX_AGENCIES = 7  # agencies drawn one by one; the rest are summed as OTHER
MAX_REASONS = 7
DAILY_BUCKET_DAYS = 62  # periods longer than this are charted per week
BLUES = ("#deebf7", "#9ecae1", "#4292c6", "#08519c")
GAP = "#e34a33"
BEFORE = "#f2f2f2"
STATUS_COLOURS = {"ok": "#2b8cbe", "degraded": "#fdae61", "failed": "#d7191c", "running": "#999"}


# -- options -------------------------------------------------------------------------------


def parse_day(text: str, option: str, today: date) -> date:
    """A --since / --until value: `YYYY-MM-DD`, or `Nd` for N days before today (UTC)."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        return today - timedelta(days=int(relative.group(1)))
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{option} expects YYYY-MM-DD or Nd (days ago), got {text!r}") from None


def expand_group(group: str, sites_dir: Path | str) -> list[str]:
    """The site keys of a group (`country:SN`, `region:maghreb`), as `-a site=` reads it."""
    try:
        return [site.key for site in select_sites(sites_dir, group)]
    except SiteConfigError as error:
        raise ValueError(f"--site {group!r}: {error}") from None


def parse_sites(text: str, sites_dir: Path | str) -> list[str] | None:
    """`--site` value: site keys and groups, separated by commas, as a sorted list of keys;
    None for `all` (every site, as for `scrapy crawl site -a site=all`)."""
    keys: set[str] = set()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item == "all":
            return None
        if ":" in item:
            keys.update(expand_group(item, sites_dir))
        elif KEY_RE.match(item):
            keys.add(item)
        else:
            raise ValueError(f"--site: {item!r} is not a site key")
    if not keys:
        raise ValueError("--site: no site key given")
    return sorted(keys)


def output_path(template: str, today: date) -> str:
    """`-o` with `{date}` replaced by today's date (UTC), for cron."""
    return template.replace("{date}", today.isoformat())


# -- page ----------------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    title: str
    intro: str
    svg: str | None = None  # None: nothing to chart
    table: str = ""
    empty: str = ""
    queries: tuple[str, ...] = ()  # names in crawler/storage/report.py; default report_<key>

    def html(self) -> str:
        parts = [f'<section id="{self.key}"><h2>{esc(self.title)}</h2>', f"<p>{self.intro}</p>"]
        if self.svg is None:
            parts.append(f'<p class="empty">{esc(self.empty)}</p>')
        else:
            parts.append(
                f'<div class="pair"><figure class="chart" data-chart="{self.key}">'
                f'{self.svg}<figcaption id="cap-{self.key}">{esc(self.title)}; the table '
                f"beside it holds the same figures.</figcaption></figure>"
                f'<div class="data">{self.table}</div></div>'
            )
        names = ", ".join(
            f"<code>{name}</code>" for name in self.queries or (f"report_{self.key}",)
        )
        parts.append(
            f'<p class="sql">SQL: {names} in crawler/storage/report.py (canned queries of '
            "<code>make browse</code>).</p></section>"
        )
        return "".join(parts)


@dataclass
class Period:
    since: date | None
    until: date | None
    sites: list[str] | None
    generated_at: datetime
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        span = (
            f"from {self.since or 'the first article'} to {self.until or 'the latest'}"
            if self.since or self.until
            else "the whole archive"
        )
        who = f"sites {', '.join(self.sites)}" if self.sites else "every site"
        return f"{span}, {who}"


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], caption: str) -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
margin:1.5em auto;max-width:1400px;padding:0 1em;color:#222}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ccc;
padding-bottom:.2em;margin-top:2em}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.2em;align-items:start}
@media (max-width:900px){.pair{grid-template-columns:1fr}}
figure{margin:0}figure svg{width:100%;height:auto}figcaption{font-size:.85em;color:#555}
.data{max-height:32em;overflow:auto}
table{border-collapse:collapse;font-size:.85em;width:100%}caption{text-align:left;
font-weight:600;padding:.2em 0}th,td{border:1px solid #ddd;padding:.15em .4em;text-align:left;
vertical-align:top}th{background:#f4f4f4;position:sticky;top:0}
.empty{padding:.8em;background:#fff8e1;border-left:4px solid #f0b400}
.sql,.meta{font-size:.8em;color:#666}
"""


def page(period: Period, sections: list[Section], empty_archive: bool) -> str:
    generated = period.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    body = [
        "<h1>depeches: archive report</h1>",
        f'<p class="meta">Generated {esc(generated)} for {esc(period.describe())}. '
        "Days are UTC; an article counts on its publication day, or the day it was first "
        "stored when the page gave no date.</p>",
    ]
    body += [f'<p class="empty">{esc(note)}</p>' for note in period.notes]
    if empty_archive:
        body.append(
            '<p class="empty" id="empty-archive">The archive holds no articles, no crawl runs '
            "and no rejections for this selection: there is nothing to chart yet. Crawl first "
            "(<code>scrapy crawl site -a site=KEY</code>), or widen --since / --until / "
            "--site.</p>"
        )
    else:
        toc = "".join(f'<li><a href="#{s.key}">{esc(s.title)}</a></li>' for s in sections)
        body.append(f"<nav><ul>{toc}</ul></nav>")
        body += [section.html() for section in sections]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>depeches report {esc(generated)}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


# -- charts --------------------------------------------------------------------------------


def svg_of(figure: Figure, key: str) -> str:
    """The figure as inline SVG: text kept as text, ids unique per chart, no fixed size."""
    buffer = io.StringIO()
    with (
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": key}),
        warnings.catch_warnings(),
    ):  # one observation in time: the date axis has no span to divide, which is fine
        warnings.filterwarnings("ignore", "AutoDateLocator was unable", UserWarning)
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = _METADATA.sub("", svg[svg.index("<svg") :])
    opening = _SVG_START.search(svg)
    assert opening is not None
    tag = _SIZE_ATTR.sub("", opening.group(0))
    tag = tag.replace("<svg", f'<svg role="img" aria-labelledby="cap-{key}"', 1)
    return tag + svg[opening.end() :]


def new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    figure.set_facecolor("white")
    return figure


def hex_rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def day_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def ranges_text(days: list[date], limit: int = 6) -> str:
    """Consecutive days as ranges: `2024-11-02..2024-11-04, 2024-11-09`."""
    spans: list[tuple[date, date]] = []
    for day in days:
        if spans and day - spans[-1][1] == timedelta(days=1):
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    shown = [f"{a}" if a == b else f"{a}..{b}" for a, b in spans[:limit]]
    if len(spans) > limit:
        shown.append(f"and {len(spans) - limit} more")
    return ", ".join(shown)


def date_ticks(axes: Any, days: list[date]) -> None:
    count = len(days)
    step = max(1, count // 8)
    positions = list(range(0, count, step))
    axes.set_xticks(positions, [days[i].isoformat() for i in positions], rotation=30, ha="right")


def date_axis(axes: Any) -> None:
    """Readable dates on the x axis whatever the span (minutes or years)."""
    locator = mdates.AutoDateLocator(maxticks=9)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def daily_section(
    rows: list[dict[str, Any]], troubled: list[dict[str, Any]], period: Period, sites: list[str]
) -> Section:
    section = Section(
        "daily_articles",
        "Articles per day per site",
        "Each row is a site, each column a day: the darker, the more articles. "
        f'<span style="color:{GAP}">■</span> a day with no article after the site\'s first '
        "one in the period (a gap); ▼ a degraded run, ✕ a failed run that day.",
        empty="No article and no degraded or failed run in this period.",
        queries=("report_daily_articles", "report_troubled_runs"),
    )
    if not rows and not troubled:
        return section
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    for row in rows:
        counts[row["site_key"]][date.fromisoformat(row["day"])] = int(row["articles"])
    marks: dict[str, dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in troubled:
        if row["site_key"]:
            marks[row["site_key"]][date.fromisoformat(row["day"])].add(row["status"])
    known_days = [d for c in counts.values() for d in c] + [d for m in marks.values() for d in m]
    start = period.since or min(known_days)
    end = period.until or (period.generated_at.date() if period.since else max(known_days))
    start, end = min(start, end), max(start, end)
    days = day_range(start, end)
    keys = sorted(set(sites) | set(counts) | {k for k in marks if k != "all"})
    peak = max((n for c in counts.values() for n in c.values()), default=1)
    grid = np.ones((len(keys), len(days), 3))
    table_rows = []
    for i, key in enumerate(keys):
        site_counts = counts.get(key, {})
        first = min(site_counts, default=None)
        gaps = []
        for j, day in enumerate(days):
            n = site_counts.get(day, 0)
            if first is None or day < first:
                colour = BEFORE if first is not None else GAP
                if first is None:
                    gaps.append(day)
            elif n == 0:
                colour = GAP
                gaps.append(day)
            else:
                level = min(len(BLUES) - 1, int(np.log1p(n) / np.log1p(peak) * len(BLUES)))
                colour = BLUES[level]
            grid[i, j] = hex_rgb(colour)
        site_marks = marks.get(key, {})
        degraded = sorted(d for d, s in site_marks.items() if "degraded" in s)
        failed = sorted(d for d, s in site_marks.items() if "failed" in s)
        table_rows.append(
            [
                key,
                sum(site_counts.values()),
                len([d for d in site_counts if start <= d <= end]),
                len(gaps),
                ranges_text(gaps) or "none",
                ranges_text(degraded) or "none",
                ranges_text(failed) or "none",
            ]
        )
    figure = new_figure(10, 1.2 + 0.24 * len(keys))
    axes = figure.add_subplot()
    axes.imshow(grid, aspect="auto", interpolation="nearest", rasterized=True)
    for status, marker, colour in (("degraded", "v", "#b35806"), ("failed", "x", "black")):
        points = [
            (days.index(day), i)
            for i, key in enumerate(keys)
            for day, statuses in marks.get(key, {}).items()
            if status in statuses and start <= day <= end
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.scatter(xs, ys, marker=marker, c=colour, s=22, label=f"{status} run")
    axes.set_yticks(range(len(keys)), keys)
    date_ticks(axes, days)
    axes.set_title(f"Articles per day, {start} to {end} (darkest: {peak} a day)")
    if marks:
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    section.svg = svg_of(figure, section.key)
    section.table = table(
        ["site", "articles", "days with articles", "gap days", "gaps", "degraded runs",
         "failed runs"],
        table_rows,
        f"Per site, {start} to {end}",
    )  # fmt: skip
    return section


def agency_section(rows: list[dict[str, Any]], daily: list[dict[str, Any]]) -> Section:
    section = Section(
        "agency_share",
        "Agency share over time",
        "Share of the articles of each period crediting each agency; NONE: no agency credited. "
        "An article crediting two agencies counts for both, so shares can add up past 100%.",
        empty="No article in this period.",
    )
    if not rows:
        return section
    all_days = sorted({date.fromisoformat(r["day"]) for r in rows})
    weekly = (all_days[-1] - all_days[0]).days + 1 > DAILY_BUCKET_DAYS

    def bucket(day_text: str) -> date:
        day = date.fromisoformat(day_text)
        return day - timedelta(days=day.weekday()) if weekly else day

    totals: dict[date, int] = defaultdict(int)
    for row in daily:
        totals[bucket(row["day"])] += int(row["articles"])
    by_agency: dict[str, int] = defaultdict(int)
    for row in rows:
        by_agency[row["agency"]] += int(row["articles"])
    named = [a for a, _ in sorted(by_agency.items(), key=lambda kv: (-kv[1], kv[0])) if a != "NONE"]
    shown = named[:MAX_AGENCIES] + (["OTHER"] if len(named) > MAX_AGENCIES else []) + ["NONE"]
    shown = [a for a in shown if a != "NONE" or "NONE" in by_agency]
    counts: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        agency = row["agency"] if row["agency"] in shown else "OTHER"
        counts[bucket(row["day"])][agency] += int(row["articles"])
    buckets = sorted(set(counts) | set(totals))
    step = timedelta(days=7 if weekly else 1)
    every = [buckets[0] + step * n for n in range((buckets[-1] - buckets[0]) // step + 1)]
    figure = new_figure(10, 3.6)
    axes = figure.add_subplot()
    x = np.array([b.isoformat() for b in every], dtype="datetime64[D]")
    for agency in shown:  # a period without articles breaks the line instead of bridging it
        share = [100 * counts[b][agency] / totals[b] if totals[b] else np.nan for b in every]
        axes.plot(x, share, marker="o" if len(buckets) < 60 else None, ms=4, label=agency)
    axes.set_ylim(0, 100)
    axes.set_ylabel("% of articles")
    date_axis(axes)
    axes.set_title("Agency share " + ("per week (Monday)" if weekly else "per day"))
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    axes.grid(alpha=0.3)
    section.svg = svg_of(figure, section.key)
    table_rows = [
        [b.isoformat(), totals[b]]
        + [
            f"{counts[b][a]} ({100 * counts[b][a] / totals[b]:.0f}%)" if totals[b] else "0"
            for a in shown
        ]
        for b in buckets
    ]
    section.table = table(
        ["week of" if weekly else "day", "articles", *shown],
        table_rows,
        "Articles crediting each agency (share)",
    )
    return section


def coverage_section(rows: list[dict[str, Any]]) -> Section:
    section = Section(
        "field_coverage",
        "Field coverage per site",
        "Share of each site's articles in the period that carry each field.",
        empty="No article in this period.",
    )
    if not rows:
        return section
    keys = [r["site_key"] for r in rows]
    values = np.array(
        [[100 * int(r[column]) / int(r["articles"]) for column, _ in FIELDS] for r in rows]
    )
    figure = new_figure(7, 1.3 + 0.26 * len(keys))
    axes = figure.add_subplot()
    axes.imshow(values, cmap="RdYlGn", vmin=0, vmax=100, aspect="auto")
    axes.set_xticks(range(len(FIELDS)), [label for _, label in FIELDS], rotation=30, ha="right")
    axes.set_yticks(range(len(keys)), keys)
    if len(keys) <= 60:
        for i in range(len(keys)):
            for j in range(len(FIELDS)):
                axes.text(j, i, f"{values[i, j]:.0f}", ha="center", va="center", fontsize=7)
    axes.set_title("% of articles with the field")
    section.svg = svg_of(figure, section.key)
    section.table = table(
        ["site", "articles", *[label for _, label in FIELDS]],
        [
            [r["site_key"], r["articles"]]
            + [f"{values[i, j]:.0f}% ({r[c]})" for j, (c, _) in enumerate(FIELDS)]
            for i, r in enumerate(rows)
        ],
        "Articles with each field (count)",
    )
    return section


def rejections_section(rows: list[dict[str, Any]]) -> Section:
    section = Section(
        "rejections",
        "Rejections by reason per site",
        "Fetched article URLs that were not stored, by reason.",
        empty="No rejection in this period.",
    )
    if not rows:
        return section
    by_reason: dict[str, int] = defaultdict(int)
    for row in rows:
        by_reason[row["reason"]] += int(row["rejections"])
    ordered = [r for r, _ in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))]
    reasons = ordered[:MAX_REASONS] + (["other"] if len(ordered) > MAX_REASONS else [])
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        reason = row["reason"] if row["reason"] in reasons else "other"
        counts[row["site_key"] or "(unknown)"][reason] += int(row["rejections"])
    keys = sorted(counts)
    figure = new_figure(8, 1.2 + 0.26 * len(keys))
    axes = figure.add_subplot()
    left = np.zeros(len(keys))
    for reason in reasons:
        widths = np.array([counts[k][reason] for k in keys], dtype=float)
        axes.barh(range(len(keys)), widths, left=left, label=reason)
        left += widths
    axes.set_yticks(range(len(keys)), keys)
    axes.invert_yaxis()
    axes.set_xlabel("rejected URLs")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    section.svg = svg_of(figure, section.key)
    section.table = table(
        ["site", "total", *reasons],
        [[k, sum(counts[k].values()), *[counts[k][r] for r in reasons]] for k in keys],
        "Rejected URLs per reason",
    )
    return section


def _number(value: Any) -> int | None:
    try:
        return None if value is None else int(float(value))
    except (TypeError, ValueError):
        return None


def run_why(row: dict[str, Any]) -> str:
    reasons = row.get("degraded_reasons")
    if isinstance(reasons, str):
        try:
            reasons = json.loads(reasons)
        except ValueError:
            reasons = [reasons]
    stats: dict[str, Any] = {
        "close_reason": row.get("close_reason"),
        "closed_by_run": _number(row.get("closed_by_run")),
        "depeches/degraded_reasons": list(reasons or []),
    }
    return why(row["status"], stats)


def as_utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def runs_section(rows: list[dict[str, Any]]) -> Section:
    section = Section(
        "recent_runs",
        "Recent crawl runs",
        "The latest runs, newest first: how long each took, coloured by how it ended.",
        empty="No crawl run in this period.",
    )
    if not rows:
        return section
    labels = [f"#{r['run_id']} {r['site_key'] or r['spider']}" for r in rows]
    durations = [float(r["duration_seconds"] or 0) for r in rows]
    figure = new_figure(7, 1.2 + 0.22 * len(rows))
    axes = figure.add_subplot()
    colours = [STATUS_COLOURS.get(r["status"], "#999") for r in rows]
    axes.barh(range(len(rows)), durations, color=colours)
    axes.set_yticks(range(len(rows)), labels)
    axes.invert_yaxis()
    axes.set_xlabel("duration (s)")
    for status, colour in STATUS_COLOURS.items():
        if any(r["status"] == status for r in rows):
            axes.barh([0], [0], color=colour, label=status)
    axes.legend(loc="lower right", fontsize=7)
    section.svg = svg_of(figure, section.key)
    table_rows = []
    for r, took in zip(rows, durations, strict=True):
        code = exitcodes.for_run(r["status"], _number(r["exit_code"]))
        table_rows.append(
            [
                r["run_id"],
                as_utc(r["started_at"]).strftime("%Y-%m-%d %H:%M"),
                r["spider"],
                r["site_key"] or "-",
                r["status"],
                f"{took:.0f}s" if r["duration_seconds"] is not None else "-",
                _number(r["pages"]) or 0,
                _number(r["new_articles"]) or 0,
                "-" if code is None else code,
                run_why(r) or "-",
            ]
        )
    section.table = table(
        ["run", "started (UTC)", "spider", "site", "status", "took", "pages", "new",
         "exit code", "why"],
        table_rows,
        "Recent runs",
    )  # fmt: skip
    return section


def short(title: Any, limit: int = 48) -> str:
    value = str(title or "(untitled)")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def read_curves_section(rows: list[dict[str, Any]]) -> Section:
    section = Section(
        "read_curves",
        "Read counts of the most-read articles",
        "Every observation of the read counter of the articles with the highest latest count, "
        "from the read_counts history (one point per fetch).",
        empty="No article with a read counter in this period.",
    )
    if not rows:
        return section
    curves: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        curves[int(row["article_id"])].append(row)
    figure = new_figure(10, 3.8)
    axes = figure.add_subplot()
    table_rows = []
    for points in curves.values():
        times = [as_utc(p["observed_at"]) for p in points]
        values = [int(p["value"]) for p in points]
        label = f"{points[0]['site_key']}: {short(points[0]['title'], 40)}"
        stamps = np.array([t.replace(tzinfo=None) for t in times], dtype="datetime64[s]")
        axes.plot(stamps, values, marker="o", ms=3, label=label)
        table_rows.append(
            [
                points[0]["site_key"],
                points[0]["title"],
                len(points),
                f"{values[0]} ({times[0]:%Y-%m-%d %H:%M})",
                f"{values[-1]} ({times[-1]:%Y-%m-%d %H:%M})",
            ]
        )
    axes.set_ylabel("reads")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    date_axis(axes)
    section.svg = svg_of(figure, section.key)
    section.table = table(
        ["site", "title", "observations", "first (UTC)", "latest (UTC)"],
        table_rows,
        "Read counter, first and latest observation",
    )
    return section


def clusters_section(rows: list[dict[str, Any]]) -> Section:
    section = Section(
        "wire_clusters",
        "Largest wire-story clusters across outlets",
        "The dispatches run by the most outlets: each dot is one article, placed by the hours "
        "between its publication and the cluster's first.",
        empty="No story cluster in this period.",
    )
    if not rows:
        return section
    clusters: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        clusters[int(row["cluster_id"])].append(row)
    figure = new_figure(10, 1.2 + 0.42 * len(clusters))
    axes = figure.add_subplot()
    labels = []
    table_rows = []
    for i, (cluster_id, members) in enumerate(clusters.items()):
        hours = [float(m["hours_after_first"] or 0) for m in members]
        axes.scatter(hours, [i] * len(hours), s=26, zorder=3)
        for h, m in zip(hours, members, strict=True):
            axes.annotate(
                m["site_key"], (h, i), xytext=(3, 4), textcoords="offset points", fontsize=6
            )
        outlets = len({m["site_key"] for m in members})
        labels.append(f"#{cluster_id} {short(members[0]['title'], 36)} ({outlets} outlets)")
        first = as_utc(members[0]["published_at"])
        table_rows.append(
            [
                cluster_id,
                members[0]["title"],
                f"{first:%Y-%m-%d %H:%M}",
                outlets,
                "; ".join(
                    f"{m['site_key']} +{h:.1f} h" for h, m in zip(hours, members, strict=True)
                ),
            ]
        )
    axes.set_yticks(range(len(labels)), labels)
    axes.invert_yaxis()
    axes.set_xlabel("hours after the first publication")
    axes.grid(axis="x", alpha=0.3)
    section.svg = svg_of(figure, section.key)
    section.table = table(
        ["cluster", "first title", "first (UTC)", "outlets", "members (hours after first)"],
        table_rows,
        "Largest clusters",
    )
    return section


def render(results: dict[str, list[dict[str, Any]]], period: Period) -> str:
    """The report page from the rows of crawler/storage/report.py's queries."""
    daily = results["report_daily_articles"]
    runs = results["report_recent_runs"]
    rejections = results["report_rejections"]
    empty_archive = not daily and not runs and not rejections
    found = {r["site_key"] for rows in results.values() for r in rows if "site_key" in r}
    unknown = [key for key in period.sites or [] if key not in found]
    if unknown:
        period.notes.append(
            f"No article, run or rejection for {', '.join(unknown)} in this period: check the "
            "site key(s)."
        )
    sections: list[Section] = []
    if not empty_archive:
        sections = [
            daily_section(daily, results["report_troubled_runs"], period, period.sites or []),
            agency_section(results["report_agency_share"], daily),
            coverage_section(results["report_field_coverage"]),
            rejections_section(rejections),
            runs_section(runs),
            read_curves_section(results["report_read_curves"]),
            clusters_section(results["report_wire_clusters"]),
        ]
    return page(period, sections, empty_archive)
