"""Generates the benchmark's wire site: N francophone article pages built from the demo fixtures.

Every page starts from one of the seven article pages of `tests/fixtures/demo/site/` (three
generations of CMS: the seed layout, WordPress, the 2019 ISO-8859-1 table layout) and gets a new
title, id, URL, date, read counter and body: the template's lead paragraph, then a random
selection (and order) of paragraphs drawn from every fixture page, one generated sentence of its
own, and the template's closing credit line. Sizes therefore vary (about 8 to 40 kB) and no two
pages are identical. Around them: `robots.txt`, an RSS feed of the 50 newest articles, a sitemap
index over news sitemaps of 1,000 URLs each, and paginated listings of 30 teasers a page.

`{{BASE}}` stays in the files: `tests.fixture_server.FixtureServer` writes the origin in.

Run alone: `python bench/site.py OUT_DIR --pages 2000` (writes the site and `urls.txt`).
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SITE = PROJECT_ROOT / "demo" / "site"

SITE_KEY = "bench"
PER_LISTING_PAGE = 30
PER_SITEMAP = 1000
RSS_ITEMS = 50
MAX_LISTING_PAGES = 20

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
MONTHS_ABBR = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

PLACES = [
    "Dakar",
    "Abidjan",
    "Bamako",
    "Niamey",
    "Ouagadougou",
    "Conakry",
    "Lomé",
    "Cotonou",
    "Tunis",
    "Rabat",
    "Alger",
    "Nouakchott",
    "Yaoundé",
    "Libreville",
    "Kinshasa",
    "Brazzaville",
    "N’Djamena",
    "Bangui",
    "Antananarivo",
    "Saint-Louis",
    "Thiès",
    "Kaolack",
    "Ziguinchor",
    "Bouaké",
    "Sikasso",
    "Mopti",
    "Zinder",
    "Sfax",
    "Oran",
    "Casablanca",
    "Tambacounda",
    "Kaffrine",
    "Touba",
    "Korhogo",
    "Gao",
    "Agadez",
    "Bobo-Dioulasso",
    "Kankan",
    "Parakou",
    "Douala",
]
SUBJECTS = [
    "les producteurs d’arachide",
    "les enseignants du public",
    "les organisations de la société civile",
    "les transporteurs routiers",
    "les pêcheurs artisanaux",
    "les ministres",
    "les syndicats de la santé",
    "les commerçants du marché central",
    "les étudiants",
    "les banques commerciales",
    "les éleveurs",
    "les maires de la région",
    "les partis d’opposition",
    "les jeunes diplômés",
    "les riziculteurs",
    "les importateurs de céréales",
    "les agents de la compagnie d’électricité",
    "les cotonculteurs",
    "les chauffeurs de taxi",
    "les associations de consommateurs",
    "les exportateurs d’anacarde",
    "les clubs de football",
    "les magistrats",
    "les orpailleurs",
    "les agents des douanes",
    "les chefs d’entreprise",
    "les sinistrés des inondations",
    "les médecins hospitaliers",
    "les boulangers",
    "les acteurs du tourisme",
    "les femmes transformatrices",
    "les autorités portuaires",
    "les collectivités locales",
    "les partenaires techniques",
    "les producteurs de mangues",
    "les opérateurs de téléphonie",
    "les riverains du fleuve",
    "les artisans",
    "les parents d’élèves",
    "les maraîchers",
]
ANGLES = [
    "réclament des mesures d’urgence",
    "dressent un bilan contrasté de la saison",
    "attendent toujours les financements promis",
    "appellent au dialogue",
    "saluent la baisse des prix",
    "s’inquiètent de la hausse des coûts",
    "annoncent une grève de trois jours",
    "lancent un programme de formation",
    "dénoncent des retards de paiement",
    "misent sur la transformation locale",
    "veulent renforcer la coopération régionale",
    "demandent un audit indépendant",
    "préparent la prochaine campagne",
    "se mobilisent contre la vie chère",
    "obtiennent un accord de principe",
]
SENTENCE_TOPICS = [
    "la campagne agricole",
    "la réforme annoncée",
    "la hausse des prix",
    "le programme d’investissement",
    "la saison des pluies",
    "les négociations en cours",
]


@dataclass(frozen=True)
class Template:
    """One fixture article page and how to vary it."""

    path: str  # as served under the fixture site
    family: str  # seed | wordpress | oldcms
    encoding: str
    body_start: str
    body_end: str
    article_id: str
    counter: str | None  # the read counter text to replace, if any
    dates: tuple[tuple[str, str], ...]  # (text in the page, format name)


TEMPLATES = (
    Template(
        "actualite/2024/10/28/otan-soldats-nord-coreens-russie.html",
        "seed",
        "utf-8",
        '<div class="post-content">',
        '<div class="post-tags">',
        "1042",
        "Lu: 97",
        (("28 Octobre 2024", "day_cap"),),
    ),
    Template(
        "actualite/2024/11/04/cop29-afrique-finance-climat-bakou.html",
        "seed",
        "utf-8",
        '<div class="post-content">',
        '<div class="post-tags">',
        "1057",
        "Lu: 1 234",
        (("lundi 4 novembre 2024 à 14h32", "weekday_time"),),
    ),
    Template(
        "actualite/2024/11/05/kaffrine-producteurs-arachide-campagne-commercialisation.html",
        "seed",
        "utf-8",
        '<div class="post-content">',
        '<div class="post-tags">',
        "1061",
        "Lu : 12",
        (("5 nov. 2024", "day_abbr"),),
    ),
    Template(
        "2024/11/02/tunisie-chute-des-prix-saison-oleicole/index.html",
        "wordpress",
        "utf-8",
        '<div class="entry-content">',
        "</div><!-- .entry-content -->",
        "4821",
        None,
        (
            ("2024-11-02T08:45:00+00:00", "iso"),
            ("2024-11-02T10:12:00+00:00", "iso_modified"),
            ("2 novembre 2024", "day"),
        ),
    ),
    Template(
        "2024/11/03/inondations-nos-villes-paient-cher-leur-manque-de-prevoyance/index.html",
        "wordpress",
        "utf-8",
        '<div class="entry-content">',
        "</div><!-- .entry-content -->",
        "4836",
        None,
        (("2024-11-03T07:00:00+00:00", "iso"), ("3 novembre 2024", "day")),
    ),
    Template(
        "archives/article-1234.html",
        "oldcms",
        "iso-8859-1",
        '<div class="texte">',
        "</div>",
        "1234",
        "Vu 1&nbsp;234 fois",
        (("12/03/2019 à 09h15", "numeric_time"),),
    ),
    Template(
        "archives/article-987.html",
        "oldcms",
        "iso-8859-1",
        '<div class="texte">',
        "</div>",
        "987",
        "Vu 87 fois",
        (("03/11/2018 à 17h40", "numeric_time"),),
    ),
)
# Share of each template among the pages: the current CMS dominates, the archive is a tail.
TEMPLATE_WEIGHTS = (18, 18, 18, 15, 15, 8, 8)

_P = re.compile(r"<p\b[^>]*>.*?</p>", re.S)
_TAG = re.compile(r"<[^>]+>")
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_WRAP = re.compile(r"^(<p\b[^>]*>(?:\s*<font\b[^>]*>)?)(.*?)((?:</font>\s*)?</p>)$", re.S)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def _is_plain(paragraph: str) -> bool:
    """A body paragraph proper: no class (lire-aussi, credit), not a short credit line."""
    opening = paragraph[: paragraph.index(">") + 1]
    return "class=" not in opening and len(_text(paragraph)) >= 60


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:80]


def format_date(when: datetime, kind: str) -> str:
    if kind == "day_cap":
        return f"{when.day} {MONTHS[when.month - 1].capitalize()} {when.year}"
    if kind == "day":
        return f"{when.day} {MONTHS[when.month - 1]} {when.year}"
    if kind == "day_abbr":
        return f"{when.day} {MONTHS_ABBR[when.month - 1]} {when.year}"
    if kind == "weekday_time":
        weekday = WEEKDAYS[when.weekday()]
        month = MONTHS[when.month - 1]
        return f"{weekday} {when.day} {month} {when.year} à {when:%H}h{when:%M}"
    if kind == "numeric_time":
        return f"{when:%d/%m/%Y} à {when:%H}h{when:%M}"
    if kind == "iso":
        return when.isoformat()
    if kind == "iso_modified":
        return (when + timedelta(minutes=87)).isoformat()
    raise ValueError(kind)


@dataclass
class LoadedTemplate:
    spec: Template
    text: str
    title: str
    url_path: str  # as linked: "/archives/article-1234.html", "/2024/.../slug/"
    lead: str  # first plain paragraph (kept: it carries the dateline)
    inline_specials: list[str]  # lire-aussi and the like, placed mid-body
    trailing_specials: list[str]  # credit lines after the last plain paragraph
    wrap: tuple[str, str]  # how a plain paragraph is wrapped in this layout
    region: tuple[int, int]  # [first <p> start, last </p> end) of the body
    plain: list[str] = field(default_factory=list)  # inner text of plain paragraphs


def load_template(spec: Template) -> LoadedTemplate:
    text = (FIXTURE_SITE / spec.path).read_bytes().decode(spec.encoding)
    start = text.index(spec.body_start)
    end = text.index(spec.body_end, start + len(spec.body_start))
    paragraphs = list(_P.finditer(text, start, end))
    plain_idx = [i for i, m in enumerate(paragraphs) if _is_plain(m.group(0))]
    last_plain = plain_idx[-1]
    first = paragraphs[plain_idx[0]].group(0)
    wrap = _WRAP.match(first)
    assert wrap is not None, spec.path
    title_match = _H1.search(text)
    assert title_match is not None, spec.path
    url_path = "/" + spec.path.removesuffix("index.html")
    return LoadedTemplate(
        spec=spec,
        text=text,
        title=_text(title_match.group(1)),
        url_path=url_path,
        lead=first,
        inline_specials=[
            m.group(0) for i, m in enumerate(paragraphs) if i < last_plain and i not in plain_idx
        ],
        trailing_specials=[m.group(0) for m in paragraphs[last_plain + 1 :]],
        wrap=(wrap.group(1), wrap.group(3)),
        region=(paragraphs[0].start(), paragraphs[-1].end()),
        plain=[_WRAP.match(paragraphs[i].group(0)).group(2).strip() for i in plain_idx[1:]],  # type: ignore[union-attr]
    )


@dataclass(frozen=True)
class Page:
    index: int
    url_path: str  # as linked from feeds and listings
    file: str  # relative file path under the site root
    title: str
    published: datetime
    family: str
    keywords: tuple[str, ...]
    encoding: str


def _title(index: int) -> str:
    """Distinct titles for up to 24,000 pages (a permutation of place × subject × angle)."""
    n = len(PLACES) * len(SUBJECTS) * len(ANGLES)
    k = (index * 7919) % n  # 7919 is prime and coprime with n: a permutation
    place = PLACES[k % len(PLACES)]
    subject = SUBJECTS[(k // len(PLACES)) % len(SUBJECTS)]
    angle = ANGLES[(k // (len(PLACES) * len(SUBJECTS))) % len(ANGLES)]
    title = f"{place} : {subject} {angle}"
    if index >= n:
        title += f" ({index // n + 1})"
    return title


def _own_sentence(rng: random.Random, index: int, when: datetime) -> str:
    place = rng.choice(PLACES)
    topic = rng.choice(SENTENCE_TOPICS)
    weekday = WEEKDAYS[when.weekday()]
    people = f"{rng.randint(120, 98000):,}".replace(",", "\u202f")
    return (
        f"Selon les chiffres communiqués {weekday} à {place}, quelque {people} personnes sont "
        f"concernées par {topic}, dont {rng.randint(10, 900)} dans le seul district numéro "
        f"{index % 97 + 1}, précise le communiqué officiel."
    )


def _body_size(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.6:
        return rng.randint(3, 8)
    if roll < 0.9:
        return rng.randint(9, 16)
    return rng.randint(17, 30)


def render_page(
    template: LoadedTemplate, pool: list[str], index: int, when: datetime, rng: random.Random
) -> tuple[Page, bytes]:
    spec = template.spec
    new_id = str(100000 + index)
    title = _title(index)
    slug = slugify(title)
    if template.spec.family == "seed":
        url_path = f"/actualite/{when:%Y/%m/%d}/{slug}-{new_id}.html"
        file = url_path.lstrip("/")
    elif template.spec.family == "wordpress":
        url_path = f"/{when:%Y/%m/%d}/{slug}-{new_id}/"
        file = url_path.lstrip("/") + "index.html"
    else:
        url_path = f"/archives/article-{new_id}.html"
        file = url_path.lstrip("/")

    count = _body_size(rng)
    chosen = rng.sample(pool, min(count, len(pool)))
    if count > len(pool):
        chosen += rng.choices(pool, k=count - len(pool))
    opening, closing = template.wrap
    middle = [f"{opening}{text}{closing}" for text in chosen]
    middle.insert(
        rng.randint(0, min(2, len(middle))), f"{opening}{_own_sentence(rng, index, when)}{closing}"
    )
    for special in template.inline_specials:
        middle.insert(rng.randint(1, len(middle)), special)
    body = "\n".join([template.lead, *middle, *template.trailing_specials])

    start, end = template.region
    text = template.text[:start] + body + template.text[end:]
    # The title as it appears in <title>, og:title, h1, JSON-LD and share links.
    text = text.replace(template.title, title)
    text = text.replace(html.escape(template.title), title)
    text = text.replace(template.url_path, url_path)
    for old, kind in spec.dates:
        text = text.replace(old, format_date(when, kind))
    if spec.counter:
        number = rng.choice([rng.randint(0, 99), rng.randint(100, 99999)])
        shown = f"{number:,}".replace(",", " ")
        prefix = re.split(r"\d", spec.counter, maxsplit=1)[0]
        suffix = " fois" if spec.counter.endswith(" fois") else ""
        text = text.replace(spec.counter, f"{prefix}{shown}{suffix}")
    text = re.sub(rf"(?<!\d){spec.article_id}(?!\d)", new_id, text)
    keywords = (rng.choice(PLACES), title.split(" : ", 1)[0])
    page = Page(index, url_path, file, title, when, spec.family, keywords, spec.encoding)
    return page, text.encode(spec.encoding, errors="xmlcharrefreplace")


def _rfc822(when: datetime) -> str:
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return (
        f"{days[when.weekday()]}, {when.day:02d} {months[when.month - 1]} {when.year} "
        f"{when:%H:%M:%S} +0000"
    )


def _xml(text: str) -> str:
    return html.escape(text, quote=False)


def write_rss(root: Path, pages: list[Page]) -> None:
    items = []
    for page in pages[:RSS_ITEMS]:
        items.append(
            "    <item>\n"
            f"      <title>{_xml(page.title)}</title>\n"
            f"      <link>{{{{BASE}}}}{page.url_path}</link>\n"
            f'      <guid isPermaLink="false">bench-{100000 + page.index}</guid>\n'
            f"      <pubDate>{_rfc822(page.published)}</pubDate>\n"
            f"      <category>{_xml(page.keywords[0])}</category>\n"
            f"      <description><![CDATA[{page.title}.]]></description>\n"
            "    </item>"
        )
    rss = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "  <channel>\n"
        "    <title>Le Fil du Sahel (banc d’essai)</title>\n"
        "    <link>{{BASE}}/</link>\n"
        '    <atom:link href="{{BASE}}/rss.xml" rel="self" type="application/rss+xml"/>\n'
        "    <description>L’information du Sahel et d’ailleurs</description>\n"
        "    <language>fr</language>\n" + "\n".join(items) + "\n  </channel>\n</rss>\n"
    )
    (root / "rss.xml").write_text(rss, encoding="utf-8")


def write_sitemaps(root: Path, pages: list[Page]) -> int:
    names = []
    for number, start in enumerate(range(0, len(pages), PER_SITEMAP), start=1):
        entries = []
        for page in pages[start : start + PER_SITEMAP]:
            entries.append(
                "  <url>\n"
                f"    <loc>{{{{BASE}}}}{page.url_path}</loc>\n"
                "    <news:news>\n"
                "      <news:publication><news:name>Le Fil du Sahel</news:name>"
                "<news:language>fr</news:language></news:publication>\n"
                f"      <news:publication_date>{page.published.isoformat()}"
                "</news:publication_date>\n"
                f"      <news:title>{_xml(page.title)}</news:title>\n"
                f"      <news:keywords>{_xml(', '.join(page.keywords))}</news:keywords>\n"
                "    </news:news>\n"
                "  </url>"
            )
        name = f"sitemap-news-{number}.xml"
        (root / name).write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            + "\n".join(entries)
            + "\n</urlset>\n",
            encoding="utf-8",
        )
        names.append(name)
    index = "\n".join(f"  <sitemap><loc>{{{{BASE}}}}/{name}</loc></sitemap>" for name in names)
    (root / "sitemap_index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{index}\n</sitemapindex>\n",
        encoding="utf-8",
    )
    return len(names)


def write_listings(root: Path, pages: list[Page]) -> int:
    """/actualite/ and /actualite/page/N/, built around the fixture's listing page 2."""
    fixture = (FIXTURE_SITE / "actualite" / "page" / "2" / "index.html").read_text("utf-8")
    head = fixture[: fixture.index('<div class="list-articles">')]
    tail_from = fixture.index("</nav>", fixture.index('<nav class="pagination-wrap"'))
    tail = fixture[tail_from + len("</nav>") :]
    total = (len(pages) + PER_LISTING_PAGE - 1) // PER_LISTING_PAGE
    for number in range(1, total + 1):
        chunk = pages[(number - 1) * PER_LISTING_PAGE : number * PER_LISTING_PAGE]
        teasers = "\n".join(
            '      <div class="media teaser"><div class="media-body">\n'
            f'        <h2 class="teaser-title"><a href="{p.url_path}">'
            f"{html.escape(p.title)}</a></h2>\n"
            f'        <span class="teaser-date">{p.published:%d/%m/%Y}</span>\n'
            f'        <a href="{p.url_path}" class="teaser-more">Lire la suite</a>\n'
            "      </div></div>"
            for p in chunk
        )
        links = []
        if number > 1:
            prev = "/actualite/" if number == 2 else f"/actualite/page/{number - 1}/"
            links.append(f'<a class="page-link" rel="prev" href="{prev}">‹ Page précédente</a>')
        if number < total:
            links.append(
                f'<a class="page-link" rel="next" href="/actualite/page/{number + 1}/">'
                "Page suivante ›</a>"
            )
        page_html = (
            head.replace("page 2", f"page {number}")
            + '<div class="list-articles">\n'
            + teasers
            + '\n    </div>\n    <nav class="pagination-wrap" aria-label="Pagination">'
            + " ".join(links)
            + "</nav>"
            + tail
        )
        folder = root / "actualite" if number == 1 else root / "actualite" / "page" / str(number)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(page_html, encoding="utf-8")
        if number == 1:  # the home page shows the newest teasers too
            (root / "index.html").write_text(page_html, encoding="utf-8")
    return total


SITE_TOML = """\
# Generated by bench/site.py: the benchmark's local wire site (served on 127.0.0.1).
name = "Le Fil du Sahel (banc d'essai)"
country = "SN"
timezone = "Africa/Dakar"
language = "fr"
base_url = "{base_url}"

[discovery]
feeds = ["/rss.xml"]
sitemaps = ["/sitemap_index.xml"]
listings = ["/actualite/"]
max_listing_pages = {max_listing_pages}
article_url = [
    '^/actualite/\\d{{4}}/\\d{{2}}/\\d{{2}}/[^/]+\\.html$',
    '^/\\d{{4}}/\\d{{2}}/\\d{{2}}/[^/]+/$',
    '^/archives/article-\\d+\\.html$',
]
# No [selectors] body: every page goes through trafilatura, as in the bare baseline.
"""


@dataclass
class GeneratedSite:
    root: Path
    pages: list[Page]
    sitemaps: int
    listing_pages: int
    bytes_total: int

    def sizes(self) -> list[int]:
        return [(self.root / p.file).stat().st_size for p in self.pages]

    def read(self, page: Page) -> str:
        """The page as the crawl's spider sees it (decoded like Scrapy decodes it)."""
        return (self.root / page.file).read_bytes().decode(page.encoding, errors="replace")


def generate(root: Path, pages: int, seed: int = 20241105) -> GeneratedSite:
    """Write the site under `root` (which must be empty or missing)."""
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    templates = [load_template(spec) for spec in TEMPLATES]
    pool = [text for t in templates for text in t.plain]
    newest = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)
    generated: list[Page] = []
    total_bytes = 0
    for index in range(pages):
        template = rng.choices(templates, weights=TEMPLATE_WEIGHTS)[0]
        # Newest first, one article every 47 minutes on average.
        when = newest - timedelta(minutes=47 * index + rng.randint(0, 40))
        when = when.replace(second=0, microsecond=0)
        page, data = render_page(template, pool, index, when, rng)
        target = root / page.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        total_bytes += len(data)
        generated.append(page)
    return write_around(root, generated, total_bytes)


# -- the corpus profile: real pages, as sites serve them ------------------------------------

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
CORPUS_SETS = ("dev", "broad")
_PARAGRAPH = re.compile(rb"<p\b[^>]*>(.*?)</p\s*>", re.S | re.I)
_TAG_BYTES = re.compile(rb"<[^>]+>")
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I)


def corpus_pages(folder: Path) -> list[Path]:
    """The `*/page.html` files of one corpus set, read where they are (never copied into the
    project)."""
    pages = sorted(folder.glob("*/page.html"))
    if not pages:
        raise SystemExit(f"no pages under {folder}: the corpus is read from ../shared/corpus")
    return pages


def mark_copy(data: bytes, mark: str) -> bytes:
    """The page with `mark` appended to its longest paragraph (the one most likely to be body
    text), so each copy of a page served under its own URL is a new article (a new content
    hash) rather than an alias of the first copy. ASCII, so any ASCII-compatible charset of the
    page stays valid. A page without paragraphs is returned unchanged."""
    best: re.Match[bytes] | None = None
    best_len = 0
    for match in _PARAGRAPH.finditer(data):
        length = len(_TAG_BYTES.sub(b"", match.group(1)).strip())
        if length > best_len:
            best, best_len = match, length
    if best is None:
        return data
    at = best.end(1)
    return data[:at] + f" ({mark})".encode("ascii") + data[at:]


def decode_page(data: bytes) -> tuple[str, str]:
    """(Python codec, text) as Scrapy decodes a body served without a charset header: BOM,
    then the page's own declaration, then UTF-8 (w3lib, the library Scrapy uses)."""
    from w3lib.encoding import html_to_unicode

    encoding, text = html_to_unicode(None, data)
    return encoding, text


def generate_from_corpus(
    root: Path, pages: int, seed: int = 20241105, corpus: Path = CORPUS
) -> GeneratedSite:
    """N article URLs whose bodies are the real pages of ../shared/corpus/{dev,broad}, each
    page served under several URLs (a unique mark in its longest paragraph), with the same
    feed, sitemaps, listings and robots.txt as the template site."""
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    sources = [(name, path) for name in CORPUS_SETS for path in corpus_pages(corpus / name)]
    rng.shuffle(sources)
    newest = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)
    generated: list[Page] = []
    total_bytes = 0
    for index in range(pages):
        # every block of len(sources) URLs serves each page once: copies spread evenly
        name, source = sources[index % len(sources)]
        when = newest - timedelta(minutes=47 * index + rng.randint(0, 40))
        when = when.replace(second=0, microsecond=0)
        new_id = str(100000 + index)
        data = mark_copy(source.read_bytes().replace(b"{{BASE}}", b""), f"ref. {new_id}")
        encoding, text = decode_page(data)
        found = _TITLE.search(text[:200_000])
        title = _text(found.group(1))[:200] if found else ""
        title = title or source.parent.name
        url_path = f"/actualite/{when:%Y/%m/%d}/{slugify(source.parent.name)}-{new_id}.html"
        page = Page(
            index, url_path, url_path.lstrip("/"), title, when, f"corpus-{name}",
            (source.parent.name, name), encoding,
        )  # fmt: skip
        target = root / page.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        total_bytes += len(data)
        generated.append(page)
    return write_around(root, generated, total_bytes)


def write_around(root: Path, generated: list[Page], total_bytes: int) -> GeneratedSite:
    """What a news site serves around its articles: robots.txt, a feed, sitemaps, listings."""
    write_robots(root)
    write_rss(root, generated)
    sitemaps = write_sitemaps(root, generated)
    listings = write_listings(root, generated)
    return GeneratedSite(root, generated, sitemaps, listings, total_bytes)


def write_robots(root: Path) -> None:
    (root / "robots.txt").write_text(
        "User-agent: *\nDisallow: /prive/\nDisallow: /recherche\n\n"
        "Sitemap: {{BASE}}/sitemap_index.xml\n",
        encoding="utf-8",
    )


def write_site_file(sites_dir: Path, base_url: str) -> Path:
    sites_dir.mkdir(parents=True, exist_ok=True)
    path = sites_dir / f"{SITE_KEY}.toml"
    path.write_text(
        SITE_TOML.format(base_url=base_url, max_listing_pages=MAX_LISTING_PAGES), encoding="utf-8"
    )
    return path


# -- the small profile: the fault tests' site (tests/e2e/generated_site.py serves it) -------
#
# N short seeded pages, every one listed in one plain sitemap (in a seeded order), the first
# 20 of that order in the RSS feed, and all of them on a paginated listing, so discovery finds
# exactly N article URLs. A body selector spares trafilatura: these pages test the frontier,
# not extraction.

SMALL_SITE_KEY = "killsite"
SMALL_PER_LISTING_PAGE = 25
SMALL_FEED_ITEMS = 20
SMALL_WORDS = [
    "gouvernement", "ministre", "accord", "marché", "récolte", "pluie", "port", "route", "école",
    "hôpital", "élection", "président", "conseil", "budget", "prix", "producteurs", "pêcheurs",
    "commerce", "frontière", "sécurité", "santé", "jeunesse", "emploi", "énergie", "barrage",
    "réseau", "télécoms", "banque", "crédit", "inflation", "exportations", "coton", "arachide",
    "cacao", "mines", "or", "uranium", "pétrole", "gaz", "tourisme", "culture", "festival",
    "football",
]  # fmt: skip
SMALL_SITE_TOML = """\
name = "Site de reprise"
country = "SN"
timezone = "Africa/Dakar"
language = "fr"
base_url = "{base}"

[discovery]
feeds = ["/rss.xml"]
sitemaps = ["/sitemap.xml"]
listings = ["/actualite/"]
max_listing_pages = {listing_pages}
article_url = ['^/actualite/\\d{{4}}/\\d{{2}}/\\d{{2}}/[^/]+\\.html$']

[selectors]
body = "article .texte"
"""


def small_article_path(index: int) -> str:
    return f"/actualite/2025/06/{1 + index % 28:02d}/depeche-{index:04d}.html"


def _small_article(index: int, rng: random.Random) -> str:
    """Two short paragraphs of seeded words, each page's text unique by its number."""
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(SMALL_WORDS) for _ in range(30)) + f" (dépêche {index}).</p>"
        for _ in range(2)
    )
    day = 1 + index % 28
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>Dépêche numéro {index}</title>"
        f'<meta property="article:published_time" content="2025-06-{day:02d}T10:00:00Z">'
        f'</head><body><article><h1>Dépêche numéro {index}</h1><div class="texte">{paragraphs}'
        "</div></article></body></html>"
    )


def write_small_site(root: Path, pages: int, seed: int) -> list[int]:
    """The small site's files under `root`; the seeded order in which its sitemap and listing
    list the pages."""
    rng = random.Random(seed)
    for index in range(pages):
        target = root / small_article_path(index).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_small_article(index, rng), encoding="utf-8")
    order = list(range(pages))
    rng.shuffle(order)
    urls = "".join(f"<url><loc>{{{{BASE}}}}{small_article_path(i)}</loc></url>" for i in order)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        encoding="utf-8",
    )
    items = "".join(
        f"<item><title>Dépêche {i}</title><link>{{{{BASE}}}}{small_article_path(i)}</link></item>"
        for i in order[:SMALL_FEED_ITEMS]
    )
    (root / "rss.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Fil</title><link>{{{{BASE}}}}/</link>{items}</channel></rss>",
        encoding="utf-8",
    )
    starts = range(0, pages, SMALL_PER_LISTING_PAGE)
    for number, first in enumerate(starts, start=1):
        links = "".join(
            f'<li><a href="{small_article_path(i)}">Dépêche {i}</a></li>'
            for i in order[first : first + SMALL_PER_LISTING_PAGE]
        )
        if number < len(starts):
            links += f'<a href="/actualite/page/{number + 1}/">Page suivante</a>'
        folder = root / "actualite" if number == 1 else root / "actualite/page" / str(number)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8"
        )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return order


def write_small_site_file(sites_dir: Path, base_url: str, pages: int) -> Path:
    """The small site's site file for the origin it is served on (every listing page)."""
    sites_dir.mkdir(parents=True, exist_ok=True)
    path = sites_dir / f"{SMALL_SITE_KEY}.toml"
    listing_pages = -(-pages // SMALL_PER_LISTING_PAGE)
    path.write_text(
        SMALL_SITE_TOML.format(base=base_url, listing_pages=listing_pages), encoding="utf-8"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the benchmark's wire site.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--base-url", default="http://127.0.0.1:8765")
    args = parser.parse_args()
    site = generate(args.out, args.pages)
    (args.out / "urls.txt").write_text(
        "".join(f"{args.base_url}{p.url_path}\n" for p in site.pages), encoding="utf-8"
    )
    sizes = site.sizes()
    summary = {
        "pages": len(site.pages),
        "bytes": site.bytes_total,
        "min_kb": round(min(sizes) / 1024, 1),
        "max_kb": round(max(sizes) / 1024, 1),
        "sitemaps": site.sitemaps,
        "listing_pages": site.listing_pages,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
