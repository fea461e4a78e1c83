"""The fixture archive of docs/queries.md: five outlets, ten articles, written by hand.

Built with the Repository, as crawls would store it: two wire dispatches republished (a budget
vote by three Senegalese outlets, floods in Niamey by two), one dispatch run once, four local
stories, re-crawls that change read counts and one body.
"""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.items import AgencyMention, Article, ParsedDate, Tag
from crawler.storage.repository import Repository
from tests.storage.wire import (
    BUDGET_IMF,
    BUDGET_VOTE,
    FLOODS,
    original,
    retyped,
    trimmed,
    with_intro,
)

SITES = [
    ("quotidien", "Le Quotidien", "SN"),
    ("seneweb", "Seneweb", "SN"),
    ("aps", "Agence de presse sénégalaise", "SN"),
    ("fraternite", "Fraternité Matin", "CI"),
    ("niamey", "ActuNiger", "NE"),
]

TAGS = {
    "Économie": "economie",
    "Budget": "budget",
    "FMI": "fmi",
    "Inondations": "inondations",
    "Agriculture": "agriculture",
    "Lutte": "lutte",
    "Cacao": "cacao",
}

PORT_URL = "https://aps.example/economie/port-record.html"


def at(day: str, time: str = "00:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}:00+00:00").astimezone(UTC)


def article(
    site: str,
    slug: str,
    title: str,
    body: str,
    published: str,
    *,
    precision: str = "minute",
    fetched: str,
    agencies: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    authors: tuple[str, ...] = (),
    read_count: int | None = None,
    word_count: int,
) -> Article:
    url = f"https://{site}.example/{slug}.html"
    day, _, time = published.partition(" ")
    return Article(
        url=url,
        final_url=url,
        canonical_url=url,
        site=site,
        fetched_at=at(*fetched.split(" ")),
        title=title,
        body=body,
        published=ParsedDate(at(day, time or "00:00"), precision, published, "meta"),
        agencies=[AgencyMention(code, "trailer", f"({code})") for code in agencies],
        tags=[Tag(label, TAGS[label]) for label in tags],
        authors=list(authors),
        read_count=read_count,
        language="fr",
        language_confidence=0.99,
        word_count=word_count,
        extractor="trafilatura 2.0.0",
    )


PORT_BODY = (
    "Le port autonome de Dakar a traité 25 millions de tonnes de marchandises en octobre.\n\n"
    "La direction annonce de nouveaux quais pour 2025."
)


def build_archive(engine) -> None:
    repository = Repository(engine, pipeline_version="fixture")
    for key, name, country in SITES:
        repository.ensure_site(key, name, country, "UTC")
    first_crawl = [
        article("quotidien", "vote", "Le Sénégal adopte son budget 2025", original(BUDGET_VOTE),
                "2024-11-16 10:00", fetched="2024-11-16 12:00", agencies=("AFP",),
                tags=("Économie", "Budget"), read_count=900, word_count=180),
        article("seneweb", "vote", "Budget 2025 : les députés disent oui", retyped(BUDGET_VOTE),
                "2024-11-16 11:30", fetched="2024-11-16 13:00", agencies=("AFP",),
                tags=("Budget",), read_count=450, word_count=180),
        article("aps", "vote", "Loi de finances 2025 adoptée", trimmed(BUDGET_VOTE),
                "2024-11-16 14:00", fetched="2024-11-16 15:00", agencies=("APS",),
                tags=("Économie",), authors=("Awa Ndiaye",), word_count=140),
        article("quotidien", "fmi", "Une mission du FMI à Dakar", original(BUDGET_IMF),
                "2024-11-16 16:00", fetched="2024-11-16 17:00", agencies=("AFP",),
                tags=("Économie", "FMI"), read_count=300, word_count=170),
        article("niamey", "pluies", "Inondations meurtrières à Niamey",
                original(FLOODS, "NIAMEY (AFP) - "), "2024-10-05 08:00",
                fetched="2024-10-05 09:00", agencies=("AFP",), tags=("Inondations",),
                read_count=2000, word_count=160),
        article("fraternite", "pluies", "Niger : Niamey sous les eaux", with_intro(FLOODS),
                "2024-10-05 20:00", fetched="2024-10-05 21:00", agencies=("AFP",),
                tags=("Inondations",), word_count=175),
        article("quotidien", "arachide", "Kaffrine attend le prix de l'arachide",
                "Les producteurs de Kaffrine attendent l'ouverture de la campagne.",
                "2024-11-14", precision="day", fetched="2024-11-14 09:00",
                tags=("Agriculture",), authors=("Awa Ndiaye",), read_count=50, word_count=30),
        article("seneweb", "lutte", "Lutte : le combat de Thiès reporté",
                "Le combat prévu dimanche à Thiès est reporté à une date ultérieure.",
                "2024-10-21 09:00", fetched="2024-10-21 10:00", tags=("Lutte",),
                authors=("Moussa Diop",), read_count=300, word_count=25),
        article("aps", "economie/port-record", "Le port de Dakar bat un record", PORT_BODY,
                "2024-11-02 07:00", fetched="2024-11-02 08:00", agencies=("APS",),
                tags=("Économie",), authors=("Awa Ndiaye", "Moussa Diop"), read_count=1200,
                word_count=40),
        article("fraternite", "cacao", "Cacao : les prix s'envolent",
                "Le prix du cacao bord champ atteint un niveau record à Abidjan.",
                "2024-11-04 12:00", fetched="2024-11-04 13:00", agencies=("REUTERS",),
                tags=("Économie", "Cacao"), authors=("Koffi Yao",), read_count=40,
                word_count=35),
    ]  # fmt: skip
    for item in first_crawl:  # one batch per fetch, in crawl order: ids follow this list
        repository.save_articles(None, [item])
    recrawls = [
        article("quotidien", "arachide", "Kaffrine attend le prix de l'arachide",
                "Les producteurs de Kaffrine attendent l'ouverture de la campagne.",
                "2024-11-14", precision="day", fetched="2024-11-15 09:00",
                tags=("Agriculture",), authors=("Awa Ndiaye",), read_count=80, word_count=30),
        article("seneweb", "lutte", "Lutte : le combat de Thiès reporté",
                "Le combat prévu dimanche à Thiès est reporté à une date ultérieure.",
                "2024-10-21 09:00", fetched="2024-10-23 10:00", tags=("Lutte",),
                authors=("Moussa Diop",), read_count=300, word_count=25),
        article("aps", "economie/port-record", "Le port de Dakar bat un record",
                PORT_BODY + "\n\nLe ministre des Transports a salué ce résultat.",
                "2024-11-02 07:00", fetched="2024-11-03 08:00", agencies=("APS",),
                tags=("Économie",), authors=("Awa Ndiaye", "Moussa Diop"), read_count=1500,
                word_count=48),
    ]  # fmt: skip
    for item in recrawls:
        repository.save_articles(None, [item])
