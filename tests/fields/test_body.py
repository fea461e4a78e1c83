"""clean_body: article paragraphs kept, page furniture dropped, whole short lines only."""

from __future__ import annotations

import pytest

from crawler.fields.body import clean_body

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
        # short subheadings of the article
        "Une grève reconductible à partir du 5 mars",
        "« Désaccord total »",
        "10. Limetorrents",
    ],
)
def test_article_line_is_kept(keeper: str) -> None:
    assert clean_body([P1, keeper, P2]) == [P1, keeper, P2]


def test_repeated_title_is_dropped_only_at_the_top() -> None:
    title = "Glyphosate : radiographie d’une intoxication collective"
    lines = [title, P1, P2, "Glyphosate : radiographie d’une intoxication collective"]
    assert clean_body(lines, title=title) == [P1, P2, title]


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
