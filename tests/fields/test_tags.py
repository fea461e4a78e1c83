"""Tags and section: labels as displayed, chrome ignored, accent-folded slugs."""

from __future__ import annotations

import pytest

from crawler.fields.html import parse_html
from crawler.fields.sections import choose_section, find_section_candidates
from crawler.fields.tags import MAX_TAGS, find_tag_candidates, normalise_tags, slugify_tag
from crawler.items import Tag


def _page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


TAG_LINE_PAGE = _page(
    body="""<article><h1>L'Otan confirme</h1><p>Texte de l'article.</p>
    <div class="tags"><span>Tags:</span>
    <a href="/index.php/fr/itemlist/tag/CoréeduNord">CoréeduNord</a>
    <a href="/index.php/fr/itemlist/tag/Russie">Russie</a></div></article>
    <aside><h3>Fil d'info</h3><a href="/tag/Ukraine">Ukraine</a></aside>"""
)

MOTS_CLES_PAGE = _page(
    body="""<div id="contenu"><h1>Titre</h1><p>Texte.</p>
    <p><strong>Mots-clés :</strong> <a href="/recherche?q=climat">Climat</a>,
    <a href="/recherche?q=cop">COP 29</a></p></div>"""
)

CHROME_PAGE = _page(
    body="""<header><nav><ul>
    <li><a href="/tag/guerre-en-ukraine">Guerre en Ukraine</a></li></ul></nav></header>
    <div class="c-trending-tags"><a href="/tag/danemark">Danemark</a></div>
    <main><article><h1>Le survêtement devient viral</h1><p>Texte.</p>
    <ul class="c-tags-list"><li><a href="/tag/venezuela">Venezuela</a></li>
    <li><a href="/tag/nike">Nike</a></li></ul></article>
    <div class="related-content"><h2><a href="/autre">Autre article</a></h2>
    <a href="/tags/sport">Sport</a></div>
    </main>
    <footer><a href="/tag/groenland">Groenland</a></footer>"""
)

REL_TAG_PAGE = _page(
    body="""<div class="post"><h1>Titre</h1>
    <a rel="tag" href="spip.php?mot32">égalité</a>
    <a rel="tag" href="spip.php?mot12">féminisme</a></div>"""
)

META_PAGE = _page(
    head="""<meta property="article:tag" content="grève">
    <meta property="article:tag" content="Saint-Denis">
    <meta name="news_keywords" content="université, grève">
    <meta name="keywords" content="seo, mots, inutiles">"""
)

JSON_LD_PAGE = _page(
    head="""<script type="application/ld+json">{"@context": "https://schema.org",
    "@type": "NewsArticle", "headline": "H", "keywords": ["Économie", "Politique", "CGT"],
    "articleSection": ["Politique", "CGT"]}</script>"""
)

JSON_LD_STRING_KEYWORDS = _page(
    head="""<script type="application/ld+json">{"@type": "Article",
    "keywords": "Mode, Nike ,  Venezuela"}</script>"""
)

KEYWORDS_ONLY_PAGE = _page(head='<meta name="keywords" content="Togo, CAN, football,">')

# SPIP keyword pages ("+-mot-+.html", "mot12.html", "spip.php?page=mot&id_mot=3"); a
# "Mots-clés" dropdown is a menu of tags; the theme menu and the French "pied" footer are chrome
SPIP_PAGE = _page(
    body="""<div id="big_menu_container"><div id="menu_them"><ul>
    <li><a href="+-Politique-+.html">Politique</a></li></ul></div></div>
    <div class="article"><h1>L’évaluation</h1>
    <a href="#" data-jq-dropdown="#jq-dropdown-mots">Mots-clés</a>
    <div id="jq-dropdown-mots" class="jq-dropdown"><ul class="jq-dropdown-menu">
    <li><a href="+-universite-+.html">université</a></li>
    <li><a href="mot12.html">recherche</a></li>
    <li><a href="spip.php?page=mot&amp;id_mot=3">évaluation</a></li></ul></div>
    <p class="cartouche"><a href="-Essais-debats-.html">Essai</a>
    <a href="+-Economie-+.html">Économie</a></p><p>Texte.</p></div>
    <div id="pied"><ul><li><a href="+-Societe-+.html">Société</a></li></ul></div>"""
)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (TAG_LINE_PAGE, ["CoréeduNord", "Russie"]),
        (MOTS_CLES_PAGE, ["Climat", "COP 29"]),
        (CHROME_PAGE, ["Venezuela", "Nike"]),
        (REL_TAG_PAGE, ["égalité", "féminisme"]),
        (META_PAGE, ["grève", "Saint-Denis", "université", "grève"]),
        (JSON_LD_PAGE, ["Économie", "Politique", "CGT"]),
        (JSON_LD_STRING_KEYWORDS, ["Mode", "Nike", "Venezuela"]),
        (KEYWORDS_ONLY_PAGE, ["Togo", "CAN", "football"]),
        (SPIP_PAGE, ["université", "recherche", "évaluation", "Économie"]),
        # a tag-marked block inside a menu, but within <nav>: still chrome
        (
            _page(body='<nav><div class="tags"><a href="/tag/x">Menu</a></div></nav>'),
            [],
        ),
        # topic links in the <footer> of the <article> are the article's tags...
        (
            _page(
                body="<article><h1>Neige sur la Manche</h1><p>Texte.</p>"
                '<footer class="post-footer"><div class="post-topics">'
                '<a href="/sujet/meteo">Météo</a><a href="/sujet/manche">Manche</a></div>'
                "</footer></article>"
            ),
            ["Météo", "Manche"],
        ),
        # ...and so are those of a footer whose class names the entry, outside any <article>
        (
            _page(
                body='<div class="post"><h2 class="entry-title">Un entretien</h2><p>Texte.</p>'
                '<footer class="entry-footer"><span class="tags-links">Étiquettes : '
                '<a href="/tag/phosphate/" rel="tag">Phosphate</a>, '
                '<a href="/tag/gafsa/" rel="tag">Gafsa</a></span></footer></div>'
            ),
            ["Phosphate", "Gafsa"],
        ),
        # ...the page's own footer stays chrome
        (
            _page(
                body="<article><h1>Neige sur la Manche</h1><p>Texte.</p></article>"
                '<footer><a href="/sujet/meteo">Météo</a></footer>'
            ),
            [],
        ),
        # the links *before* a "Tags :" label are not tags (a category link printed first)
        (
            _page(
                body='<div class="meta"><a href="/rubrique/economie">Économie</a> Tags : '
                '<a href="/tag/ble">Blé</a> <a href="/tag/prix">Prix</a></div>'
            ),
            ["Blé", "Prix"],
        ),
        # a tag cloud in a sidebar or a widget is the site's, not the article's
        (
            _page(
                body="<h1>Barrages collinaires</h1><p>Texte.</p>"
                '<div class="sidebar-tags"><a href="/tag/politique">Politique</a></div>'
            ),
            [],
        ),
        (
            _page(
                body="<article><h1>Huile d'olive</h1><p>Texte.</p></article>"
                '<aside class="col"><div class="tag-cloud"><a href="/tag/foot">Foot</a></div>'
                "</aside>"
            ),
            [],
        ),
        (
            _page(
                body="<h1>Huile d'olive</h1><p>Texte.</p>"
                '<div class="col-side"><div class="widget tags"><a href="/tag/foot">Foot</a>'
                "</div></div>"
            ),
            [],
        ),
        # ...but an <aside> inside the <article> holds the article's own tags
        (
            _page(
                body="<article><h1>Huile d'olive</h1><p>Texte.</p>"
                '<aside class="entry-tags"><a href="/tag/olive">Olive</a>'
                '<a href="/tag/export">Export</a></aside></article>'
            ),
            ["Olive", "Export"],
        ),
        # a tag page linked from a sentence of the text is a mention, not a tag list: the
        # page's article:tag says what it is about
        (
            _page(
                '<meta property="article:tag" content="Climat">',
                "<article><h1>La fonte des glaces</h1><p>Le rapport publié lundi par les "
                'chercheurs de l\'<a href="/tag/onu/">ONU</a> confirme que la fonte des glaces '
                "s'accélère au Groenland comme en Antarctique depuis dix ans.</p></article>",
            ),
            ["Climat"],
        ),
        # the index of all tags ("/tags/") is no tag
        (
            _page(
                body="<article><h1>Titre</h1><p>Texte.</p><div class='tags'>"
                '<a href="/tags/">Tous les thèmes</a> <a href="/tags/peche.html">Pêche</a>'
                "</div></article>"
            ),
            ["Pêche"],
        ),
        (_page(body="<p>Rien.</p>"), []),
        ("", []),
    ],
)
def test_find_tag_candidates(html: str, expected: list[str]) -> None:
    assert find_tag_candidates(parse_html(html)) == expected


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("div.etiquettes a", ["Alpha", "Bêta"]),
        ("//div[@class='etiquettes']", ["Alpha", "Bêta"]),
        ("(//div[@class='etiquettes']//a)[1]", ["Alpha"]),
        ("p.motscles", ["Un", "Deux"]),
        ("meta[name='sujets']", ["Trois", "Quatre"]),
    ],
)
def test_find_tag_candidates_with_site_selector(selector: str, expected: list[str]) -> None:
    tree = parse_html(
        _page(
            head='<meta name="sujets" content="Trois, Quatre">',
            body="""<div class="etiquettes"><a href="/x">Alpha</a><a href="/y">Bêta</a></div>
            <p class="motscles">Un, Deux</p>
            <ul class="c-tags-list"><li><a href="/tag/generic">Générique</a></li></ul>""",
        )
    )
    assert find_tag_candidates(tree, selector) == expected


def test_a_selector_matching_nothing_falls_back_to_generic_rules() -> None:
    tree = parse_html(_page(body='<a rel="tag" href="/t/a">Alpha</a>'))
    assert find_tag_candidates(tree, "div.absent") == ["Alpha"]
    assert find_tag_candidates(tree, "//*[") == ["Alpha"]  # broken XPath


@pytest.mark.parametrize(
    ("label", "slug"),
    [
        ("Côte d'Ivoire", "cote-d-ivoire"),
        ("Corée du Nord", "coree-du-nord"),
        ("CoréeduNord", "coreedunord"),
        ("#Russie", "russie"),
        ("Économie française", "economie-francaise"),
        ("  Œuvres d’art  ", "oeuvres-d-art"),
        ("COP 29", "cop-29"),
        ("Saint-Denis", "saint-denis"),
        ("Nicolás Maduro", "nicolas-maduro"),
        ("#", ""),
        ("", ""),
    ],
)
def test_slugify_tag(label: str, slug: str) -> None:
    assert slugify_tag(label) == slug


def test_normalise_tags_trims_dedupes_and_keeps_order() -> None:
    labels = [
        "  Corée du Nord ",
        "Russie",
        "corée du nord",
        "#",
        "",
        "Coree-du-Nord",
        "#Russie",
        "Otan",
    ]
    assert normalise_tags(labels) == [
        Tag("Corée du Nord", "coree-du-nord"),
        Tag("Russie", "russie"),
        Tag("Otan", "otan"),
    ]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        # quotes a theme prints around each tag are no part of it
        ("„ Für Tumblr ”", [Tag("Für Tumblr", "fur-tumblr")]),
        ("«Kultur»", [Tag("Kultur", "kultur")]),
        # a date printed among the tag links is no tag; a year alone in a topic is
        ("13. Februar 2017", []),
        ("19 FEB 2020 - 18:37 CET", []),
        ("2024-03-12", []),
        ("Élections 2020", [Tag("Élections 2020", "elections-2020")]),
        ("COP 29", [Tag("COP 29", "cop-29")]),
    ],
)
def test_normalise_tags_quotes_and_dates(label: str, expected: list[Tag]) -> None:
    assert normalise_tags([label]) == expected


def test_normalise_tags_caps_the_count() -> None:
    tags = normalise_tags([f"Tag {n}" for n in range(120)])
    assert len(tags) == MAX_TAGS
    assert tags[0] == Tag("Tag 0", "tag-0")
    assert tags[-1] == Tag(f"Tag {MAX_TAGS - 1}", f"tag-{MAX_TAGS - 1}")


@pytest.mark.parametrize(
    ("label", "kept"),
    [
        # CMS flags leaking into article:tag
        ("article-payant-classique", False),
        ("type_article_premium", False),
        ("free-article", False),
        # topics, even in slug form or holding one flag-like word
        ("saint-denis", True),
        ("covid-19", True),
        ("type-2", True),
        ("Article 49-3", True),
        ("Premium", True),
        ("format-court", True),
    ],
)
def test_normalise_tags_drops_cms_flags(label: str, kept: bool) -> None:
    assert bool(normalise_tags([label])) is kept


def test_normalise_tags_drops_sentence_long_labels() -> None:
    long_label = "un libellé beaucoup trop long " * 5
    assert normalise_tags([long_label, "Court"]) == [Tag("Court", "court")]


SECTION_META_PAGE = _page(head='<meta property="article:section" content="Société">')

BREADCRUMB_HTML_PAGE = _page(
    head='<meta property="og:title" content="Glyphosate: radiographie d’une intoxication">',
    body="""<ol class="breadcrumb"><li><a href="/">Accueil</a></li><li>›</li>
    <li><a href="/economie">Economie</a></li>
    <li>Glyphosate: radiographie d’une intoxication</li></ol><h1>Glyphosate</h1>""",
)

BREADCRUMB_ENDING_WITH_SECTION = _page(
    body="""<nav aria-label="Breadcrumb"><a href="/">Home</a> &gt;
    <a href="/monde">Monde</a> &gt; <a href="/monde/afrique">Afrique</a></nav>
    <h1>Un titre d'article</h1>"""
)

BREADCRUMB_JSON_LD_PAGE = _page(
    head="""<meta property="og:title" content="Tempête Ciaran : des records">
    <script type="application/ld+json">{"@type": "BreadcrumbList", "itemListElement": [
    {"@type": "ListItem", "position": 3, "name": "Tempête Ciaran : des records",
     "item": "https://www.exemple.fr/meteo/tempete.php"},
    {"@type": "ListItem", "position": 1, "name": "Accueil", "item": "https://www.exemple.fr/"},
    {"@type": "ListItem", "position": 2, "name": "Météo", "item": "https://www.exemple.fr/meteo/"}
    ]}</script>"""
)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (SECTION_META_PAGE, ["Société"]),
        (JSON_LD_PAGE, ["Politique", "CGT"]),
        (BREADCRUMB_HTML_PAGE, ["Economie"]),
        (BREADCRUMB_ENDING_WITH_SECTION, ["Afrique"]),
        (BREADCRUMB_JSON_LD_PAGE, ["Météo"]),
        # SPIP's trail is <p class="arbo">; its last item (the article) is not a link
        (
            _page(
                body='<p class="arbo"><a href="./">Accueil</a> &gt; <a href="-Economie-">Économie'
                '</a> &gt; <strong class="on">Gaz : les exportations en hausse</strong></p>'
            ),
            ["Économie"],
        ),
        # "arbo" only as a whole class piece ("arbor" is a word of its own)
        (_page(body='<p class="arbor"><a href="/x">Accueil</a> &gt; <a href="/y">Y</a></p>'), []),
        # Joomla's "Catégorie : <a>Société</a>" in the article info
        (
            _page(
                body='<dl class="article-info"><dd class="category-name">Catégorie : '
                '<a href="/index.php/societe">Société</a></dd></dl>'
            ),
            ["Société"],
        ),
        # "Rubrique :" label with the link in a child element
        (
            _page(body='<p><span>Rubrique :</span> <span><a href="/sport">Sport</a></span></p>'),
            ["Sport"],
        ),
        # WordPress rel="category tag" in the article's meta; one in a sidebar does not count
        (
            _page(
                body='<article><h1>Un titre d’article</h1><span class="cat">dans <a href="/c/eco/" '
                'rel="category tag">Économie</a></span></article><aside class="sidebar">'
                '<a href="/c/sport/" rel="category tag">Sport</a></aside>'
            ),
            ["Économie"],
        ),
        (
            _page(
                body='<aside class="sidebar">'
                '<a href="/c/sport/" rel="category tag">Sport</a></aside>'
            ),
            [],
        ),
        # microdata articleSection ranks with the structured sources, before the breadcrumb
        (
            _page(
                body='<meta itemprop="articleSection" content="Culture"><nav class="breadcrumb">'
                '<a href="/">Accueil</a> <a href="/arts">Arts</a></nav>'
            ),
            ["Culture", "Arts"],
        ),
        # WordPress "Publié dans" in an entry footer outside any <article>
        (
            _page(
                body='<div class="post"><h2>Un entretien</h2><footer class="entry-footer">'
                '<span class="cat-links">Publié dans <a href="/category/economie/" '
                'rel="category tag">Économie</a></span></footer></div>'
                '<footer class="site-footer"><a href="/c/x/" rel="category">Pied</a></footer>'
            ),
            ["Économie"],
        ),
        # a one-word trail section that is also the headline's first word is the section; a
        # trail item of three words or more that begins the headline is the article itself
        (
            _page(
                body='<ol class="breadcrumb"><li><a href="/">Accueil</a></li><li>'
                '<a href="/madagascar">Madagascar</a></li></ol>'
                "<h1>Madagascar : le cyclone a fait 18 morts dans le nord</h1>"
            ),
            ["Madagascar"],
        ),
        (
            _page(
                body='<ol class="breadcrumb"><li><a href="/">Accueil</a></li><li>'
                '<a href="/monde">Monde</a></li><li><a href="/monde/x.html">Madagascar : le '
                "cyclone</a></li></ol><h1>Madagascar : le cyclone a fait 18 morts dans le nord</h1>"
            ),
            ["Monde"],
        ),
        # a label followed by a sentence is not a category line
        (_page(body='<p>Catégorie : voir <a href="/x">ce lien</a> et bien plus encore</p>'), []),
        (_page(body="<p>x</p>"), []),
        # a link to a category page printing its own slug, without rel="category" (Drupal)
        (
            _page(
                body='<section class="hero"><div class="field-category">'
                '<a href="/actualites/categories/recherche-innovation">Recherche &amp; Innovation'
                "</a></div><h1>Un robot fait des prises de sang</h1></section><p>Texte.</p>"
            ),
            ["Recherche & Innovation"],
        ),
        # the article's own link wins over one printed before it elsewhere on the page
        (
            _page(
                body='<div class="promo"><a href="/category/sport/">Sport</a></div><article>'
                "<h1>Le budget voté</h1><p>Texte.</p><p>Suite du texte.</p>"
                '<div class="meta">Classé : <a href="/category/economie/">Économie</a></div>'
                "</article>"
            ),
            ["Économie"],
        ),
        # a dropdown of categories not marked as a menu: many in one block, none is the section
        (
            _page(
                body='<div class="dropdown"><div class="col">'
                + "".join(
                    f'<div class="item"><a href="/news/categories/{s}">{s.title()}</a></div>'
                    for s in ("sport", "culture", "monde", "economie")
                )
                + "</div></div><h1>Un titre</h1><p>Texte.</p>"
            ),
            [],
        ),
        # the page layout's classes on <body> say nothing of the spot: the category link in
        # the article's footer still counts under <body class="two-column right-sidebar">
        (
            '<html><body class="single two-column right-sidebar"><div id="page"><article>'
            '<h1>En direct du camp</h1><p>Texte.</p><footer class="entry-meta">Publié dans '
            '<a href="/category/podcast/" rel="category tag">Podcast</a></footer></article>'
            "</div></body></html>",
            ["Podcast"],
        ),
        # "/rubrik/" is the German rubric's page
        (
            _page(
                body="<article><h1>Mietenstreik</h1><p>Text.</p><p>Mehr Text.</p>"
                '<ul class="deck"><li class="rubric"><a href="/rubrik/politik">Politik</a></li>'
                "</ul></article>"
            ),
            ["Politik"],
        ),
        # the trail's first item links to the site's root: the home, whatever its label
        (
            _page(
                body='<nav class="breadcrumbs"><a href="https://ex.de/">Startseite</a> » '
                '<a href="https://ex.de/rubrik/musik/">Musik</a> » <span>Ein neues Album'
                "</span></nav><h1>Ein neues Album</h1>"
            ),
            ["Musik"],
        ),
        (
            _page(
                body='<ol class="breadcrumb"><li><a href="/">Inicio</a></li><li>'
                "<span>Un titular cualquiera</span></li></ol><h1>Otro titular</h1>"
            ),
            [],
        ),
        # WordPress marks the post's own category in the menu: the last resort
        (
            _page(
                body="<article><h1>Le tram retardé</h1><p>Texte.</p></article>"
                '<nav><ul><li class="menu-item menu-item-object-category">'
                '<a href="/sport/">Sport</a></li><li class="menu-item menu-item-object-category '
                'current-post-ancestor current-menu-parent current-post-parent">'
                '<a href="/transports/">Transports</a></li></ul></nav>'
            ),
            ["Transports"],
        ),
        # the current page's own item ("current-menu-item") is no post's category
        (
            _page(
                body='<nav><ul><li class="menu-item current-menu-item"><a href="/a-propos/">'
                "À propos</a></li></ul></nav><h1>Qui sommes-nous</h1><p>Texte.</p>"
            ),
            [],
        ),
        # a teaser's headline linked to a category page is not a label; "/category/" alone
        # is the index
        (
            _page(
                body='<h1>Un titre</h1><p><a href="/category/monde">Le sommet de Genève</a></p>'
                '<p><a href="/category/">Toutes les rubriques</a></p>'
            ),
            [],
        ),
    ],
)
def test_find_section_candidates(html: str, expected: list[str]) -> None:
    assert find_section_candidates(parse_html(html)) == expected


def test_find_section_candidates_with_site_selector() -> None:
    tree = parse_html(_page(body='<span class="rubrique">Faits divers</span>'))
    assert find_section_candidates(tree, "span.rubrique") == ["Faits divers"]


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (["Société"], "Société"),
        (["culture_culture-lifestyle", "Culture"], "Culture"),
        (["/meteo/", "meteo", "Météo"], "Météo"),
        (["meteo"], "meteo"),
        (["Accueil", "Actualités", "Sport"], "Sport"),
        (["  Faits   divers "], "Faits divers"),
        # a label spaced around its slash is a label; an unspaced slash is a path
        (["Biologie / Biochimie"], "Biologie / Biochimie"),
        (["culture/sport", "Culture"], "Culture"),
        (["Un titre d'article bien trop long pour une rubrique de journal"], None),
        ([], None),
    ],
)
def test_choose_section(candidates: list[str], expected: str | None) -> None:
    assert choose_section(candidates) == expected


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # WordPress marks its category rel="category tag": a section, not a tag
        (
            "",
            '<article><h1>Titre de l’article</h1><p>Texte.</p><footer class="entry-footer">'
            '<a href="/category/economie/" rel="category tag">Économie</a> '
            'Étiquettes : <a href="/tag/tunisie/" rel="tag">Tunisie</a>, '
            '<a href="/tag/olive/" rel="tag">Olive</a></footer></article>',
            ["Tunisie", "Olive"],
        ),
        # a post filed in several categories: all of them label it, after its tags
        (
            "",
            '<article><h1>Titre de l’article</h1><p>Texte.</p><footer class="entry-footer">'
            '<a href="/category/economie/" rel="category tag">Économie</a>, '
            '<a href="/category/maghreb/" rel="category tag">Maghreb</a> '
            'Étiquettes : <a href="/tag/olive/" rel="tag">Olive</a></footer></article>',
            ["Olive", "Économie", "Maghreb"],
        ),
        # WordPress's post_class() lists the post's own categories ("category-<slug>"): its
        # links count wherever the theme prints them, and the teasers' do not
        (
            "",
            '<div class="post-88 post type-post hentry category-sante category-societe">'
            "<h1>Le virus recule</h1><div class='date-comments'><p>"
            '<a href="/category/sante/" rel="category tag">Santé</a> '
            '<a href="/category/societe/" rel="category tag">Société</a></p></div>'
            '<p>Texte.</p><a href="/tag/virus/" rel="tag">Virus</a></div>'
            "<div class='post-91 post type-post hentry category-sport'>"
            '<a href="/category/sport/" rel="category tag">Sport</a>'
            '<a href="/category/culture/" rel="category tag">Culture</a></div>',
            ["Virus", "Santé", "Société"],
        ),
        # one category link per teaser, in a list of teasers: none is this page's
        (
            "",
            "<h1>Un article parmi d'autres</h1><p>Texte.</p><p>Suite.</p>"
            + "".join(
                f'<div class="vignette"><a href="/category/{c}/" rel="category tag">{c}</a>'
                f'<a href="/category/{c}-2/" rel="category tag">{c} 2</a></div>'
                for c in ("sport", "sante", "culture")
            ),
            [],
        ),
        # a site-wide keyword list (it names "actualités") says nothing of this article
        ('<meta name="keywords" content="actualités, Sénégal, Dakar">', "<p>x</p>", []),
        ('<meta name="keywords" content="Cop29, Bakou">', "<p>x</p>", ["Cop29", "Bakou"]),
    ],
)
def test_category_links_and_site_wide_keywords(head, body, expected):
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    assert find_tag_candidates(parse_html(html)) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '<div class="etiquettes">Tags: <span>Budget</span> <span>Finances publiques</span>'
            " <span>Assemblée</span></div>",
            ["Budget", "Finances publiques", "Assemblée"],
        ),
        ('<p class="mots">Mots-clés : pêche, Cayar ; Sénégal</p>', ["pêche", "Cayar", "Sénégal"]),
        # a tag line in the page's footer menu is chrome, not this article's tags
        ("</article><footer><p>Thèmes : Politique, Sport</p></footer><article>", []),
        ("</article><div class='site-footer'><p>Thèmes : Politique, Sport</p></div><article>", []),
        # a <footer> inside the <article> is the article's own footer: its tag line counts
        ("<footer><p>Thèmes : Politique, Sport</p></footer>", ["Politique", "Sport"]),
    ],
)
def test_tag_lines_without_links(line, expected):
    body = f"<article><h1>Un titre assez long</h1><p>Texte.</p>{line}</article>"
    html = f"<html><body>{body}</body></html>"
    assert find_tag_candidates(parse_html(html)) == expected


# The kicker ("surtitre"): rubric and topic links printed next to the headline, read only when
# the page has no tag markup or metadata. Written like a WordPress theme that shows them above
# the h1 with CSS ordering; the byline, share bar and teaser below are not kickers.
KICKER_PAGE = _page(
    head='<link rel="canonical" href="https://www.revue-exemple.fr/2024/05/14/eau-sahel/">',
    body="""<header class="site-header"><a href="https://www.revue-exemple.fr/">Accueil</a>
    <a href="https://www.revue-exemple.fr/rubrique/analyses/">Analyses</a></header>
    <article id="post-812" class="post type-post">
    <header class="col entry-header"><div class="flex">
    <h1 class="entry-title">« L’eau sera la grande affaire de la décennie ». Entretien avec
    Awa Diallo</h1>
    <div class="w-full order-first">
    <a href="https://www.revue-exemple.fr/grands-entretiens" class="text-grey">Grands
    entretiens</a> ·
    <a href="https://www.revue-exemple.fr/geo/sahel/" class="text-red">Sahel</a></div>
    </div>
    <p class="byline">Par <a href="https://www.revue-exemple.fr/auteur/paul-martin/">Paul
    Martin</a></p>
    </header>
    <div class="entry-content"><p>Le texte de l’entretien commence ici.</p></div>
    </article>
    <article class="summary upnext"><div class="summary-category">
    <a href="https://www.revue-exemple.fr/actu-longues">Perspectives</a></div>
    <h1><a href="https://www.revue-exemple.fr/2024/05/20/autre/">Un autre article</a></h1>
    </article>""",
)


def _headline_page(around: str, head: str = "") -> str:
    """An article whose h1 is followed by `around` (a block that may or may not be a kicker)."""
    return _page(
        head=head
        or '<link rel="canonical" href="https://www.journal-exemple.fr/politique/a.html">',
        body=f"""<article><h1>Le gouvernement présente son budget rectificatif</h1>{around}
        <p>Le ministre a détaillé mardi les mesures du texte.</p></article>""",
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (KICKER_PAGE, ["Grands entretiens", "Sahel"]),
        # a relative rubric link under the h1
        (
            _headline_page('<p class="surtitre"><a href="/politique/">Politique</a></p>'),
            ["Politique"],
        ),
        # tag metadata wins over the kicker
        (
            _headline_page(
                '<div><a href="/politique/">Politique</a></div>',
                head='<meta property="article:tag" content="Budget">',
            ),
            ["Budget"],
        ),
        # a byline: words around the link, and the link is an author page
        (_headline_page('<p>Par <a href="/auteur/jeanne-roux/">Jeanne Roux</a></p>'), []),
        (_headline_page('<div><a href="/journalistes/jeanne-roux">Jeanne Roux</a></div>'), []),
        # a share bar: other sites, or no page at all
        (_headline_page('<div><a href="https://www.facebook.com/sharer">Facebook</a></div>'), []),
        (_headline_page('<div><a href="#commentaires">Réagir</a></div>'), []),
        # another article (a dated URL, a long slug), the home page
        (_headline_page('<div><a href="/2024/05/02/budget/">Budget</a></div>'), []),
        (
            _headline_page(
                '<div><a href="/economie/la-dette-publique-atteint-un-record.html">Dette</a></div>'
            ),
            [],
        ),
        (_headline_page('<div><a href="/">Accueil</a></div>'), []),
        # a breadcrumb (the section finder reads it) and a menu of four links
        (_headline_page('<div class="breadcrumb"><a href="/politique/">Politique</a></div>'), []),
        (
            _headline_page(
                '<div><a href="/a/">Un</a> <a href="/b/">Deux</a> <a href="/c/">Trois</a>'
                ' <a href="/d/">Quatre</a></div>'
            ),
            [],
        ),
        # a link label that is a sentence, not a rubric
        (_headline_page('<div><a href="/dossier/">Tout savoir sur le budget 2025</a></div>'), []),
    ],
)
def test_kicker_links_are_the_last_resort_tags(html: str, expected: list[str]) -> None:
    assert find_tag_candidates(parse_html(html)) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (KICKER_PAGE, ["Grands entretiens"]),
        # the kicker comes after the page's own section metadata
        (
            _headline_page(
                '<div><a href="/politique/">Politique</a></div>',
                head='<meta property="article:section" content="France">',
            ),
            ["France", "Politique"],
        ),
        (_headline_page('<p>Par <a href="/auteur/jeanne-roux/">Jeanne Roux</a></p>'), []),
        # no h1: the headline is the element printing the meta title (less its site suffix)
        (
            _page(
                head="<title>Oujda : la gare routière rouvre | Le Matin de l'Oriental</title>",
                body='<div class="rubrique"><a href="/regions">Régions</a></div>'
                '<div class="single-title">Oujda : la gare routière rouvre</div><p>Texte.</p>',
            ),
            ["Régions"],
        ),
        # ...a text that is only the start of the title is not the headline
        (
            _page(
                head="<title>Oujda : la gare routière rouvre après deux ans de travaux</title>",
                body='<div class="rubrique"><a href="/regions">Régions</a></div>'
                "<div>Oujda : la gare routière</div><p>Texte.</p>",
            ),
            [],
        ),
    ],
)
def test_kicker_rubric_is_the_last_section_candidate(html: str, expected: list[str]) -> None:
    candidates = find_section_candidates(parse_html(html))
    assert candidates == expected
    assert choose_section(candidates) == (expected[0] if expected else None)
