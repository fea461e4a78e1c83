"""The chain's steps and the two pipelines, on real parts: Scrapy's crawler, trafilatura,
langdetect, SQLite."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import text

from crawler.items import Article, FetchedPage, ParsedDate
from crawler.process import DEFAULT_MIN_ARTICLE_WORDS
from crawler.process.chain import PageJob, process_page
from crawler.process.extract import extract_page
from crawler.process.fingerprint import fingerprint
from crawler.process.language import apply_language, detect_language
from crawler.process.normalise import normalise_article
from crawler.process.rejections import REASONS, Rejected
from crawler.sites import Selectors, SiteConfig, load_sites
from crawler.storage.engine import make_engine
from crawler.storage.writer import ArchiveWriter
from pipelines.process import ProcessPipeline

ROOT = Path(__file__).resolve().parents[2]
DEMO_SITE = ROOT / "demo" / "site"
SEED_PATH = "actualite/2024/10/28/otan-soldats-nord-coreens-russie.html"
ARCHIVE_PATH = "archives/article-1234.html"
FETCHED = datetime(2024, 11, 6, 9, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:8765"


def demo_page(path: str, encoding: str = "utf-8") -> str:
    return (DEMO_SITE / path).read_bytes().decode(encoding).replace("{{BASE}}", BASE)


def demo_site() -> SiteConfig:
    return load_sites(ROOT / "settings" / "sites", "demo")[0]


def page(**overrides) -> FetchedPage:
    values = {
        "url": f"{BASE}/{SEED_PATH}",
        "final_url": f"{BASE}/{SEED_PATH}",
        "status": 200,
        "html": demo_page(SEED_PATH),
        "fetched_at": FETCHED,
        "site": "demo",
    }
    values.update(overrides)
    return FetchedPage(**values)


# -- process --------------------------------------------------------------------------------


@pytest.fixture
def process_pipeline():
    crawler = get_crawler(settings_dict={"EXTRACTION_WORKERS": 1, "EXTRACTION_TIMEOUT": 60})
    pipeline = ProcessPipeline.from_crawler(crawler)
    yield pipeline
    pipeline.close_spider()


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"status": 404, "error": "http_status", "error_detail": "404"}, "http_status"),
        ({"status": 0, "error": "robots_disallowed"}, "robots_disallowed"),
        ({"error": "not_html", "error_detail": "application/pdf"}, "not_html"),
        ({"html": "   \n "}, "empty_page"),
    ],
)
def test_process_turns_failed_fetches_into_rejections(process_pipeline, overrides, reason):
    with pytest.raises(Rejected) as caught:
        asyncio.run(process_pipeline.process_item(page(**overrides)))
    assert caught.value.reason == reason
    assert caught.value.url == page().url


def test_process_runs_the_chain_in_the_pool(process_pipeline):
    article = asyncio.run(process_pipeline.process_item(page()))
    assert isinstance(article, Article)
    assert article.fingerprinted
    assert article.raw is None  # dropped by the fingerprint step, in the worker
    assert article.extractor.startswith("trafilatura ")
    assert article.read_count == 97  # "Lu: 97"
    assert [tag.label for tag in article.tags] == ["CoréeduNord", "Russie"]
    assert article.agency_codes == ["REUTERS"]
    assert article.language == "fr"
    assert len(article.content_hash) == 64
    assert article.minhash is not None and len(article.minhash) == 128
    assert article.raw_html_bytes == len(page().html.encode("utf-8"))
    assert "Le secrétaire général de l'Otan" in article.body


def test_the_pool_and_the_steps_one_by_one_give_the_same_article(process_pipeline):
    """The chain run in the pool and its steps applied in turn here give the same article."""
    fused = asyncio.run(process_pipeline.process_item(page()))
    fetched = page()
    site = SiteConfig.for_unknown_domain(fetched.final_url)  # the crawler has no spider here
    stepwise = Article(
        url=fetched.url,
        final_url=fetched.final_url,
        site="demo",
        fetched_at=FETCHED,
        raw=extract_page(fetched.html, fetched.final_url, site.selectors),
    )
    normalise_article(stepwise, site, DEFAULT_MIN_ARTICLE_WORDS)  # as the pipeline's
    apply_language(stepwise, site)
    fingerprint(stepwise)
    for name in ("title", "body", "published", "authors", "tags", "agencies", "read_count"):
        assert getattr(fused, name) == getattr(stepwise, name), name
    assert (fused.language, fused.content_hash, fused.minhash) == (
        stepwise.language,
        stepwise.content_hash,
        stepwise.minhash,
    )


def test_process_page_returns_its_rejection():
    short = "<html><body><article><p>Trois mots seulement.</p></article></body></html>"
    fetched = page(html=short)
    site = SiteConfig.for_unknown_domain(fetched.final_url)
    job = PageJob(fetched.url, fetched.final_url, short, site, FETCHED)
    seconds: dict[str, float] = {}
    result = process_page(job, seconds)
    assert isinstance(result, Rejected)
    assert (result.reason, result.url) == ("no_article_text", fetched.url)
    assert set(seconds) == {"extract", "normalise"}


def test_a_rejection_pickles_with_its_reason():
    import pickle

    rejected = pickle.loads(pickle.dumps(Rejected("soft_404", "title 'Oups'", url="u")))
    assert (rejected.reason, rejected.detail, rejected.url) == ("soft_404", "title 'Oups'", "u")


def test_a_rejection_in_the_worker_reaches_the_crawl(process_pipeline):
    short = "<html><body><article><p>Trois mots seulement.</p></article></body></html>"
    with pytest.raises(Rejected) as caught:
        asyncio.run(process_pipeline.process_item(page(html=short)))
    assert caught.value.reason == "no_article_text"
    assert caught.value.url == page().url


def test_extract_timeout_is_a_rejection():
    crawler = get_crawler(settings_dict={"EXTRACTION_WORKERS": 1, "EXTRACTION_TIMEOUT": 1e-9})
    pipeline = ProcessPipeline.from_crawler(crawler)
    try:
        with pytest.raises(Rejected) as caught:
            asyncio.run(pipeline.process_item(page()))
    finally:
        pipeline.close_spider()
    assert caught.value.reason == "extraction_timeout"


def test_rejection_reasons_are_a_closed_list():
    with pytest.raises(ValueError, match="unknown rejection reason"):
        Rejected("because")
    assert "no_article_text" in REASONS


# -- normalise ------------------------------------------------------------------------------


def test_normalise_seed_layout():
    url = f"{BASE}/{SEED_PATH}"
    article = Article(url=url, final_url=url, site="demo", fetched_at=FETCHED)
    article.raw = extract_page(demo_page(SEED_PATH), url)
    normalise_article(article, demo_site(), DEFAULT_MIN_ARTICLE_WORDS)
    paragraphs = article.body.split("\n\n")
    assert article.title == (
        "L'Otan dit pouvoir confirmer la présence de soldats nord-coréens en Russie"
    )
    assert len(paragraphs) == 9
    assert paragraphs[0].startswith("Le secrétaire général de l'Otan, Mark Rutte")
    assert paragraphs[-1].endswith("a-t-il écrit sur X.")
    assert article.published == ParsedDate(
        datetime(2024, 10, 28, tzinfo=UTC), "day", "28 Octobre 2024", "text"
    )
    assert article.read_count == 97
    assert [t.label for t in article.tags] == ["CoréeduNord", "Russie"]
    assert [t.slug for t in article.tags] == ["coreedunord", "russie"]
    assert article.agency_codes == ["REUTERS"]
    assert article.agencies[0].where == "trailer"
    assert article.canonical_url == url


def test_archive_layout_table_is_read_without_its_menus():
    """The 2019 table layout: trafilatura returns the whole page as table rows, menus
    included; the generic rule then extracts again without tables. demo.toml's body selector
    pins the same text (one extraction instead of two)."""
    url = f"{BASE}/{ARCHIVE_PATH}"
    html = demo_page(ARCHIVE_PATH, "iso-8859-1")
    generic = extract_page(html, url)
    assert generic.body_lines[0].startswith("DAKAR (APS) - Les ministres en charge")
    assert generic.body_lines[-1].startswith("Les travaux se poursuivent mercredi à huis clos.")
    assert len(generic.body_lines) == 5
    assert not any("ACCUEIL" in line or line.startswith("|") for line in generic.body_lines)
    selected = extract_page(html, url, Selectors(body=demo_site().selectors.body))
    assert selected.body_lines == generic.body_lines
    article = Article(url=url, final_url=url, site="demo", fetched_at=FETCHED, raw=selected)
    normalise_article(article, demo_site(), DEFAULT_MIN_ARTICLE_WORDS)
    assert article.agency_codes == ["APS"]
    assert article.read_count == 1234
    assert article.authors == ["Moussa Ndiaye"]
    # "Publié le 12/03/2019 à 09h15" in Africa/Dakar (UTC+0 all year)
    assert article.published is not None
    assert article.published.value == datetime(2019, 3, 12, 9, 15, tzinfo=UTC)
    assert article.published.precision == "minute"


DATA_TABLE_PAGE = """<html lang="fr"><head><title>Résultats</title></head><body>
<article><h1>Législatives : les résultats provisoires par région</h1>
<p>La commission électorale nationale autonome a publié dimanche soir les résultats provisoires
des élections législatives, région par région, après le dépouillement de tous les bureaux.</p>
<p>Le taux de participation s'établit à 58 % sur l'ensemble du territoire, en hausse de quatre
points par rapport au scrutin précédent, selon le président de la commission.</p>
<table><tr><th>Région</th><th>Inscrits</th><th>Participation</th></tr>
<tr><td>Dakar</td><td>1 250 000</td><td>52 %</td></tr>
<tr><td>Thiès</td><td>820 000</td><td>61 %</td></tr></table>
<p>Les résultats définitifs seront proclamés par le Conseil constitutionnel dans un délai de
cinq jours, après l'examen des recours éventuels déposés par les partis en lice.</p>
</article></body></html>"""


def test_a_data_table_stays_in_the_article():
    raw = extract_page(DATA_TABLE_PAGE, "https://exemple.sn/resultats.html")
    assert any("Thiès" in line and "61 %" in line for line in raw.body_lines)
    assert raw.body_lines[-1].startswith("Les résultats définitifs seront proclamés")


BELGIAN_PAGE = """<html lang="fr"><head><title>Le tram de Liège roulera en juin</title></head>
<body><header><a href="/">Le Quotidien liégeois</a></header>
<article><h1>Le tram de Liège roulera en juin, annonce la Région</h1>
<div class="art-meta"><span class="art-date">12/03/2025 à 14:05</span></div>
<p>Le premier tronçon du tram de Liège sera mis en service au mois de juin, a annoncé mardi le
ministre wallon de la Mobilité, après plusieurs mois de retard sur le calendrier initial.</p>
<p>Les essais à vide se poursuivent entre Sclessin et la place Saint-Lambert, et les conducteurs
achèvent leur formation sur le dépôt de Bressoux, selon l'opérateur des transports publics.</p>
<p>Les commerçants du centre, touchés par des années de chantier, attendent surtout une date
ferme pour l'ouverture complète de la ligne jusqu'à Coronmeuse, prévue à l'automne.</p>
<p>C.J. (avec Belga)</p>
</article></body></html>"""


def test_end_credit_gives_the_agency_and_the_author_when_no_byline_does():
    url = "https://exemple.be/regions/liege/tram-juin.html"
    article = Article(url=url, final_url=url, site="demo", fetched_at=FETCHED)
    article.raw = extract_page(BELGIAN_PAGE, url)
    normalise_article(article, demo_site(), DEFAULT_MIN_ARTICLE_WORDS)
    assert article.agency_codes == ["BELGA"]
    assert article.agencies[0].where == "trailer"
    assert article.authors == ["C.J."]
    assert article.body.split("\n\n")[-1].startswith("Les commerçants du centre")


def test_too_short_is_no_article_text():
    url = f"{BASE}/actualite/2024/10/30/video-du-jour.html"
    article = Article(url=url, final_url=url, site="demo", fetched_at=FETCHED)
    article.raw = extract_page(demo_page("actualite/2024/10/30/video-du-jour.html"), url)
    with pytest.raises(Rejected) as caught:
        normalise_article(article, demo_site(), DEFAULT_MIN_ARTICLE_WORDS)
    assert caught.value.reason == "no_article_text"


# -- language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text_in", "html_lang", "expected"),
    [
        (
            "Le secrétaire général de l'Otan a confirmé lundi que des troupes avaient été "
            "envoyées en Russie, une escalade selon les diplomates réunis à Bruxelles.",
            None,
            "fr",
        ),
        (
            "The NATO secretary general confirmed on Monday that troops had been sent to "
            "Russia, an escalation according to diplomats gathered in Brussels.",
            "fr-FR",
            "en",
        ),
        ("Bref.", "fr-FR", "fr"),  # too short to detect: the page's lang attribute
        ("", None, None),
    ],
)
def test_detect_language(text_in, html_lang, expected):
    language, confidence = detect_language(text_in, html_lang)
    assert language == expected
    if len(text_in) > 50:
        assert confidence is not None and confidence > 0.9


# -- fingerprint + store --------------------------------------------------------------------


def test_dedup_hash_ignores_spacing_and_punctuation_but_not_words():
    a = Article(
        url="u1",
        final_url="u1",
        site="demo",
        fetched_at=FETCHED,
        title="Titre",
        body="Un  texte, ici.",
    )
    b = Article(
        url="u2",
        final_url="u2",
        site="demo",
        fetched_at=FETCHED,
        title="titre",
        body="Un texte ici",
    )
    c = Article(
        url="u3",
        final_url="u3",
        site="demo",
        fetched_at=FETCHED,
        title="Titre",
        body="Un autre texte",
    )
    hashes = [fingerprint(x).content_hash for x in (a, b, c)]
    assert hashes[0] == hashes[1] != hashes[2]


def test_archive_writer_batches_and_records_rejections(tmp_path):
    url = f"sqlite:///{tmp_path / 'writer.sqlite3'}"
    writer = ArchiveWriter(url, batch_size=2)
    site = SiteConfig.for_unknown_domain("https://exemple.sn/")

    async def scenario():
        await writer.open("urls", None, [site])
        first = await writer.add_article(
            Article(
                url="https://exemple.sn/a",
                final_url="https://exemple.sn/a",
                site="exemple.sn",
                fetched_at=FETCHED,
                canonical_url="https://exemple.sn/a",
                title="A",
                body="Texte A",
            )
        )
        writer.add_rejection("https://exemple.sn/b", "exemple.sn", "http_status", "404")
        second = await writer.add_article(
            Article(
                url="https://exemple.sn/c",
                final_url="https://exemple.sn/c",
                site="exemple.sn",
                fetched_at=FETCHED,
                canonical_url="https://exemple.sn/c",
                title="C",
                body="Texte C",
            )
        )
        await writer.finish("ok", {"item_scraped_count": 2})
        return first, second

    first, second = asyncio.run(scenario())
    assert first == []  # batched: nothing written until the batch is full
    assert [r.status for r in second] == ["new", "new"]
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM articles")).scalar() == 2
        rejection = connection.execute(text("SELECT url, reason, detail FROM rejections")).one()
        assert tuple(rejection) == ("https://exemple.sn/b", "http_status", "404")
        run = connection.execute(text("SELECT spider, status FROM crawl_runs")).one()
        assert tuple(run) == ("urls", "ok")
    engine.dispose()


def test_a_ten_megabyte_inline_script_does_not_hide_the_article():
    url = f"{BASE}/{SEED_PATH}"
    state = '{"state": "' + "x" * (11 * 1024 * 1024) + '"}'
    html = demo_page(SEED_PATH).replace("</head>", f"<script>{state}</script></head>")
    raw = extract_page(html, url)
    assert any(line.startswith("Le secrétaire général de l'Otan") for line in raw.body_lines)
    assert raw.tag_candidates == ["CoréeduNord", "Russie"]
