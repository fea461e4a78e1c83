"""Authors: candidates from a page in order of trust, then people kept apart from desks."""

from __future__ import annotations

import json

import pytest

from crawler.fields.authors import (
    Authors,
    find_author_accounts,
    find_author_candidates,
    parse_authors,
)
from crawler.fields.html import parse_html


@pytest.mark.parametrize(
    ("candidate", "people"),
    [
        ("Par Jean Dupont", ["Jean Dupont"]),
        ("par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("Jean Dupont, Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("Jean Dupont, envoyé spécial à Kiev", ["Jean Dupont"]),
        ("Jean DUPONT", ["Jean Dupont"]),
        ("JEAN-PIERRE N'DIAYE", ["Jean-Pierre N'Diaye"]),
        ("Par Jean Dupont | Publié le 3 mars 2024 à 10h00", ["Jean Dupont"]),
        ("Par Awa Ndiaye Le 2 novembre 2023 à 16h17", ["Awa Ndiaye"]),
        ("Aline Morel | lundi 9 décembre 2019 à 09h08", ["Aline Morel"]),
        ("par Paul Girard , le 15 septembre 2009", ["Paul Girard"]),
        ("Jean Dupont (à Dakar)", ["Jean Dupont"]),
        ("Claire Petit (Bruxelles, bureau européen)", ["Claire Petit"]),
        ("Propos recueillis par Marie Curie", ["Marie Curie"]),
        ("Jean-Baptiste N'Diaye", ["Jean-Baptiste N'Diaye"]),
        ("Charles de Gaulle", ["Charles de Gaulle"]),
        ("Valéry Giscard d'Estaing", ["Valéry Giscard d'Estaing"]),
        ("Laurent Fabius", ["Laurent Fabius"]),
        ("Par Jean Dupont, correspondant", ["Jean Dupont"]),
        ("Jean Dupont - jean.dupont@example.fr", ["Jean Dupont"]),
        # a social handle by the name is an account, not part of the name
        ("Claire Martin @cmartin_lq", ["Claire Martin"]),
        ("Par Claire Martin (@cmartin) | 12 mars 2024", ["Claire Martin"]),
        # a correspondent's signature: the place is not a person
        ("De notre correspondant à Bamako, Boubacar Traoré", ["Boubacar Traoré"]),
        ("De notre envoyée spéciale à Goma, Awa Diop", ["Awa Diop"]),
        ("Par Fatou Sarr et Ibrahima Ndiaye, à Dakar", ["Fatou Sarr", "Ibrahima Ndiaye"]),
        # a credits line: the writer signs, the photographer does not
        ("Texte : Julien Favre · Photos : Léa Rochat", ["Julien Favre"]),
        ("Par Julien Favre | Photo : Léa Rochat", ["Julien Favre"]),
        # the same lead-ins in other languages: the markup around them is the same
        ("von Peter Holzer", ["Peter Holzer"]),
        ("Von Anna Berger und Felix Roth", ["Anna Berger", "Felix Roth"]),
        ("Por María Gómez", ["María Gómez"]),
        ("Door Jan de Vries", ["Jan de Vries"]),
        ("Author Daniel Roche", ["Daniel Roche"]),
        (
            "Posted by Anna Keller, Tom Berg and Lea Moser",
            ["Anna Keller", "Tom Berg", "Lea Moser"],
        ),
        ("Publié par Jean Dupont le 3 mars 2024", ["Jean Dupont"]),
        # a lead-in is a whole word: "Af" in "Afonso", "By" in "Byron" stay
        ("Afonso Reis", ["Afonso Reis"]),
        ("Byron Kelly", ["Byron Kelly"]),
        # a signature in initials (Belgian and Swiss papers), with its agency credit
        ("C.J. (avec Belga)", ["C.J."]),
        ("Par J.-M. D.", ["J.-M. D."]),
        ("Marie Dubois, C.J.", ["Marie Dubois", "C.J."]),
        # an initial or "Jr." keeps its full stop; a name at the end of a sentence does not
        ("Robert Kane Jr.", ["Robert Kane Jr."]),
        ("Luis Pérez C.", ["Luis Pérez C."]),
        ("Anne Weber.", ["Anne Weber"]),
    ],
)
def test_people(candidate: str, people: list[str]) -> None:
    assert parse_authors([candidate]) == Authors(people=people, desks=[])


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (
            "Mamadou Diallo et Awa Traoré, avec AFP",
            Authors(["Mamadou Diallo", "Awa Traoré"], ["AFP"]),
        ),
        ("Par Jean Dupont avec Reuters", Authors(["Jean Dupont"], ["Reuters"])),
        ("La Rédaction", Authors([], ["La Rédaction"])),
        ("Rédaction", Authors([], ["Rédaction"])),
        ("Le Monde", Authors([], ["Le Monde"])),
        ("Le Monde avec AFP", Authors([], ["Le Monde avec AFP"])),
        ("AFP", Authors([], ["AFP"])),
        ("Reuters", Authors([], ["Reuters"])),
        ("APS", Authors([], ["APS"])),
        ("La rédaction de Jeune Afrique", Authors([], ["La rédaction de Jeune Afrique"])),
        ("Service Politique", Authors([], ["Service Politique"])),
        ("Par La Rédaction avec AFP", Authors([], ["La Rédaction avec AFP"])),
        ("L'Équipe Web", Authors([], ["L'Équipe Web"])),
        ("Par exemple.sn", Authors([], ["exemple.sn"])),
        # Belgian online desks credit the agency in brackets: the desk is no person
        ("Rédaction en ligne (avec Belga)", Authors([], ["Rédaction en ligne"])),
        ("Redacción", Authors([], ["Redacción"])),
        ("Por Redação", Authors([], ["Redação"])),
        ("Redaktion Wirtschaft", Authors([], ["Redaktion Wirtschaft"])),
        ("Agencies", Authors([], ["Agencies"])),
        (
            "Posted by Anna Keller - Security Team",
            Authors(["Anna Keller"], ["Security Team"]),
        ),
        ("Agencia EFE", Authors([], ["Agencia EFE"])),
        # an end credit read as a byline: the agency, not a person called "Avec"
        ("Avec AFP", Authors([], ["AFP"])),
        ("With Reuters", Authors([], ["Reuters"])),
    ],
)
def test_desks_kept_apart(candidate: str, expected: Authors) -> None:
    assert parse_authors([candidate]) == expected


@pytest.mark.parametrize(
    "candidate",
    [
        "Staff",
        "Admin",
        "Webmaster",
        "https://www.example.fr/auteur/jean-dupont",
        "jean.dupont@example.fr",
        "Il était une fois un journaliste qui écrivait beaucoup",
        "envoyé spécial",
        "anónimo",
        "No Author",
        "Publié le 3 mars 2024",
        "",
        "   ",
    ],
)
def test_not_names(candidate: str) -> None:
    assert parse_authors([candidate]) == Authors(people=[], desks=[])


@pytest.mark.parametrize(
    ("candidates", "site_name", "expected"),
    [
        # the outlet's name beside a person (a JSON-LD Organization author): a desk
        (
            ["Algérie Soir", "Par Karim Benali"],
            "Algérie Soir",
            Authors(["Karim Benali"], ["Algérie Soir"]),
        ),
        (
            ["Par Karim Benali", "ALGÉRIE SOIR"],
            "Algérie Soir",
            Authors(["Karim Benali"], ["Algérie Soir"]),
        ),
        # alone, the organisation signed its own text: it stays (an NGO's communiqué)
        (["Attac France"], "Attac France", Authors(["Attac France"], [])),
        # a person whose name merely resembles another site's is untouched
        (
            ["Algérie Soir", "Par Karim Benali"],
            "Le Soir d'Algérie",
            Authors(["Algérie Soir", "Karim Benali"], []),
        ),
        (["Par Karim Benali"], None, Authors(["Karim Benali"], [])),
    ],
)
def test_outlet_name_beside_a_person_is_a_desk(
    candidates: list[str], site_name: str | None, expected: Authors
) -> None:
    assert parse_authors(candidates, site_name) == expected


@pytest.mark.parametrize(
    ("candidates", "accounts", "site_name", "expected"),
    [
        # a one-word name the markup declares a person's (rel=author, JSON-LD Person) is the
        # blogger's pseudonym
        (["gizzmo"], ["gizzmo"], None, Authors(["gizzmo"], [])),
        (["Aureliane"], ["aureliane"], None, Authors(["Aureliane"], [])),
        # without that markup, a one-word signature is a desk (or nothing, in lower case)
        (["gizzmo"], [], None, Authors([], [])),
        (["Aureliane"], [], None, Authors([], ["Aureliane"])),
        # beside a full name, the account slug is the same person: the full name stays
        (["jdupont", "Par Jean Dupont"], ["jdupont"], None, Authors(["Jean Dupont"], [])),
        # an acronym, a dotted user slug or domain, the outlet's own name: no pseudonym
        (["ERBOL"], ["ERBOL"], None, Authors([], ["ERBOL"])),
        (["jean.dupont"], ["jean.dupont"], None, Authors([], [])),
        (["monjournal"], ["monjournal"], "MonJournal", Authors([], [])),
    ],
)
def test_pseudonyms_declared_by_the_markup(
    candidates: list[str], accounts: list[str], site_name: str | None, expected: Authors
) -> None:
    assert parse_authors(candidates, site_name, accounts) == expected


def test_one_desk_per_agency_however_it_is_spelt() -> None:
    result = parse_authors(["AFP", "Par Jean Dupont", "Agence France-Presse"])
    assert result == Authors(people=["Jean Dupont"], desks=["AFP"])


def test_dedupe_case_insensitively_keeping_first_spelling() -> None:
    result = parse_authors(
        ["Jean Dupont", "JEAN DUPONT", "jean dupont", "Marie Curie", "AFP", "afp"]
    )
    assert result == Authors(people=["Jean Dupont", "Marie Curie"], desks=["AFP"])


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


JSON_LD_PEOPLE = """<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "T",
 "author": [{"@type": "Person", "name": "Aline Morel"},
            {"@type": "Organization", "name": "Le Quotidien"},
            {"@type": "Person", "name": "Paul Girard"}]}
</script>"""

JSON_LD_ORGANISATION_ONLY = """<script type="application/ld+json">
{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "La Rédaction"}}
</script>"""

JSON_LD_GRAPH_REFERENCE = """<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "Article", "@id": "https://ex.fr/a#article",
   "author": {"@id": "https://ex.fr/#/schema/person/42"}},
  {"@type": "Person", "@id": "https://ex.fr/#/schema/person/42", "name": "Sofia Benali"}]}
</script>"""


def yoast_person(name: str, description: str) -> str:
    """A Yoast-style graph whose Person carries the account's display name and its bio."""
    person = {"@type": "Person", "@id": "https://ex.be/#/person/9", "name": name}
    person["description"] = description
    graph = [{"@type": "NewsArticle", "author": {"@id": "https://ex.be/#/person/9"}}, person]
    return f'<script type="application/ld+json">{json.dumps({"@graph": graph})}</script>'


JSON_LD_IN_CDATA = """<script type="application/ld+json">
<![CDATA[
{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Hugo Lenoir"}]}
]]>
</script>"""

JSON_LD_WEB_PAGE_AUTHOR = """<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebPage", "name": "Entretien", "author": {"@id": "https://ex.eu/#/person/7"}},
  {"@type": ["Person"], "@id": "https://ex.eu/#/person/7", "name": "Compte Éditeur"}]}
</script>"""

JSON_LD_ORGANISATION_AUTHOR = """<script type="application/ld+json">
{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Algérie Soir"}}
</script>"""
LABELLED_BYLINE = """<h1>Sur les migrations</h1><dl class="post-meta">
<dt>Auteur</dt><dd><a href="/staff/uriel/">Uriel Gadessaud</a></dd>
<dt>Date</dt><dd>2 mars 2020</dd></dl>"""

SIDEBAR = """<aside><div class="author">Intrus Sidebar</div></aside>
<div class="related-articles"><span class="author">Autre Personne</span></div>
<div class="comments"><span class="comment-author">Lecteur Anonyme</span></div>
<nav><a rel="author" href="/a/x">Menu Personne</a></nav>"""


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # JSON-LD persons; the organisation is skipped when people are named
        (page(JSON_LD_PEOPLE, SIDEBAR), ["Aline Morel", "Paul Girard"]),
        # an organisation only is kept, and the search goes on since no person was named
        (
            page(JSON_LD_ORGANISATION_ONLY, '<h1>T</h1><p class="byline">Par Inès Moreau</p>'),
            ["La Rédaction", "Par Inès Moreau"],
        ),
        (page(JSON_LD_GRAPH_REFERENCE), ["Sofia Benali"]),
        (page(JSON_LD_IN_CDATA), ["Hugo Lenoir"]),
        # meta author, a URL value is not a name
        (
            page(
                '<meta property="article:author" content="https://www.facebook.com/x">'
                '<meta name="author" content="Nadia Haddad">'
            ),
            ["Nadia Haddad"],
        ),
        # rel=author and itemprop=author (with a nested itemprop=name)
        (
            page(body=SIDEBAR + '<p>Par <a rel="author" href="/a/1">Marc Olivier</a></p>'),
            ["Marc Olivier"],
        ),
        (
            page(
                body='<div itemprop="author" itemscope><span itemprop="name">Léa Fontaine</span>'
                "<span>Journaliste</span></div>"
            ),
            ["Léa Fontaine"],
        ),
        # class-based: the innermost element, not the sidebars around
        (
            page(
                body=SIDEBAR + '<header><h1>T</h1><div class="article__authors">'
                '<span class="article__author-name">Omar Sy Diop</span>'
                '<span class="article__author-desc">Correspondant à Dakar</span></div></header>'
            ),
            ["Omar Sy Diop"],
        ),
        # a visible "Par ..." right under the headline
        (
            page(
                body=SIDEBAR
                + "<article><h1>Le titre</h1><p>Par <b>Rémi Caron</b></p><p>Texte.</p></article>"
            ),
            ["Par Rémi Caron"],
        ),
        # a labelled field: <dt>Auteur</dt><dd>name</dd>, "Texte :" then the name
        (page(body=LABELLED_BYLINE), ["Uriel Gadessaud"]),
        (
            page(body="<h1>T</h1><p><span>Texte :</span> <span>Aïcha Ba</span></p>"),
            ["Aïcha Ba"],
        ),
        # signatures that open otherwise than "Par", right under the headline
        (
            page(
                body="<h1>Économie</h1><h2>Un entretien</h2>"
                "<div><span>Propos recueillis par Leïla Ben Salah</span></div>"
            ),
            ["Propos recueillis par Leïla Ben Salah"],
        ),
        (
            page(body="<h1>Le titre</h1><p>Propos recueillis par <a href='/a'>Awa Diop</a></p>"),
            ["Propos recueillis par Awa Diop"],
        ),
        (
            page(body="<h1>Le titre</h1><p>Texte : Julien Favre · Photos : Léa Rochat</p>"),
            ["Texte : Julien Favre · Photos : Léa Rochat"],
        ),
        (
            page(body="<h1>Le titre</h1><p>De notre correspondant à Bamako, Moussa Keïta</p>"),
            ["De notre correspondant à Bamako, Moussa Keïta"],
        ),
        # a JSON-LD Organization author is no person: the visible byline is still read
        (
            page(
                JSON_LD_ORGANISATION_AUTHOR,
                '<h1>Le titre</h1><span class="auteur">Par Karim Benali</span>',
            ),
            ["Algérie Soir", "Par Karim Benali"],
        ),
        # a reader's name in a "réactions" block is no byline
        (
            page(
                body='<h1>Le titre</h1><p>Texte.</p><div class="reactions"><div class="reaction">'
                '<span class="auteur">Modou Fall</span><p>Encore un retard !</p></div></div>'
            ),
            [],
        ),
        # a label inside a sidebar, or without a value beside it, names nobody
        (page(body="<aside><dt>Auteur</dt><dd>Intrus Sidebar</dd></aside>"), []),
        (page(body="<p><span>Auteur</span></p>"), []),
        # the author of a bare WebPage (the publishing account) ranks below visible bylines...
        (page(JSON_LD_WEB_PAGE_AUTHOR, LABELLED_BYLINE), ["Uriel Gadessaud"]),
        # ...and is used when nothing else names anyone
        (page(JSON_LD_WEB_PAGE_AUTHOR), ["Compte Éditeur"]),
        # an agency printed beside the author inside the byline block is read too
        (
            page(
                body='<div class="story-byline"><span class="story-author">Jean-Philippe '
                'Tremblay</span> <span class="story-org">La Presse Canadienne</span></div>'
            ),
            ["Jean-Philippe Tremblay", "La Presse Canadienne"],
        ),
        # ...but not any other text beside it (a date, a role)
        (
            page(
                body='<div class="byline"><span class="author">Awa Ndiaye</span> '
                "<span>Envoyée spéciale</span> <span>12 mars 2024</span></div>"
            ),
            ["Awa Ndiaye"],
        ),
        # a byline quoted inside a blockquote is not the article's
        (page(body='<blockquote><cite class="auteur">Victor Hugo</cite></blockquote>'), []),
        # the article's own footer signs it (an h-card), unlike the page footer
        (
            page(
                body="<article><h1>Le titre</h1><p>Texte.</p><footer class='meta'>"
                "<address class='author h-card' itemprop='author' itemscope>"
                "<span itemprop='name'>Hélène Marchal</span></address></footer></article>"
                "<footer><span class='author'>Webmestre Du Site</span></footer>"
            ),
            ["Hélène Marchal"],
        ),
        # a name linked to an author page, without any author class or rel
        (
            page(
                body="<h1>Le titre</h1><div class='meta'>Publié le 3 mars par "
                "<a href='/auteurs/sami-chaoui/'>Sami Chaoui</a></div>"
            ),
            ["Sami Chaoui"],
        ),
        # a label in another language, with the separator printed before it
        (
            page(
                body="<h1>Le titre</h1><div class='meta'><span class='sr-only'>| By </span>"
                "<span>Nora Vidal</span> | <time>12 mars</time></div>"
            ),
            ["Nora Vidal"],
        ),
        (
            page(body="<h1>Der Titel</h1><p><span>von</span> <b>Jonas Keller</b></p>"),
            ["Jonas Keller"],
        ),
        # SPIP's author pages
        (
            page(
                body="<h1>Le titre</h1><p>mardi 3 mars, <a href='auteur12.html'>Lina Roux</a></p>"
            ),
            ["Lina Roux"],
        ),
        (
            page(body="<h1>Le titre</h1><p><a href='spip.php?auteur7'>Paul Sédar</a></p>"),
            ["Paul Sédar"],
        ),
        # ...but not the index of all authors, nor a link in a menu
        (
            page(
                body="<nav><a href='/author/eve-ricard/'>Ève Ricard</a></nav>"
                "<h1>Le titre</h1><a href='/auteurs/'>Nos auteurs</a>"
            ),
            [],
        ),
        # a Belgian byline with its agency credit and no "Par", under the headline
        (
            page(body="<h1>Le titre</h1><p>Rédaction en ligne (avec Belga)</p><p>Texte.</p>"),
            ["Rédaction en ligne (avec Belga)"],
        ),
        (
            page(body="<h1>Le titre</h1><div><span>C.J. (avec Belga)</span></div>"),
            ["C.J. (avec Belga)"],
        ),
        # a bare agency name under the headline is as often a photo credit: not read
        (page(body="<h1>Le titre</h1><figure><figcaption>Belga</figcaption></figure>"), []),
        # the JSON-LD names the journalist: the agency the visible byline adds still counts
        (
            page(
                '<meta name="author" content="Claire Jacquet">',
                "<h1>Le titre</h1><p class='byline'>Claire Jacquet (avec Belga)</p>",
            ),
            ["Claire Jacquet", "Belga"],
        ),
        # a pseudonym in the JSON-LD, then the full name in the byline: both are read
        (
            page(
                '<script type="application/ld+json">{"@type": "BlogPosting", "author": '
                '{"@type": "Person", "name": "scaron"}}</script>',
                "<h1>Le titre</h1><div class='post-author'>von Sophie Caron</div>",
            ),
            ["scaron", "von Sophie Caron"],
        ),
        # the outlet named as the author everywhere does not end the search: the byline does
        (
            page(
                '<meta property="og:site_name" content="Hainaut Matin">'
                '<meta name="author" content="Hainaut Matin">',
                "<h1>Le titre</h1><p class='byline'>Par Julie Moulin</p>",
            ),
            ["Hainaut Matin", "Par Julie Moulin"],
        ),
        (page(body=SIDEBAR), []),
        (page(), []),
        # a one-word display name completed by the bio that opens on the full name
        (page(yoast_person("Nils", "Nils Martin écrit sur l'école.")), ["Nils Martin"]),
        (page(yoast_person("Nils", "Nils Martin, 42 ans, journaliste")), ["Nils Martin"]),
        (page(yoast_person("nils", "Nils Martin - enseignant")), ["Nils Martin"]),
        # a bio that opens on something else, or on the name and a verb, changes nothing
        (page(yoast_person("Nils", "Enseignant, Nils Martin écrit.")), ["Nils"]),
        (page(yoast_person("Nils", "Nils écrit sur l'école")), ["Nils"]),
        (page(yoast_person("Nils Martin", "Nils Martin Dupuis écrit")), ["Nils Martin"]),
        # cards of other stories are <article>s too: their authors are not this page's, whether
        # the headline stands in the page's <article> or above every <article>
        (
            page(
                body='<article><h1>La grève reconduite</h1><a rel="author" href="/p/1">Léa Roux'
                "</a><p>Texte.</p></article>"
                '<article class="card"><h3>Autre sujet</h3><a rel="author" href="/p/2">'
                "Marc Henry</a></article>"
            ),
            ["Léa Roux"],
        ),
        (
            page(
                body='<header class="story-title"><h1>Le port rouvre</h1></header>'
                '<article class="story"><div class="article-author">Par Inès Faure</div>'
                "<p>Le port de commerce a rouvert ce lundi après dix jours de blocage.</p>"
                "<p>Les dockers ont voté la reprise du travail.</p></article>"
                '<article class="card"><h3>Un autre titre</h3>'
                '<div class="article-author">Paul Garnier</div></article>'
            ),
            ["Par Inès Faure"],
        ),
        # an itemprop=author in the article's own footer written as a <div> is read; one in a
        # comment's footer is not
        (
            page(
                '<meta name="author" content="Institut des forêts">',
                "<h1>Le commerce du bois</h1><p>Texte.</p>"
                '<div class="article-footer-box"><p><strong>Auteurs</strong><br>'
                '<span itemprop="author">Joachim Hamm</span></p></div>'
                '<div class="comments"><div class="post-footer">'
                '<span itemprop="author">Un Lecteur</span></div></div>',
            ),
            ["Institut des forêts", "Joachim Hamm"],
        ),
    ],
)
def test_find_author_candidates(html: str, expected: list[str]) -> None:
    assert find_author_candidates(parse_html(html)) == expected


def test_trusted_source_stops_the_search() -> None:
    html = page(
        '<meta name="author" content="Aline Morel">',
        '<h1>T</h1><p class="byline">Par Quelqu Autre</p>',
    )
    assert find_author_candidates(parse_html(html)) == ["Aline Morel"]


def test_author_accounts_come_from_the_markup() -> None:
    html = page(
        '<script type="application/ld+json">{"@type": "BlogPosting", "author": '
        '{"@type": "Person", "name": "Ela"}}</script>',
        "<h1>Le titre</h1><span class='author vcard'><a rel='author' href='/u/kay'>Kay</a></span>"
        "<a href='https://ex.fr/author/bebs/'>Bebs</a><p class='byline'>Par Jean Dupont</p>",
    )
    assert find_author_accounts(parse_html(html)) == ["Ela", "Kay", "Bebs"]


def test_the_account_named_after_the_site_is_no_pseudonym() -> None:
    html = page(
        '<link rel="canonical" href="https://www.collectif-rue.org/spip.php?article7">',
        "<h1>Le titre</h1><small>jeudi 27 juin, par <span class='vcard author'>"
        "<a class='url fn' href='spip.php?auteur2'>collectif-rue</a></span></small>",
    )
    assert find_author_accounts(parse_html(html)) == []
    # without a canonical link, the page's own URL says the same
    bare = html.replace(
        '<link rel="canonical" href="https://www.collectif-rue.org/spip.php?article7">', ""
    )
    assert find_author_accounts(parse_html(bare)) == ["collectif-rue"]
    url = "http://www.collectif-rue.org/spip.php?article7"
    assert find_author_accounts(parse_html(bare), url) == []


def test_candidates_are_deduplicated() -> None:
    html = page(
        '<meta name="author" content="AFP"><meta name="dc.creator" content="afp">',
        '<h1>T</h1><span class="author">Paul Girard</span><span class="author">Paul Girard</span>',
    )
    assert find_author_candidates(parse_html(html)) == ["AFP", "Paul Girard"]


def test_page_layout_classes_on_body_do_not_hide_the_byline() -> None:
    html = (
        '<html><body class="single has-sidebar"><p class="byline">Par Inès Moreau</p></body></html>'
    )
    assert find_author_candidates(parse_html(html)) == ["Par Inès Moreau"]


def test_author_page_words_cover_every_author_segment() -> None:
    """_author_page_slug skips a link holding none of these words: each segment needs one."""
    from crawler.fields.authors import _AUTHOR_PAGE_SEGMENTS, _AUTHOR_PAGE_WORDS

    assert "aut" in _AUTHOR_PAGE_WORDS  # SPIP's "auteur12.html" too
    for segment in _AUTHOR_PAGE_SEGMENTS:
        assert any(word in segment for word in _AUTHOR_PAGE_WORDS), segment
