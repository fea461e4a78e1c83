"""Wire-agency attribution: trailers, datelines, bylines, meta; strict about false positives."""

from __future__ import annotations

import pytest

from crawler.fields.agencies import (
    AGENCIES,
    agencies_in_byline,
    agencies_in_meta,
    agency_code,
    credited_agencies,
    find_dateline_agencies,
    split_agency_trailer,
    trailer_signature,
)
from crawler.items import AgencyMention

BODY = "Le texte de la dépêche se termine ici."


def codes(mentions: list[AgencyMention]) -> list[str]:
    return [m.code for m in mentions]


def test_every_code_has_a_name_and_a_spelling() -> None:
    for code, info in AGENCIES.items():
        assert code.isupper() and info.name
        assert info.aliases or info.ambiguous_aliases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AFP", "AFP"),
        ("Agence France-Presse", "AFP"),
        ("Agence France Presse", "AFP"),
        ("Reuters", "REUTERS"),
        ("Associated Press", "AP"),
        ("AP", "AP"),
        ("Algérie Presse Service", "APS"),
        ("Maghreb Arabe Presse", "MAP"),
        ("Tunis Afrique Presse", "TAP"),
        ("Agence ivoirienne de presse", "AIP"),
        ("Keystone-ATS", "ATS"),
        ("La Presse Canadienne", "PC"),
        ("Xinhua", "XINHUA"),
        ("AA", "ANADOLU"),
        ("Agence congolaise de presse", "ACP"),
        ("ap", None),  # the ambiguous short codes count only as written
        ("Le Monde", None),
        ("Agence", None),
    ],
)
def test_agency_code(text: str, expected: str | None) -> None:
    assert agency_code(text) == expected


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("Reuters", ["REUTERS"]),
        ("AFP", ["AFP"]),
        ("(AFP)", ["AFP"]),
        ("Avec AFP", ["AFP"]),
        ("avec Reuters", ["REUTERS"]),
        ("Source : APS", ["APS"]),
        ("Source: MAP", ["MAP"]),
        ("© Agence France-Presse", ["AFP"]),
        ("AFP/Reuters", ["AFP", "REUTERS"]),
        ("Avec AFP et Reuters", ["AFP", "REUTERS"]),
        ("(Avec AFP)", ["AFP"]),
        ("Par La Rédaction avec AFP", ["AFP"]),
        ("Jeune Afrique avec AFP", ["AFP"]),
        ("Reuters (Traduction: Camille Martin)", ["REUTERS"]),
        ("— AFP", ["AFP"]),
        ("APS", ["APS"]),
        ("MAP", ["MAP"]),
        ("APA", ["APA"]),
        ("AIP", ["AIP"]),
        ("AP", ["AP"]),
        ("(ats)", ["ATS"]),
        ("© 2024 AFP. Tous droits réservés.", ["AFP"]),
        ("Avec l'AFP", ["AFP"]),
        ("Avec l’AFP", ["AFP"]),
        ("La MAP", ["MAP"]),
        ("AFP/Belga", ["AFP", "BELGA"]),
        ("Avec Belga", ["BELGA"]),
        ("(avec Belga)", ["BELGA"]),
    ],
)
def test_trailer_credit_line_is_removed(credit: str, expected: list[str]) -> None:
    kept, mentions = split_agency_trailer([BODY, credit])
    assert kept == [BODY]
    assert codes(mentions) == expected
    assert all(m.where == "trailer" and m.raw == credit for m in mentions)


@pytest.mark.parametrize(
    "line",
    [
        "Photo : AFP",
        "© AFP/Ludovic Marin",
        "Crédit photo : Reuters",
        "Ludovic Marin / AFP",
        "l'AFP a appris que le ministre démissionnerait.",
        "Selon la MAP, le roi a reçu le ministre.",
        "Le rapport de l'AP sera publié lundi.",
        "Il a acheté un PC.",
        "Le Monde",
    ],
)
def test_not_an_attribution_stays_in_place(line: str) -> None:
    assert split_agency_trailer([BODY, line]) == ([BODY, line], [])


@pytest.mark.parametrize(
    ("last", "kept_text", "code", "raw"),
    [
        ("Il l'a dit lundi, a-t-il dit. (AFP)", "Il l'a dit lundi, a-t-il dit.", "AFP", "(AFP)"),
        (
            "Les cours ont chuté de 3 %. - Reuters",
            "Les cours ont chuté de 3 %.",
            "REUTERS",
            "- Reuters",
        ),
        ("Le vote aura lieu mardi (avec AFP).", "Le vote aura lieu mardi.", "AFP", "(avec AFP)"),
        ("Le sommet est reporté. (AP)", "Le sommet est reporté.", "AP", "(AP)"),
        (
            "Le vote aura lieu mardi (avec l'AFP).",
            "Le vote aura lieu mardi.",
            "AFP",
            "(avec l'AFP)",
        ),
        # a bare credit after the last sentence's closing punctuation
        ("La séance est levée, a-t-il dit. AFP", "La séance est levée, a-t-il dit.", "AFP", "AFP"),
        ("« Nous ne céderons pas. » Reuters", "« Nous ne céderons pas. »", "REUTERS", "Reuters"),
    ],
)
def test_credit_glued_to_last_paragraph(last: str, kept_text: str, code: str, raw: str) -> None:
    kept, mentions = split_agency_trailer(["Premier paragraphe.", last])
    assert kept == ["Premier paragraphe.", kept_text]
    assert mentions == [AgencyMention(code=code, where="trailer", raw=raw)]


@pytest.mark.parametrize(
    "signed",
    ["C.J. (avec Belga)", "J.-M. D. (Belga)", "Marc Lenoir (avec AFP)"],
)
def test_signature_with_its_credit_leaves_the_body(signed: str) -> None:
    # the end credit of a Belgian text: the author's initials, then the agency
    kept, mentions = split_agency_trailer([BODY, signed])
    assert kept == [BODY]
    assert [(m.where, m.raw) for m in mentions] == [("trailer", signed)]


@pytest.mark.parametrize("credit", ["Avec agences", "(avec agences)", "Sources : agences"])
def test_unnamed_agencies_credit_leaves_the_body_without_a_code(credit: str) -> None:
    assert split_agency_trailer([BODY, credit]) == ([BODY], [])


def test_a_sentence_before_a_credit_is_no_signature() -> None:
    last = "Le Parlement votera Mardi Prochain (avec Belga)"
    kept, mentions = split_agency_trailer([BODY, last])
    assert kept == [BODY, "Le Parlement votera Mardi Prochain"]
    assert codes(mentions) == ["BELGA"]


def test_dash_glued_ambiguous_code_is_not_a_credit() -> None:
    paragraphs = ["Le score final était de 2 - AP"]
    assert split_agency_trailer(paragraphs) == (paragraphs, [])


@pytest.mark.parametrize(
    "last",
    [
        "Le vainqueur a été désigné. AP",  # ambiguous code: only "(AP)" counts
        "Il travaille depuis dix ans pour Reuters",  # no sentence end before the name
        "Il a été interrogé par l'AFP.",
    ],
)
def test_bare_name_at_the_end_is_not_always_a_credit(last: str) -> None:
    assert split_agency_trailer([last]) == ([last], [])


def test_trailing_empty_strings_and_stacked_lines() -> None:
    paragraphs = [BODY, "Avec AFP", "© 2024 Le Quotidien", "", "  "]
    kept, mentions = split_agency_trailer(paragraphs)
    assert kept == [BODY, "© 2024 Le Quotidien", "", "  "]
    assert mentions == [AgencyMention(code="AFP", where="trailer", raw="Avec AFP")]


def test_two_stacked_credit_lines_in_document_order() -> None:
    kept, mentions = split_agency_trailer([BODY, "Avec Reuters", "(AFP)"])
    assert kept == [BODY]
    assert codes(mentions) == ["REUTERS", "AFP"]


def test_credit_line_above_a_read_also_line() -> None:
    kept, mentions = split_agency_trailer([BODY, "Avec AFP", "Lire aussi : la suite"])
    assert kept == [BODY, "Lire aussi : la suite"]
    assert codes(mentions) == ["AFP"]


def test_credit_far_from_the_end_is_not_a_trailer() -> None:
    paragraphs = ["AFP", "Un.", "Deux.", "Trois.", "Quatre."]
    assert split_agency_trailer(paragraphs) == (paragraphs, [])


def test_empty_input() -> None:
    assert split_agency_trailer([]) == ([], [])
    assert split_agency_trailer(["", ""]) == (["", ""], [])


@pytest.mark.parametrize(
    ("first", "expected", "raw"),
    [
        ("PARIS (AFP) - Le président a annoncé", ["AFP"], "PARIS (AFP) -"),
        ("ALGER, 3 mars (APS) - Le ministre", ["APS"], "ALGER, 3 mars (APS) -"),
        ("Dakar, 12 nov (APS) – Le gouvernement", ["APS"], "Dakar, 12 nov (APS) –"),
        (
            "OTTAWA — (La Presse Canadienne) — Le premier",
            ["PC"],
            "OTTAWA — (La Presse Canadienne) —",
        ),
        ("Genève (ats/afp) - Le Conseil fédéral", ["ATS", "AFP"], "Genève (ats/afp) -"),
        ("Rabat, le 4 juin 2024 (MAP) - Sa Majesté", ["MAP"], "Rabat, le 4 juin 2024 (MAP) -"),
        (
            "Saint-Denis de la Réunion (AFP) - Un cyclone",
            ["AFP"],
            "Saint-Denis de la Réunion (AFP) -",
        ),
        ("WASHINGTON (AP) — Le Congrès", ["AP"], "WASHINGTON (AP) —"),
        ("KINSHASA, 3 mars (ACP).- Le président", ["ACP"], "KINSHASA, 3 mars (ACP).-"),
        ("NIAMEY, (ANP) - L'activité a repris", ["ANP"], "NIAMEY, (ANP) -"),
        ("(Xinhua) -- Plusieurs centaines", ["XINHUA"], "(Xinhua) -"),
        ("ANKARA (AA) - Un séisme", ["ANADOLU"], "ANKARA (AA) -"),
        # an upper-case place makes a dateline without a dash
        ("BRUXELLES (Belga) Le gouvernement", ["BELGA"], "BRUXELLES (Belga)"),
        ("GENÈVE (Keystone-ATS) - Les Nations unies", ["ATS"], "GENÈVE (Keystone-ATS) -"),
        # APA's form: the agency glued to the city, the country in brackets
        ("APA-Dakar (Sénégal) - Le prix du poisson", ["APA"], "APA-Dakar (Sénégal) -"),
        ("APA-Niamey (Niger) – Le gouvernement", ["APA"], "APA-Niamey (Niger) –"),
        ("AIP-Bouaké - Les producteurs", ["AIP"], "AIP-Bouaké -"),
        ("BRUXELLES (avec Belga) - Le gouvernement", ["BELGA"], "BRUXELLES (avec Belga) -"),
        (
            "Bruxelles, 3 mars (AFP/Belga) - Le gouvernement",
            ["AFP", "BELGA"],
            "Bruxelles, 3 mars (AFP/Belga) -",
        ),
    ],
)
def test_dateline(first: str, expected: list[str], raw: str) -> None:
    mentions = find_dateline_agencies(first)
    assert codes(mentions) == expected
    assert all(m.where == "dateline" and m.raw == raw for m in mentions)


@pytest.mark.parametrize(
    "first",
    [
        "Le ministre a répondu aux questions de l'AFP lundi.",
        "Le ministre a confié (AFP) - rien",  # lower-case words: not a place name
        "Selon la MAP, le roi a reçu les ministres.",
        "Paris (AFP) le président",  # no dash: too loose
        "PM (AFP) le président",  # no dash and a two-letter upper-case word
        "AFP-Ipsos : le sondage",  # agency glued to a word, no dash after it
        "Reuters-Ipsos - selon le sondage",  # no sentence after the dash
        "AFP - le président a dit",  # lower-case word after the dash: no place
        "Le chiffre (PC) progresse.",
        "",
    ],
)
def test_not_a_dateline(first: str) -> None:
    assert find_dateline_agencies(first) == []


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Par AFP"], ["AFP"]),
        (["Le Monde avec AFP"], ["AFP"]),
        # the byline's date printed after the credit
        (["L'Éclaireur d'Abidjan avec AFP · 12 mars 2024"], ["AFP"]),
        (["Jeune Afrique avec AFP | Publié le 12/03/2024"], ["AFP"]),
        (["Par Reuters · 21/05/2024 à 18h02"], ["REUTERS"]),
        (["Par APS • 12 mars 2024"], ["APS"]),
        (["Reportage avec AFP photographes"], []),
        (["Rédaction avec Reuters"], ["REUTERS"]),
        (["Mamadou Diallo et Awa Traoré, avec AFP"], ["AFP"]),
        (["Par Jean Dupont (AFP)"], ["AFP"]),
        (["Jean Dupont / Reuters", "Par AFP"], ["REUTERS", "AFP"]),
        (["Par AP"], ["AP"]),
        (["Par Jean Dupont"], []),
        (["Par Jean Map"], []),
        (["Photo : AFP"], []),
        (["https://www.afp.com/fr"], []),
        (["Par AFP", "AFP"], ["AFP"]),  # one mention per agency
        # Belgian bylines: the signature, then the agency in brackets
        (["Rédaction en ligne (avec Belga)"], ["BELGA"]),
        (["C.J. (avec Belga)"], ["BELGA"]),
        (["Par Marc Lenoir (avec l'AFP)"], ["AFP"]),
        (["Marc Lenoir (source : Reuters)"], ["REUTERS"]),
        (["AFP/Belga"], ["AFP", "BELGA"]),
        (["Le Soir avec agences"], []),  # no agency named
    ],
)
def test_agencies_in_byline(texts: list[str], expected: list[str]) -> None:
    mentions = agencies_in_byline(texts)
    assert codes(mentions) == expected
    assert all(m.where == "byline" for m in mentions)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["AFP"], ["AFP"]),
        (["Agence France-Presse"], ["AFP"]),
        (["Jean Dupont", "Reuters"], ["REUTERS"]),
        (["Jean Dupont"], []),
        (["https://www.facebook.com/afp"], []),
    ],
)
def test_agencies_in_meta(values: list[str], expected: list[str]) -> None:
    mentions = agencies_in_meta(values)
    assert codes(mentions) == expected
    assert all(m.where == "meta" for m in mentions)


@pytest.mark.parametrize(
    ("text", "explicit", "expected"),
    [
        ("C.J. (avec Belga)", True, ["Belga"]),
        ("Rédaction en ligne (avec Belga)", True, ["Belga"]),
        ("Le Soir avec AFP", True, ["Agence France-Presse"]),
        ("Belga", False, ["Belga"]),
        # under a headline a bare agency name is as often a photo credit
        ("Belga", True, []),
        ("Photo : Belga", False, []),
        ("Jean Dupont", False, []),
    ],
)
def test_credited_agencies(text: str, explicit: bool, expected: list[str]) -> None:
    assert credited_agencies(text, explicit=explicit) == expected


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("C.J. (avec Belga)", "C.J."),
        ("Marc Lenoir (avec AFP)", "Marc Lenoir"),
        ("Avec AFP", None),
        ("(Belga)", None),
        ("Le vote aura lieu mardi (avec AFP).", None),
    ],
)
def test_trailer_signature(credit: str, expected: str | None) -> None:
    assert trailer_signature(credit) == expected
