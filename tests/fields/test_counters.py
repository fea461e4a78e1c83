"""Read counters: parsing the forms outlets print, finding them on a page, ignoring sidebars."""

from __future__ import annotations

import pytest

from crawler.fields.counters import find_read_count_texts, parse_read_count
from crawler.fields.html import parse_html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lu: 97", 97),
        ("Lu : 97", 97),
        ("Lu 1 234 fois", 1234),
        ("Lu 1\u00a0234 fois", 1234),
        # an eye icon is a views label
        ("👁 845", 845),
        ("\U0001f441\ufe0f 1,2K", 1200),
        ("👀 97", 97),
        ("12/03/2024 · 👁 3 456", 3456),
        ("Lu 1\u202f234 fois", 1234),
        ("Lu 1.234 fois", 1234),
        ("Vu 12 345 fois", 12345),
        ("97 vues", 97),
        ("1,2K vues", 1200),
        ("1.5k vues", 1500),
        ("2M vues", 2_000_000),
        ("Affichages : 97", 97),
        ("97 lectures", 97),
        ("Lectures : 97", 97),
        ("Vues : 3 456", 3456),
        ("Cet article a été lu 845 fois.", 845),
        ("Publié le 3 mars 2024 | Lu 52 fois", 52),
        ("12 vues depuis 2024", 12),
        ("👁 97", 97),
        # the counter shares its line with the date (the seed's "28 Octobre 2024    Lu: 97")
        ("28 Octobre 2024 Lu: 97", 97),
        ("lundi 4 novembre 2024 à 14h32 Lu 12 fois", 12),
        ("mercredi 10 juillet 2024, Mis à jour le 11 juillet 2024 - Lu 845 fois", 845),
        ("- Lu 845 fois", 845),
        ("Par Awa Diop Lu : 97", 97),
        ("Affiché 97 fois", 97),
        ("Consulté 1 234 fois", 1234),
        ("Déjà lu 97 fois", 97),
        ("Article lu 97 fois", 97),
        ("Hits : 97", 97),
        ("Clics : 97", 97),
    ],
)
def test_parse_read_count_forms(text: str, expected: int) -> None:
    assert parse_read_count(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Lu -5 fois",
        "Lu : -5",
        "-5 vues",
        "97 commentaires",
        "Lu et approuvé",
        "1,5 vues",  # a count is whole
        "Une vue 3D du stade",
        "Il a vu 3 ministres hier",
        "Il l'a vu 2 fois",
        "Il a consulté 12 experts",
        "Le ministre a lu 3 fois le texte",
        "0" * 10_000,  # int() refuses 4,300 digits and more: this raised
        "Lu 1" + "0" * 15 + " fois",  # a quadrillion reads is no count (nor a BIGINT)
        "9" * 20 + "K vues",
    ],
)
def test_parse_read_count_rejects(text: str) -> None:
    assert parse_read_count(text) is None


PAGE = """<html><body>
<header><nav><a href="/">Accueil</a> <span>Lu: 1</span></nav></header>
<article>
  <h1>Titre</h1>
  <div class="meta"><span class="date">3 mars 2024</span> <span class="views">Lu: 97</span></div>
  <p>Il a lu le rapport et l'a vu 2 fois.</p>
  <div class="stats"><span>Vu</span> <b>12 345</b> <span>fois</span></div>
  <span class="post-views"><i class="icon-eye"></i> 4 321</span>
</article>
<aside><ul><li>Autre article <span>55 vues</span></li></ul></aside>
<div class="related-posts"><p>66 vues</p></div>
<div class="comments"><p>97 commentaires</p><p>Lu 8 fois</p></div>
<script>var label = "Lu: 3";</script>
<footer><p>Vues : 77</p></footer>
</body></html>"""


def test_find_read_count_texts_generic_rule() -> None:
    tree = parse_html(PAGE)
    assert find_read_count_texts(tree) == ["Lu: 97", "Vu 12 345 fois", "4 321"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("span.post-views", ["4 321"]),
        ('//div[@class="stats"]', ["Vu 12 345 fois"]),
        ("(//span[@class='views'])[1]/text()", ["Lu: 97"]),
        # a selector that finds nothing leaves the generic rule in charge
        ("span.nothing-here", ["Lu: 97", "Vu 12 345 fois", "4 321"]),
    ],
)
def test_find_read_count_texts_site_selector(selector: str, expected: list[str]) -> None:
    assert find_read_count_texts(parse_html(PAGE), selector) == expected


def test_an_eye_icon_labels_a_counter_outside_sidebars() -> None:
    tree = parse_html(
        "<html><body><article><p class='meta'>Économie — <span class='stat'>👁 845</span></p>"
        "<p>Un texte 👁 sans chiffre.</p></article>"
        "<aside><span>👁 9 999</span></aside></body></html>"
    )
    assert find_read_count_texts(tree) == ["👁 845"]


def test_find_read_count_texts_none_on_plain_article() -> None:
    html = "<html><body><h1>T</h1><p>Il a lu le texte : 97 pages, vu par 3 juges.</p></body></html>"
    assert find_read_count_texts(parse_html(html)) == []


def test_page_layout_classes_do_not_hide_the_counter() -> None:
    html = '<html><body class="has-sidebar"><div><span>Lectures : 15</span></div></body></html>'
    assert find_read_count_texts(parse_html(html)) == ["Lectures : 15"]


def test_counters_of_teasers_in_list_items_are_not_the_article_s() -> None:
    # a classless "most read" column before the article, and the date and counter of the
    # article sharing one classless line, as in the seed
    html = """<html><body><div id="colonne">
    <h3>Les plus lus</h3>
    <ul><li><a href="/tabaski-prix-moutons.html">Tabaski : les prix des moutons s'envolent</a>
    Lu: 5412</li></ul></div>
    <div id="texte"><h1>Titre de l'article</h1>
    <div>&nbsp; 28 Octobre 2024 &nbsp;&nbsp; Lu: 97</div>
    <ul class="meta"><li><a href="#commentaires">Réagir</a> Vu 98 fois</li></ul>
    <p>Texte.</p></div></body></html>"""
    assert find_read_count_texts(parse_html(html)) == ["28 Octobre 2024 Lu: 97", "Vu 98 fois"]
