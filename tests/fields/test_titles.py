"""Titles: the displayed headline, without the site name, confirmed across sources."""

from __future__ import annotations

import pytest

from crawler.fields.html import parse_html
from crawler.fields.titles import (
    choose_title,
    find_site_name,
    find_title_candidates,
    strip_site_name,
)


def test_find_title_candidates_reads_every_source() -> None:
    tree = parse_html(
        """<html><head><title>Le   titre - Le Journal</title>
        <meta property="og:title" content="Le titre">
        <meta name="twitter:title" content="Le titre (Twitter)">
        <script type="application/ld+json">
        {"@type": "NewsArticle", "headline": "Le titre JSON"}</script>
        </head><body><h1> Le
        titre </h1></body></html>"""
    )
    assert find_title_candidates(tree) == {
        "og": "Le titre",
        "twitter": "Le titre (Twitter)",
        "jsonld": "Le titre JSON",
        "html_title": "Le titre - Le Journal",
        "h1": "Le titre",
    }


def test_find_title_candidates_picks_the_h1_that_echoes_a_meta_title() -> None:
    tree = parse_html(
        """<html><head>
        <meta property="og:title" content="Les privatisations au profit d’intérêts privés - Attac">
        </head>
        <body><header><h1><a href="/">Attac France L’action citoyenne</a></h1></header>
        <h1>Les privatisations au profit d’intérêts privés</h1></body></html>"""
    )
    assert find_title_candidates(tree)["h1"] == "Les privatisations au profit d’intérêts privés"


def test_find_title_candidates_prefers_the_h1_of_the_article() -> None:
    tree = parse_html(
        """<html><body><h1>Révolution Permanente</h1>
        <article><h1>Un titre sans méta</h1></article></body></html>"""
    )
    assert find_title_candidates(tree) == {"h1": "Un titre sans méta"}


@pytest.mark.parametrize(
    ("h1", "meta", "expected"),
    [
        # a topline printed inside the h1, the headline after it
        (
            '<h1><span class="toptitle">Impayés évités</span> La réserve de propriété : '
            "ce que vendeur et acheteur doivent savoir</h1>",
            "La réserve de propriété : ce que vendeur et acheteur doivent savoir",
            "La réserve de propriété : ce que vendeur et acheteur doivent savoir",
        ),
        # the section and its separator inside the h1
        (
            '<h1><div class="entry-section"><a href="/regions/">Régions | </a></div>'
            "<span>Un atelier clandestin démantelé à Charleroi</span></h1>",
            "Un atelier clandestin démantelé à Charleroi",
            "Un atelier clandestin démantelé à Charleroi",
        ),
        # a topline, then a colon of its own
        (
            '<h1><span class="topline">Record à l\'export</span><span>: </span>'
            "<span>Les vins du Valais s'envolent vers l'Asie</span></h1>",
            "Les vins du Valais s'envolent vers l'Asie | Le Nouvelliste",
            "Les vins du Valais s'envolent vers l'Asie",
        ),
        # a subtitle after the headline, inside the h1
        (
            "<h1><span>Marché de Noël : la place Saint-Lambert illuminée</span>"
            "<small>Trois semaines de fête au cœur de Liège</small></h1>",
            "Marché de Noël : la place Saint-Lambert illuminée",
            "Marché de Noël : la place Saint-Lambert illuminée",
        ),
        # unconfirmed by any meta title, the h1 stays whole
        (
            "<h1><span>Dossier</span> Le budget 2025 adopté</h1>",
            "Autre chose entièrement",
            "Dossier Le budget 2025 adopté",
        ),
    ],
)
def test_find_title_candidates_leaves_out_an_inset_of_the_h1(
    h1: str, meta: str, expected: str
) -> None:
    tree = parse_html(
        f'<html><head><meta property="og:title" content="{meta}"></head><body>{h1}</body></html>'
    )
    assert find_title_candidates(tree)["h1"] == expected


def test_a_meta_title_cut_at_a_quote_yields_to_the_whole_one() -> None:
    # content="... qualifie le projet de "bricolage"" ends the attribute at the first quote
    candidates = {
        "og": "Le sénateur qualifie le projet de",
        "html_title": 'Le sénateur qualifie le projet de "bricolage"',
    }
    assert choose_title(candidates) == 'Le sénateur qualifie le projet de "bricolage"'


def test_find_title_candidates_empty_page() -> None:
    assert find_title_candidates(parse_html("")) == {}


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta property="og:site_name" content="Le Monde.fr">', "Le Monde.fr"),
        (
            """<script type="application/ld+json">{"@type": "NewsArticle",
            "publisher": {"@type": "Organization", "name": "Jeune Afrique"}}</script>""",
            "Jeune Afrique",
        ),
        (
            """<script type="application/ld+json">{"@graph": [{"@type": "WebSite",
            "name": "RFI"}]}</script>""",
            "RFI",
        ),
        ("", None),
    ],
)
def test_find_site_name(head: str, expected: str | None) -> None:
    assert find_site_name(parse_html(f"<html><head>{head}</head><body></body></html>")) == expected


@pytest.mark.parametrize(
    ("title", "site_name", "expected"),
    [
        (
            "Mali : la junte prolonge la transition - Le Monde",
            "Le Monde.fr",
            "Mali : la junte prolonge la transition",
        ),
        ("Le Sénégal vote | Jeune Afrique", "Jeune Afrique", "Le Sénégal vote"),
        ("Séisme au Maroc – RFI", "RFI", "Séisme au Maroc"),
        (
            "Le Figaro : Les députés adoptent le budget",
            "Le Figaro",
            "Les députés adoptent le budget",
        ),
        (
            "Alger inaugure un tramway | Actualités en Algérie",
            "Actualités en Algérie",
            "Alger inaugure un tramway",
        ),
        (
            "Tempête Ciaran : des records - Le Parisien",
            "leparisien.fr",
            "Tempête Ciaran : des records",
        ),
        (
            "La retraite est un archaïsme | AOC media - Analyse Opinion Critique",
            "AOC media - Analyse Opinion Critique",
            "La retraite est un archaïsme",
        ),
        # "Title | Section | Site": the section goes with the site
        (
            "Didier Porte souhaite la Santé à Balkany | Chroniques | Là-bas si j'y suis",
            "Là-bas si j'y suis",
            "Didier Porte souhaite la Santé à Balkany",
        ),
        # "Site - Section - Headline": the site first, then a short section, both go
        (
            "Sahel Hebdo - Afrique - Mali : plus de 1 500 écoles toujours fermées",
            "Sahel Hebdo",
            "Mali : plus de 1 500 écoles toujours fermées",
        ),
        # ...but a head that is no short section stays (too long, or another separator)
        (
            "Sahel Hebdo - Afrique de l'Ouest et Sahel central - Mali : les écoles fermées",
            "Sahel Hebdo",
            "Afrique de l'Ouest et Sahel central - Mali : les écoles fermées",
        ),
        ("Sahel Hebdo - Mali | trois écoles", "Sahel Hebdo", "Mali | trois écoles"),
        # a " : " inside the headline is never a site separator
        ("Tempête Ciaran : des records", "Ciaran", "Tempête Ciaran : des records"),
        ("Sans nom de site - vraiment", None, "Sans nom de site - vraiment"),
    ],
)
def test_strip_site_name(title: str, site_name: str | None, expected: str) -> None:
    assert strip_site_name(title, site_name) == expected


@pytest.mark.parametrize(
    ("candidates", "site_name", "expected"),
    [
        # h1 confirmed by og: the h1 keeps the page's typography (’ rather than ')
        (
            {
                "og": "A Paris-8, un peu de tension, beaucoup d'actions - Bondy Blog",
                "h1": "A Paris-8, un peu de tension, beaucoup d’actions",
            },
            "Bondy Blog",
            "A Paris-8, un peu de tension, beaucoup d’actions",
        ),
        # unknown site name: the meta is the h1 plus a separator and a short tail
        (
            {
                "html_title": "Le championnat n'aura pas lieu - République Togolaise",
                "h1": "Le championnat n'aura pas lieu",
            },
            None,
            "Le championnat n'aura pas lieu",
        ),
        # no h1: the og title without its suffix
        (
            {
                "og": "Le Sénégal vote | Jeune Afrique",
                "html_title": "Le Sénégal vote | Jeune Afrique",
            },
            "Jeune Afrique",
            "Le Sénégal vote",
        ),
        # no h1, unknown site: one meta is the other plus a suffix
        ({"og": "Le Sénégal vote", "html_title": "Le Sénégal vote | JA"}, None, "Le Sénégal vote"),
        # no h1, unknown site: the same tail after different heads is the site name
        (
            {
                "og": "Le Sénégal vote | Le Quotidien",
                "html_title": "Le Sénégal vote dimanche | Le Quotidien",
            },
            None,
            "Le Sénégal vote",
        ),
        # no h1, unknown site: one head with different short tails (the site's two names)
        (
            {
                "og": "L'opposition dénonce le report – Le Quotidien de Douala",
                "twitter": "L'opposition dénonce le report | LQD",
                "html_title": "L'opposition dénonce le report | Le Quotidien de Douala",
            },
            None,
            "L'opposition dénonce le report",
        ),
        # ...but one head with one tail says nothing: a headline may end "- Kiev"
        (
            {"og": "Frappes sur Odessa - Kiev", "html_title": "Frappes sur Odessa - Kiev"},
            None,
            "Frappes sur Odessa - Kiev",
        ),
        # the h1 is the site logo: dropped
        (
            {"og": "Antonin Bernanos en prison", "h1": "Révolution Permanente"},
            "Révolution Permanente",
            "Antonin Bernanos en prison",
        ),
        # generic or section h1s: dropped
        ({"og": "Un vrai titre d'article", "h1": "Fil d'info"}, None, "Un vrai titre d'article"),
        ({"og": "Un vrai titre d'article", "h1": "Actualités"}, None, "Un vrai titre d'article"),
        ({"og": "Un vrai titre | AOC", "h1": "O Opinion"}, "AOC", "Un vrai titre"),
        # h1 with a badge word: the meta without it
        (
            {
                "og": "Didier Porte souhaite la Santé à Balkany",
                "h1": "Didier Porte souhaite la Santé à Balkany Abonnés",
            },
            None,
            "Didier Porte souhaite la Santé à Balkany",
        ),
        # h1 rewritten for search engines in og: the displayed h1 wins
        (
            {
                "og": "France - Italie : résultat match amical",
                "jsonld": "VIDEO. France-Italie: les Bleus régalent",
                "h1": "VIDEO. France-Italie: les Bleus régalent",
            },
            None,
            "VIDEO. France-Italie: les Bleus régalent",
        ),
        (
            {"html_title": "Le top 10 des trackers !", "h1": "Les 10 plus gros trackers en 2017"},
            None,
            "Les 10 plus gros trackers en 2017",
        ),
        # truncated JSON-LD headline: the h1 equal to og wins
        (
            {
                "og": "Il brise le couvre-feu: «Je me fiche des mesures!»",
                "jsonld": "Il brise le couvre-feu: «Je me",
                "h1": "Il brise le couvre-feu: «Je me fiche des mesures!»",
            },
            None,
            "Il brise le couvre-feu: «Je me fiche des mesures!»",
        ),
        # only an h1
        ({"h1": "Un titre seul"}, None, "Un titre seul"),
        # whitespace collapsed, typography kept
        (
            {"og": "Screenshot\u00a0: «Vape Wave»,   «6\u00a0Days»…"},
            None,
            "Screenshot : «Vape Wave», «6 Days»…",
        ),
        ({}, None, None),
        ({"h1": "Accueil"}, None, None),
        # a marker typed in the headline is kept as printed, the metas lack it
        (
            {
                "og": "Alger : le tramway prolongé jusqu'à Baraki",
                "jsonld": "Alger : le tramway prolongé jusqu'à Baraki",
                "h1": "Alger : le tramway prolongé jusqu'à Baraki (vidéo)",
            },
            "Algérie Soir",
            "Alger : le tramway prolongé jusqu'à Baraki (vidéo)",
        ),
        (
            {
                "og": "Lyon : les images de la crue de la Saône",
                "h1": "Lyon : les images de la crue de la Saône [PHOTOS]",
            },
            None,
            "Lyon : les images de la crue de la Saône [PHOTOS]",
        ),
        # ...while a bare badge word (no brackets) is still the page's decoration
        (
            {"og": "Le budget de l'armée en hausse", "h1": "Le budget de l'armée en hausse Vidéo"},
            None,
            "Le budget de l'armée en hausse",
        ),
        # a shortened social headline in og:title and <title>: the h1 wins
        (
            {
                "og": "Cacao : Abidjan veut peser sur les prix",
                "html_title": "Cacao : Abidjan veut peser sur les prix | L'Éclaireur d'Abidjan",
                "h1": "Côte d'Ivoire : à six semaines du sommet du cacao, Abidjan veut peser "
                "davantage sur les prix mondiaux",
            },
            "L'Éclaireur d'Abidjan",
            "Côte d'Ivoire : à six semaines du sommet du cacao, Abidjan veut peser davantage "
            "sur les prix mondiaux",
        ),
        # a section-label h1 ("Économie"): the meta title is the headline
        (
            {
                "og": "Mongi Trabelsi : « Le bassin minier peut repartir »",
                "h1": "Économie",
            },
            "Le Courrier de Tunis",
            "Mongi Trabelsi : « Le bassin minier peut repartir »",
        ),
    ],
)
def test_choose_title(
    candidates: dict[str, str], site_name: str | None, expected: str | None
) -> None:
    assert choose_title(candidates, site_name) == expected
