"""clean_body: article paragraphs kept, page furniture dropped, whole short lines only."""

from __future__ import annotations

import json

import pytest

from crawler.fields.body import (
    clean_body,
    find_visible_lead,
    has_prose,
    merge_lead,
    strip_embed_marks,
)
from crawler.fields.body_tree import (
    drop_link_teaser_lines,
    drop_text_beside_headline,
    promote_text_divs,
    prune_boilerplate,
    release_reading_lists,
    restore_subheadings,
    sandwiched_subheadings,
    text_beside_headline,
    unwrap_inline_times,
)
from crawler.fields.html import parse_html, text_of
from crawler.process.extract import extract_body_lines, extract_page

P1 = (
    "Le secrétaire général de l'Otan a confirmé lundi que des troupes avaient été envoyées "
    "dans la région de Koursk, où l'armée a effectué une percée en août."
)
P2 = (
    "Il a également qualifié ce déploiement de signe de désespoir croissant de la part du "
    "président russe, selon des propos rapportés par plusieurs diplomates présents."
)
P3 = (
    "Un représentant a qualifié ces informations de rumeurs sans fondement devant la presse réunie."
)


def test_seed_like_page() -> None:
    lines = [
        "L'Otan dit pouvoir confirmer la présence de soldats en Russie",
        "",
        "  28 Octobre 2024    Lu: 97",
        "L",
        "",
        P1,
        P2,
        "Reuters",
        "",
        "Tags: CoréeduNord   Russie  ",
        "",
        "Fil d'info",
    ]
    title = "L'Otan dit pouvoir confirmer la présence de soldats en Russie"
    assert clean_body(lines, title=title) == [P1, P2, "Reuters"]


@pytest.mark.parametrize(
    "noise",
    [
        # drop cap, counters
        "L",
        "É",
        "Lu: 97",
        "97 vues",
        "Vu 12 fois",
        "1 234 lectures",
        # date and publication lines
        "28 Octobre 2024 Lu: 97",
        "Publié le 28/10/2024 à 12h30",
        "Mis à jour le 29 octobre 2024 à 08:15",
        "jeudi 13 juin 2019",
        "Publié le 12 mars 2024 à 10h05, mis à jour le 13 mars 2024 à 09h00",
        "Dernière modification : 4 janvier 2024",
        "1er mars 2020",
        # the author's name was a link the extractor dropped
        "Publié le 3 février 2023, par",
        # tag lines
        "Tags: Russie, Ukraine",
        "Mots-clés : Climat, COP 29",
        "Thèmes :",
        "Mots-clés",
        # share, newsletter, comment prompts
        "Partager",
        "Partager sur Facebook",
        "Partager cet article",
        "Facebook Twitter LinkedIn E-mail",
        "Abonnez-vous à notre newsletter",
        "Pour rester informé, inscrivez-vous à la newsletter",
        "Suivez-nous sur Facebook et Twitter",
        "Ne manquez rien de l’actualité, suivez-nous aussi sur Facebook et Twitter.",
        "Imprimer",
        "Envoyer par e-mail",
        "Réagir",
        "Commenter",
        "12 commentaires",
        "Voir les contributions",
        "Temps de lecture : 3 min",
        # related links
        "Lire aussi : Le Sénégal vote dimanche",
        "LIRE AUSSI Le Sénégal vote dimanche",
        ">> A lire aussi : Antoine Griezmann fait la une",
        "À lire aussi",
        "Voir aussi : notre dossier spécial",
        "Sur le même sujet",
        "Sur le même sujet : la réforme des retraites",
        # photo credits and captions
        "Photo : AFP",
        "Photo (cc) : svenwerk",
        "© Reuters/John Doe",
        "Crédit photo : KB / Bondy Blog",
        "Crédits photos : Bestimage",
        "(Photo d'illustration)",
        "Photo d'illustration",
        # paywall, copyright, footer
        "Cet article est réservé aux abonnés",
        "Article réservé aux abonnés",
        "Abonnés",
        "Déjà abonné ? Connectez-vous",
        "© 2024 Le Monde. Tous droits réservés",
        "Mentions légales",
        "Charte des commentaires",
        # a caption ending with its photo credit
        "- Tapie en 2008. REUTERS/Benoit Tessier -",
        "Le président sénégalais à Dakar, le 3 mai. LUDOVIC MARIN/AFP",
        # the outlet's newsletter promotion at the foot of the article
        "Cet article est paru dans notre newsletter « La lettre éco ». Si vous êtes abonné, "
        "vous pouvez vous inscrire à cette lettre quotidienne en suivant ce lien.",
        # a live blog's closing marker
        "Fin du direct",
        "Fin de notre live",
        # punctuation-only lines
        "—",
        "- ",
    ],
)
def test_boilerplate_line_is_dropped(noise: str) -> None:
    assert clean_body([P1, noise, P2]) == [P1, P2]


@pytest.mark.parametrize(
    "keeper",
    [
        # agency credit lines are the agency finder's business
        "Reuters",
        "(AFP)",
        "Avec AFP",
        "Source : APS",
        "Par AFP",
        # real sentences that merely contain a trigger word
        "Il a partagé sa vision de l'avenir avec les militants réunis à Dakar.",
        "Partager les richesses reste la priorité du nouveau gouvernement, a-t-il dit.",
        "La photo, prise en 1995, montre le président devant le palais.",
        "Sur le même sujet, le ministre n'a fait aucun commentaire.",
        "À voir les chiffres, la situation s'aggrave encore cette année.",
        "Les abonnés du réseau ont été privés d'électricité pendant deux jours.",
        "Commenter l'actualité n'est pas la faire, rappelle l'éditorialiste.",
        "Il a été publié le 12 mars dans la revue Nature.",
        # a credit named inside a sentence, not at its end
        "Le cliché, signé REUTERS/Benoit Tessier, a fait le tour du monde en quelques heures.",
        "Cet article est paru dans la revue Esprit en 1995, avant d'être traduit en anglais.",
        # short subheadings of the article
        "Une grève reconductible à partir du 5 mars",
        "« Désaccord total »",
        "10. Limetorrents",
    ],
)
def test_article_line_is_kept(keeper: str) -> None:
    assert clean_body([P1, keeper, P2]) == [P1, keeper, P2]


def test_repeated_title_is_dropped_at_the_edges_only() -> None:
    title = "Glyphosate : radiographie d’une intoxication collective"
    middle = [title, P1, P1, P2, title, P2, P1, P2]
    assert clean_body(middle, title=title) == [P1, P1, P2, title, P2, P1, P2]
    tail = [P1, P2, P1, P2, title, "Détails", "Publication : dimanche 3 mars 2024 10:47"]
    assert clean_body(tail, title=title) == [P1, P2, P1, P2]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # a rubric printed above the headline goes with the headline
        (["Transport en commun", "Grève à la STM", P1, P2], [P1, P2]),
        (["Monde", "Afrique", "Grève à la STM", P1], [P1]),
        # a sentence above the headline is kept (only short labels are a kicker)
        ([P1, "Grève à la STM", P2], [P1, P2]),
        # a short line after the headline is not a kicker
        (["Grève à la STM", "Transport en commun", P1], ["Transport en commun", P1]),
        # no headline repeat: nothing is taken for a kicker
        (["Transport en commun", P1], ["Transport en commun", P1]),
    ],
)
def test_kicker_above_the_title_repeat_is_dropped(lines: list[str], expected: list[str]) -> None:
    assert clean_body(lines, title="Grève à la STM") == expected


def test_title_with_site_suffix_is_a_repeat() -> None:
    lines = ["Didier Porte souhaite la Santé | Chroniques | Là-bas", P1]
    assert clean_body(lines, title="Didier Porte souhaite la santé") == [P1]


def test_title_repeat_with_other_quotes_is_dropped() -> None:
    lines = ["A Paris-8, beaucoup d'actions", P1]
    assert clean_body(lines, title="A Paris-8, beaucoup d’actions") == [P1]


@pytest.mark.parametrize(
    "byline",
    [
        "Par Jean Dupont",
        "Par Jean Dupont et Marie Curie",
        "Par Jean Dupont, envoyé spécial à Kiev",
        "Par la rédaction",
        # signatures that open otherwise than "Par"
        "De notre correspondant à Bamako, Boubacar Traoré",
        "De notre envoyée spéciale à Goma, Awa Diop",
        "Propos recueillis par Leïla Ben Salah",
        "Texte : Julien Favre · Photos : Léa Rochat",
        "Texte : Julien Favre",
    ],
)
def test_byline_alone_is_dropped_at_the_top(byline: str) -> None:
    assert clean_body([byline, "Publié le 3 mai 2024", P1, P2, P3]) == [P1, P2, P3]


def test_byline_alone_is_kept_mid_article() -> None:
    lines = [P1, P2, P3, P1, "Par Jean Dupont", P3, P1, P2, P3, P1]
    assert clean_body(lines) == lines


def test_byline_alone_is_dropped_at_the_bottom() -> None:
    assert clean_body([P1, P2, P3, "Par Jacques Munier"]) == [P1, P2, P3]


def test_sidebar_header_drops_what_follows_at_the_end() -> None:
    lines = [
        P1,
        P2,
        "Les plus lus",
        "Un autre titre",
        "Encore un titre d'article",
        "Troisième titre",
    ]
    assert clean_body(lines) == [P1, P2]


def test_paywall_notice_ends_the_article() -> None:
    lines = [
        P1,
        P2,
        "Pour lire la suite",
        "et accéder gratuitement à 3 articles par mois,",
        "créez votre compte",
        "Offre découverte",
    ]
    assert clean_body(lines) == [P1, P2]


def test_percentage_paywall_notice_is_dropped() -> None:
    lines = [
        P1,
        P2,
        "Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.",
    ]
    assert clean_body(lines) == [P1, P2]


def test_mid_article_header_followed_by_long_paragraphs_only_drops_the_header() -> None:
    long_p = P1 + " " + P2 + " " + P3
    lines = [P1, "À la une", long_p, long_p, long_p, long_p]
    assert clean_body(lines) == [P1, long_p, long_p, long_p, long_p]


def test_site_drop_patterns() -> None:
    lines = [P1, "Retrouvez toutes nos vidéos sur ExempleTV", P2, "ExempleTV direct"]
    assert clean_body(lines, drop_patterns=[r"exempletv", r"[invalid"]) == [P1, P2]


def test_paragraphs_are_cleaned_and_empties_dropped() -> None:
    lines = ["  Le\u00a0président\tparle  ", "", "   ", "Un\nparagraphe coupé"]
    assert clean_body(lines) == ["Le président parle", "Un paragraphe coupé"]


def test_empty_input() -> None:
    assert clean_body([]) == []


def test_title_repeat_after_a_prepended_lead_is_dropped() -> None:
    title = "Il brise le couvre-feu et est surpris au volant à Mellet"
    lead = P1 + " " + P2  # a long standfirst put first by merge_lead
    assert clean_body([lead, title, P3], title=title) == [lead, P3]


# ------------------------------------------------------------------ page-level rules

LONG = (
    "Le conseil municipal a voté mardi soir le budget de la ville après un débat de quatre "
    "heures, marqué par les critiques de l'opposition sur la hausse des dépenses de personnel."
)
ARTICLE = f"<h1>Le budget voté</h1><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p>"
TEASER = "Un autre article de la rédaction, avec un chapô assez long pour ressembler à du texte."


def _body_text(html: str) -> str:
    tree = parse_html(html)
    prune_boilerplate(tree)
    return text_of(tree)


@pytest.mark.parametrize(
    ("block", "dropped"),
    [
        ('<div class="content-form-account-paywall"><p>Pour lire la suite</p></div>', True),
        ('<div class="well cta-abonnement"><p>Abonnez-vous dès 1 €</p></div>', True),
        ('<section id="newsletter"><p>Recevez notre lettre</p></section>', True),
        ('<div class="bloc_lire-aussi"><p>Lire aussi : un autre sujet</p></div>', True),
        (
            '<form action="/inscription"><label>Votre courriel</label>'
            '<input type="email" name="m"><p>Inscrivez-vous</p></form>',
            True,
        ),
        # teaser list: every item is another article's heading link
        (
            '<ul class="items"><li><h3><a href="/a">Premier sujet</a></h3></li>'
            '<li><h3><a href="/b">Second sujet</a></h3></li></ul>',
            True,
        ),
        # sidebar of teaser cards whose long chapôs do not count as article text
        (
            '<div class="aside-bloc aside-bloc-latest">'
            + "".join(
                f'<article><h3><a href="/{n}">Titre {n}</a></h3><p>{TEASER} {LONG}</p></article>'
                for n in range(4)
            )
            + "</div>",
            True,
        ),
        # readers' comments under a "réactions" / "commentaires" block
        (
            '<div class="reactions"><h3>3 réactions</h3><div class="reaction">'
            "<p>Modou 12 mars 2024</p><p>Encore un retard !</p></div></div>",
            True,
        ),
        ('<section id="commentaires"><p>Bravo pour cet article.</p></section>', True),
        # the page's trail: SPIP's "arbo", a "breadcrumb", a "fil d'Ariane"
        ('<p class="arbo"><a href="./">Accueil</a> &gt; <a href="r2">Vélo</a></p>', True),
        ('<div class="breadcrumbs"><a href="/">Accueil</a> › Économie</div>', True),
        ('<div id="fil-d-ariane"><a href="/">Accueil</a> / Société</div>', True),
        # an ordinary list of the article is kept
        ("<ul><li>masques chirurgicaux</li><li>blouses et surblouses</li></ul>", False),
        # a form without text inputs (a search button only) is kept
        ("<form><button>Imprimer la fiche pratique</button></form>", False),
    ],
)
def test_prune_boilerplate(block: str, dropped: bool) -> None:
    html = f"<html><body><main>{ARTICLE}{block}</main></body></html>"
    marker = parse_html(html).xpath("//main/*[last()]")[0]
    marker_text = text_of(marker)
    assert (marker_text not in _body_text(html)) is dropped
    assert LONG in _body_text(html)


@pytest.mark.parametrize(
    "wrapper",
    [
        # a misleading class on the container of the article itself: kept (it holds the h1)
        f'<div class="article paywall-content">{ARTICLE}</div>',
        # ... or, without the h1, several long paragraphs of its own
        f'<div class="related-body"><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div>',
    ],
)
def test_prune_boilerplate_never_drops_the_article(wrapper: str) -> None:
    html = f"<html><body>{wrapper}</body></html>"
    tree = parse_html(html)
    assert prune_boilerplate(tree) == 0
    assert text_of(tree).count(LONG) == 3


COLUMN = f'<div class="col-main">{ARTICLE}</div>'


@pytest.mark.parametrize(
    ("html", "beside", "kept"),
    [
        # a side column of events and the site's slogan and footer beside the article column
        (
            '<div id="page"><div id="top"><p>Association des jardins de la ville</p></div>'
            f'{COLUMN}<div class="col-side"><h3>Prochain rendez-vous</h3>'
            "<p>14 juin 2022</p><p>Atelier plantation, de 14 h à 17 h.</p></div>"
            "<div>Les Jardins – association loi 1901 – <a href='/c'>Contact</a></div></div>",
            [
                "Association des jardins de la ville",
                "Prochain rendez-vous",
                "Atelier plantation, de 14 h à 17 h.",
                "Les Jardins – association loi 1901 – Contact",
            ],
            [LONG],
        ),
        # a list of earlier episodes after the column (list items come back as "- item")
        (
            f"<main>{COLUMN}<section><h2>Les émissions précédentes</h2><ul>"
            "<li><a href='/e1'>Le retour des haies</a> 2 mars 2023</li></ul></section></main>",
            ["Les émissions précédentes", "- Le retour des haies 2 mars 2023"],
            [LONG],
        ),
        # a header line above the h1 inside the column (a press release's dateline)
        (
            f'<div class="cp"><p>Communiqué de presse – Paris, le 7 avril 2021</p>{ARTICLE}</div>',
            ["Communiqué de presse – Paris, le 7 avril 2021"],
            [LONG],
        ),
        # a sibling holding a paragraph of article length is never left out
        (
            f'{COLUMN}<div class="suite"><p>{P1} {P2}</p></div>',
            [],
            [LONG, f"{P1} {P2}"],
        ),
        # a text printed beside the column and inside it too stays
        (
            f"<div><p>Le budget voté</p></div>{COLUMN}",
            [],
            ["Le budget voté", LONG],
        ),
        # two h1s, or no column with article text around the h1: nothing is left out
        (
            f"<div><h1>Le site</h1><p>Slogan</p></div>{COLUMN}",
            [],
            ["Slogan", LONG],
        ),
        (
            f"<div><p>Slogan</p></div><div><h1>Titre</h1><p>{LONG}</p></div>",
            [],
            ["Slogan", LONG],
        ),
    ],
)
def test_text_beside_headline(html: str, beside: list[str], kept: list[str]) -> None:
    found = text_beside_headline(parse_html(f"<html><body>{html}</body></html>"))
    assert drop_text_beside_headline([*beside, *kept], found) == kept


FAITS = (
    "La firme a été condamnée lundi à payer la somme record de deux milliards de dollars "
    "à deux personnes atteintes de cancers."
)


@pytest.mark.parametrize(
    ("body", "promoted"),
    [
        # a paragraph written as a bare div, with <p> paragraphs under the same parent
        (f'<div class="faits">{FAITS}</div><div><p>{LONG}</p></div>', 1),
        (f"<div><em>Lundi</em> {FAITS}</div><p>{LONG}</p>", 1),
        # too short, or not a sentence
        (f'<div class="date">Publié le 3 mai 2024</div><p>{LONG}</p>', 0),
        (f"<div>{FAITS[:-1]} et puis</div><p>{LONG}</p>", 0),
        # a block child: the div is a container, not a paragraph
        (f"<div>{FAITS}<ul><li>un</li></ul></div><p>{LONG}</p>", 0),
        # no <p> around: a layout of divs that trafilatura already reads as such
        (f"<div>{FAITS}</div><div>{FAITS}</div>", 0),
    ],
)
def test_promote_text_divs(body: str, promoted: int) -> None:
    tree = parse_html(f"<html><body><section>{body}</section></body></html>")
    assert promote_text_divs(tree) == promoted
    assert len(tree.xpath("//p")) == body.count("<p>") + promoted


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        # a date inside a sentence keeps its text (trafilatura deletes every <time>)
        (
            "<p>Visite guidée pour les familles le <time datetime='2024-04-20'>20 avril</time>"
            " à 14 heures, sur inscription.</p>",
            "Visite guidée pour les familles le 20 avril à 14 heures, sur inscription.",
        ),
        (
            "<p>Le sommet du <span><time datetime='2024-04-28'>28 avril</time></span> réunira "
            "dix pays producteurs.</p>",
            "Le sommet du 28 avril réunira dix pays producteurs.",
        ),
    ],
)
def test_inline_time_is_unwrapped(body: str, kept: str) -> None:
    tree = parse_html(f"<html><body><article>{body}</article></body></html>")
    assert unwrap_inline_times(tree) == 1
    assert text_of(tree.find(".//p")) == kept


@pytest.mark.parametrize(
    "body",
    [
        # a byline's date: alone in its block, or with a label only
        "<p class='date'><time datetime='2024-03-12'>12 mars 2024, 18 h</time></p>",
        "<p>Publié le <time datetime='2024-03-12'>12 mars 2024</time></p>",
        # a date in a div of the layout, in the article's header
        "<div>Un long texte de plusieurs mots ici <time datetime='2024-03-12'>12 mars</time></div>",
        "<header><p>Un long texte de plusieurs mots ici <time>12 mars 2024</time></p></header>",
    ],
)
def test_metadata_time_is_left_alone(body: str) -> None:
    tree = parse_html(f"<html><body><article>{body}</article></body></html>")
    assert unwrap_inline_times(tree) == 0


STANDFIRST = (
    "Reçue mardi à l’Elysée, la secrétaire générale a exposé au chef de l’Etat ses revendications."
)


@pytest.mark.parametrize(
    ("body", "description", "expected"),
    [
        (
            f'<h1>Titre</h1><p class="article__desc">  {STANDFIRST} </p><p>{LONG}</p>',
            STANDFIRST,
            STANDFIRST,
        ),
        # the lead split by inline markup and spread over lines
        (
            "<h1>Titre</h1><div class='chapo'><p><strong>Reçue mardi</strong> à l’Elysée,\n la "
            "secrétaire générale a exposé au chef de l’Etat ses revendications.</p></div>",
            STANDFIRST,
            STANDFIRST,
        ),
        # the longest of the first words has an apostrophe (typed ’ on the page, ' in the meta)
        (
            "<h1>Titre</h1><div class='chapo'><p>Le ministre de l’Énergie a présenté mardi le "
            "bilan des ventes et annoncé de nouveaux forages.</p></div>",
            "Le ministre de l'Énergie a présenté mardi le bilan des ventes et annoncé de nouveaux "
            "forages.",
            "Le ministre de l’Énergie a présenté mardi le bilan des ventes et annoncé de nouveaux "
            "forages.",
        ),
        # a truncated description matches no block
        (f"<h1>Titre</h1><p>{STANDFIRST}</p>", STANDFIRST[:60] + "…", None),
        # the text only appears in navigation or a footer
        (f"<h1>Titre</h1><nav><p>{STANDFIRST}</p></nav>", STANDFIRST, None),
        (f"<h1>Titre</h1><footer><div>{STANDFIRST}</div></footer>", STANDFIRST, None),
        # too short to be a lead
        ("<h1>Titre</h1><p>Le budget est voté.</p>", "Le budget est voté.", None),
        (f"<h1>Titre</h1><p>{STANDFIRST}</p>", None, None),
    ],
)
def test_find_visible_lead(body: str, description: str | None, expected: str | None) -> None:
    tree = parse_html(f"<html><head></head><body>{body}</body></html>")
    assert find_visible_lead(tree, description) == expected


@pytest.mark.parametrize(
    ("lines", "lead", "expected"),
    [
        ([P1, P2], P3, [P3, P1, P2]),
        # already kept by the extractor, anywhere
        ([P1, P3, P2], P3, [P1, P3, P2]),
        # a piece of the lead kept on its own line at the top is replaced by the whole lead
        (["Un représentant a qualifié ces informations", P1], P3, [P3, P1]),
        ([P1], None, [P1]),
        ([], P3, [P3]),
    ],
)
def test_merge_lead(lines: list[str], lead: str | None, expected: list[str]) -> None:
    assert merge_lead(lines, lead) == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (
            [
                "Vidéo du jour : retour de pêche à Cayar 30 Octobre 2024 Lu: 45 Retour des "
                "pirogues sur la plage de Cayar, mercredi matin. Tags: Vidéo Pêche Partager : "
                "Facebook X WhatsApp"
            ],
            False,
        ),
        (["Le conseil des ministres a adopté mercredi le projet de loi de finances."], True),
        (["« Nous ne reculerons pas », a déclaré le ministre devant les députés réunis »"], True),
        (["Photo : AFP"], False),
        ([], False),
        # a sentence closed inside quotes, or by a stop of another script
        (["Le ministre a répété devant les élus : « Nous ne reculerons pas. »"], True),
        (["He told the council the budget would be voted before the end of “the year.”"], True),
        (["日本政府は二日、新しい経済対策を閣議決定したと発表しました。"], True),
        (["इस योजना के तहत राज्य के सभी जिलों में नए अस्पताल खोले जाएंगे।"], True),
        # a blog without <p>: the whole text in one run-on line, two sentences inside it
        (
            [
                "Les bornes de recharge. 17/11/2019 ~ Awa Diop Je m'étonne qu'on investisse si "
                "peu dans des bornes de recharge rapides sur nos routes nationales. Il en "
                "faudrait une tous les cinquante kilomètres pour que les voitures électriques "
                "deviennent un choix raisonnable. Partager : Facebook X"
            ],
            True,
        ),
        # a wire dispatch wrapped at a fixed width (<pre>): no line is a sentence alone
        (
            [
                "(APS) - DAKAR, 28 oct - Le match Jaraaf-Casa Sports aura lieu",
                "dimanche au stade Léopold-Senghor, a annoncé la ligue. Les deux",
                "équipes, à égalité de points, se disputent la première place du",
                "championnat depuis la reprise. (APS).",
            ],
            True,
        ),
    ],
)
def test_has_prose(paragraphs: list[str], expected: bool) -> None:
    assert has_prose(paragraphs) is expected


# A weekly column of ideas that ends with the author's reading notes: each item cites a review
# on another site. The outlet's own "Lire aussi" teasers are left for the line rules to cut.
COLUMN_HEAD = '<link rel="canonical" href="https://www.radio-exemple.fr/chroniques/idees-du-jour">'
COLUMN_TEXT = (
    "<p>La semaine a été marquée par une série de tribunes sur la place de la parole publique,"
    " des assemblées citoyennes aux plateaux de télévision, et par leurs limites.</p>"
)
SIGNATURE = "<p>Par <strong>Hélène Garnier</strong></p>"
REVIEW_A = (
    '<p>Revue <em>Terrains</em> : <a href="https://revue-terrains.org/numero-42">Débattre'
    " autrement</a>. Un dossier sur les formes du désaccord dans les assemblées locales.</p>"
)
REVIEW_B = (
    '<p>Revue <em>Parole</em> : <a href="http://www.editions-parole.fr/revue/18">Les mots du'
    " pouvoir</a></p>"
)
OWN_TEASER = '<p><a href="/chroniques/idees-de-la-veille">Les idées de la veille</a></p>'


def _column(items: str, head: str = COLUMN_HEAD, label: str = "<p>À lire aussi :</p>") -> str:
    return (
        f"<html><head>{head}</head><body><div class='chronique'>{COLUMN_TEXT}{SIGNATURE}"
        f"{label}{items}<aside class='bounce'><a href='/autre'>À écouter aussi</a></aside>"
        "</div></body></html>"
    )


@pytest.mark.parametrize(
    ("html", "released"),
    [
        # every item cites another site: the label and the signature above it go
        (_column(REVIEW_A + REVIEW_B), True),
        (_column(REVIEW_A, label="<h3>Pour aller plus loin</h3>"), True),
        (_column(REVIEW_B, label="<p><strong>LIRE AUSSI</strong></p>"), True),
        # the outlet's own teasers, alone or among the reviews
        (_column(OWN_TEASER), False),
        (_column(REVIEW_A + OWN_TEASER), False),
        # an item without any link, a label holding the link itself, no canonical URL
        (_column(REVIEW_A + "<p>Un numéro à paraître au printemps.</p>"), False),
        (_column(REVIEW_A, label='<p>Lire aussi : <a href="/x">Autre chronique</a></p>'), False),
        (_column(REVIEW_A + REVIEW_B, head=""), False),
        # a label that is not a reading-list label
        (_column(REVIEW_A, label="<p>Références :</p>"), False),
    ],
)
def test_release_reading_lists(html: str, released: bool) -> None:
    tree = parse_html(html)
    assert release_reading_lists(tree) == (1 if released else 0)
    assert ("Hélène Garnier" in text_of(tree)) is not released


def _paragraphs(html: str, *, prune: bool) -> list[str]:
    tree = parse_html(html)
    if prune:
        prune_boilerplate(tree)
    return [" ".join(p.text_content().split()) for p in tree.iter("p")]


def test_released_reading_list_survives_the_line_rules() -> None:
    html = _column(REVIEW_A + REVIEW_B)
    assert clean_body(_paragraphs(html, prune=True)) == [
        "La semaine a été marquée par une série de tribunes sur la place de la parole publique,"
        " des assemblées citoyennes aux plateaux de télévision, et par leurs limites.",
        "Revue Terrains : Débattre autrement. Un dossier sur les formes du désaccord dans les"
        " assemblées locales.",
        "Revue Parole : Les mots du pouvoir",
    ]
    # without the release, "À lire aussi" cuts the two reviews off with the signature
    unreleased = _paragraphs(html, prune=False)
    assert clean_body(unreleased) == unreleased[:1]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # an embedded tweet's photo link goes, its words stay
        (
            "Lancement de la campagne. Protégeons nos familles ! pic.twitter.com/AbC123xYz",
            "Lancement de la campagne. Protégeons nos familles !",
        ),
        ("Le but en vidéo https://pic.x.com/Zz9 ici", "Le but en vidéo ici"),
        # a photo link alone is an empty line (clean_body drops it)
        ("pic.twitter.com/AbC123xYz", ""),
        # the signature line is kept: real-page truths count the tweet's author as text
        (
            "— Téléfoot (@telefoot_TF1) June 1, 2018",
            "— Téléfoot (@telefoot_TF1) June 1, 2018",
        ),
        # a sentence about pictures is not a link
        ("Les pic. de pollution ont été mesurés.", "Les pic. de pollution ont été mesurés."),
    ],
)
def test_strip_embed_marks(line: str, expected: str) -> None:
    assert strip_embed_marks(line) == expected
    assert clean_body([P1, line, P2]) == ([P1, expected, P2] if expected else [P1, P2])


SUBHEADED = (
    f"<div class='item-text'><p>{P1}</p><h3>Des pluies enfin au rendez-vous</h3><p>{P2}</p>"
    f"<h3>Un titre trop long pour être un intertitre de l'article, car il compte bien plus de "
    f"quinze mots au total</h3><p>{P3}</p><h4>Fil d'info</h4><ul><li>15:02 Oran</li></ul></div>"
)


def test_sandwiched_subheadings() -> None:
    # only a short heading with a <p> on both sides; the list-headed "Fil d'info" is not one
    assert sandwiched_subheadings(parse_html(SUBHEADED)) == [
        ("Des pluies enfin au rendez-vous", P1, P2)
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # lost between its two adjacent paragraphs: put back
        ([P1, P2, P3], [P1, "Des pluies enfin au rendez-vous", P2, P3]),
        # already extracted: unchanged
        (
            [P1, "Des pluies enfin au rendez-vous", P2],
            [P1, "Des pluies enfin au rendez-vous", P2],
        ),
        # a paragraph around it was not extracted, or another line sits between: left out
        ([P2, P3], [P2, P3]),
        ([P1, P3, P2], [P1, P3, P2]),
    ],
)
def test_restore_subheadings(lines: list[str], expected: list[str]) -> None:
    found = [("Des pluies enfin au rendez-vous", P1, P2)]
    assert restore_subheadings(lines, found) == expected


# ---------------------------------------------------- never most of trafilatura's text


def _numbered(n: int) -> str:
    return f"Point {n} du débat. {LONG} {P1}"


NOT_FREE_JSON_LD = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
    '"NewsArticle", "headline": "Le budget voté", "isAccessibleForFree": false}</script>'
)
FREE_BUT_METERED = (
    f"<html><head>{NOT_FREE_JSON_LD}</head><body><main><h1>Le budget voté</h1>"
    + "".join(f'<p class="body-paragraph paywall">{_numbered(n)}</p>' for n in range(6))
    + '<div class="paywall-notice"><p>Abonnez-vous pour lire nos articles.</p></div>'
    "</main></body></html>"
)


def test_body_rules_never_lose_most_of_the_text() -> None:
    # a metered page (JSON-LD: not free) whose every paragraph is marked "paywall" by the
    # metering script, the markup holding the whole text: the pruning rule drops them all,
    # trafilatura alone keeps them, and the page is no stub
    lines = extract_body_lines(FREE_BUT_METERED, "https://journal.example/budget")
    assert [n for n in range(6) if any(_numbered(n) in line for line in lines)] == list(range(6))


def test_strong_reasons_keep_the_last_word() -> None:
    # a page that does not say it is for subscribers: a block marked "paywall" is a paywall's
    # furniture, and what the rules dropped stays dropped, however long
    html = FREE_BUT_METERED.replace(NOT_FREE_JSON_LD, "")
    lines = extract_body_lines(html, "https://journal.example/budget")
    assert not any(_numbered(n) in line for line in lines for n in range(6))


def test_a_real_paywall_notice_is_still_dropped() -> None:
    html = (
        "<html><body><main><h1>Le budget voté</h1>"
        + "".join(f"<p>{_numbered(n)}</p>" for n in range(2))
        + '<div class="paywall"><p>Il vous reste 80 % de cet article à lire.</p>'
        "<p>Abonnez-vous pour lire la suite, dès 1 € le premier mois.</p></div>"
        "</main></body></html>"
    )
    lines = extract_body_lines(html, "https://journal.example/budget")
    assert [n for n in range(2) if any(_numbered(n) in line for line in lines)] == [0, 1]
    assert not any("Abonnez-vous" in line or "80 %" in line for line in lines)


def _teaser_with_json_ld(article_body: str) -> str:
    data = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Le budget voté",
            "isAccessibleForFree": False,
            "articleBody": article_body,
        },
        ensure_ascii=False,
    )
    return (
        f'<html><head><script type="application/ld+json">{data}</script></head><body><main>'
        f"<h1>Le budget voté</h1><p>{_numbered(0)}</p>"
        '<div class="paywall"><p>Abonnez-vous pour lire la suite.</p></div></main></body></html>'
    )


@pytest.mark.parametrize(
    "article_body",
    [
        "\n".join(_numbered(n) for n in range(6)),  # plain text, one paragraph a line
        "".join(f"<p>{_numbered(n)}</p>" for n in range(6)),  # the HTML of the text
    ],
)
def test_json_ld_article_body_holding_the_whole_text_is_the_body(article_body: str) -> None:
    # the page renders a teaser; its JSON-LD holds the whole text: that is the article
    raw = extract_page(_teaser_with_json_ld(article_body), "https://journal.example/budget")
    assert [n for n in range(6) if any(_numbered(n) in line for line in raw.body_lines)] == list(
        range(6)
    )


def test_json_ld_article_body_no_longer_than_the_page_changes_nothing() -> None:
    raw = extract_page(_teaser_with_json_ld(_numbered(0)), "https://journal.example/budget")
    assert sum(_numbered(0) in line for line in raw.body_lines) == 1


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        # a label, a colon and one link to another of the site's articles, in any language
        (
            '<p><strong>À voir :&nbsp;<a href="/faits-divers/incendie">Un incendie ravage un '
            "entrepôt à Lomé</a></strong></p>",
            True,
        ),
        (
            '<p><b>LE PUEDE INTERESAR: <a href="https://www.exemple.sn/x">La ficha del caso en '
            "Nueva York</a></b></p>",
            True,
        ),
        (
            '<h6><strong>Mire: </strong><a href="/fama/y">El cantante da positivo a la prueba</a>'
            "</h6>",
            True,
        ),
        (
            '<p><em>Czytaj też: <a href="/swiat/z">Komu dać superbroń? Kłótnia generałów</a></em>'
            "</p>",
            True,
        ),
        # a source the author cites on another site stays
        (
            '<p>Source : <a href="https://www.ccomptes.fr/rapport">Rapport annuel de la Cour des '
            "comptes</a></p>",
            False,
        ),
        # a sentence around the link, a link of one or two words, a long label: article text
        (
            '<p>Le maire a renvoyé vers <a href="/budget">le budget voté en mars</a> hier.</p>',
            False,
        ),
        ('<p>Contact : <a href="/contact">la rédaction</a></p>', False),
        (
            '<p>Ce que le conseil municipal a décidé mardi : <a href="/c">le budget de la '
            "ville</a></p>",
            False,
        ),
        # two links: a list of the article's own, not one teaser
        (
            '<p>Voir : <a href="/a">le premier rapport annuel</a> et <a href="/b">le second '
            "rapport annuel</a></p>",
            False,
        ),
    ],
)
def test_drop_link_teaser_lines(line: str, dropped: bool) -> None:
    html = (
        '<html><head><link rel="canonical" href="https://www.exemple.sn/article/1"></head>'
        f"<body><main>{ARTICLE}{line}</main></body></html>"
    )
    tree = parse_html(html)
    marker = text_of(tree.xpath("//main/*[last()]")[0])
    assert drop_link_teaser_lines(tree) == int(dropped)
    assert (marker not in text_of(tree)) is dropped
    assert LONG in text_of(tree)
