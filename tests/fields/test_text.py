"""clean_text: mojibake repaired, invisible characters dropped, French typography kept."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.fields.text import clean_paragraphs, clean_text, word_count


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # mojibake (UTF-8 read as cp1252 / Latin-1)
        ("L\u00c3\u00a9t\u00c3\u00a9 dernier", "L\u00e9t\u00e9 dernier"),
        (
            "Le pr\u00c3\u00a9sident a d\u00c3\u00a9clar\u00c3\u00a9",
            "Le pr\u00e9sident a d\u00e9clar\u00e9",
        ),
        ("l\u00e2\u20ac\u2122Etat", "l\u2019Etat"),
        ("\u00c2\u00ab Bonjour \u00c2\u00bb", "\u00ab Bonjour \u00bb"),
        # mixed: mojibake next to correct text, and the capitals/ligatures
        (
            "Le pr\u00c3\u00a9sident et l\u2019\u00e9t\u00e9",
            "Le pr\u00e9sident et l\u2019\u00e9t\u00e9",
        ),
        (
            "\u00c3\u20ac Paris, \u00c3\u2030tat, \u00c5\u201cuvre",
            "\u00c0 Paris, \u00c9tat, \u0153uvre",
        ),
        # correct French text is never "fixed"
        (
            "L\u2019\u00e9t\u00e9 \u00ab vraiment \u00bb chaud\u2026 \u2013 \u00c7a va",
            "L\u2019\u00e9t\u00e9 \u00ab vraiment \u00bb chaud\u2026 \u2013 \u00c7a va",
        ),
        (
            "\u00c2ge et \u00e2me, p\u00e2te \u00e0 cr\u00eape",
            "\u00c2ge et \u00e2me, p\u00e2te \u00e0 cr\u00eape",
        ),
        ("na\u00efve No\u00ebl \u0153uvre", "na\u00efve No\u00ebl \u0153uvre"),
        # spaces: NBSP, narrow NBSP, thin space, tabs, runs
        ("Tempête\u00a0: des\u202frecords\u2009?", "Tempête : des records ?"),
        ("a\t\tb   c", "a b c"),
        ("  bord  ", "bord"),
        # control characters and invisible format characters
        ("a\x00b\x07c\x1bd", "abcd"),
        ("caf\u00e9\x85\x9f", "caf\u00e9"),
        ("z\u00e9ro\u200blargeur\ufeff", "z\u00e9rolargeur"),
        # paragraphs kept, surrounding spaces and excess blank lines removed
        ("Un.  \n  Deux.", "Un.\nDeux."),
        ("Un.\r\nDeux.\rTrois.", "Un.\nDeux.\nTrois."),
        ("Un.\n\n\n\nDeux.", "Un.\n\nDeux."),
        # NFC: e + combining acute becomes é
        ("cafe\u0301", "caf\u00e9"),
        # U+FFFD already there stays, none added
        ("abc\ufffd", "abc\ufffd"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_paragraphs_drops_empty_ones() -> None:
    assert clean_paragraphs(["  Un\u00a0texte ", "\u00a0\t", "", "Deux"]) == ["Un texte", "Deux"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le secrétaire général de l'Otan", 5),
        ("« Bonjour » dit-il", 2),
        ("Plus de 600.000 soldats – selon Kiev", 6),
        ("", 0),
        ("   \n  ", 0),
        ("un\ndeux\n\ntrois", 3),
        # Chinese and Japanese: one word per character (no spaces between words)
        ("新华社北京电", 6),
        ("東京で会議", 5),
        ("2024年の予算 AFP", 6),
    ],
)
def test_word_count(text: str, expected: int) -> None:
    assert word_count(text) == expected


def test_clean_text_is_fast_on_an_article_without_mojibake() -> None:
    article = ("Le président a déclaré « qu’il n’en était rien ».\u00a0" * 400)[:20_000]
    start = time.perf_counter()
    for _ in range(10):
        clean_text(article)
    assert (time.perf_counter() - start) / 10 < 0.02


def test_clean_text_is_fast_on_an_article_with_mojibake() -> None:
    article = ("Le pr\u00c3\u00a9sident a d\u00c3\u00a9clar\u00c3\u00a9. " * 600)[:20_000]
    start = time.perf_counter()
    cleaned = clean_text(article)
    assert time.perf_counter() - start < 0.5
    assert "\u00c3" not in cleaned


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_text_properties(text: str) -> None:
    cleaned = clean_text(text)
    assert "\x00" not in cleaned
    assert cleaned.count("\ufffd") <= text.count("\ufffd")
    assert clean_text(cleaned) == cleaned


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="éèàçôœ«»’… \u00a0\u00c3\u00a9\u00c2\u00e2\u20ac\u2122\n\tabcXYZ\x00\x85"))
def test_clean_text_properties_on_french_and_mojibake_alphabet(text: str) -> None:
    cleaned = clean_text(text)
    assert "\x00" not in cleaned
    assert "\ufffd" not in cleaned
    assert clean_text(cleaned) == cleaned
