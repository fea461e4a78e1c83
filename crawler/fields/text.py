"""Text cleaning shared by every field: mojibake repair, invisible characters, spaces.

French typography (« », ’, …, –, non-breaking spaces) is meaningful to readers, so only the
*spaces* are normalised (to plain spaces); every printable character is kept as written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import ftfy

# ftfy is slow-ish and only useful on mojibake: a UTF-8 lead byte decoded as Latin-1/cp1252
# ("Ã", "Â", "â", "Å", ...) followed by a continuation byte decoded the same way.
_MOJIBAKE_MARKER = re.compile(
    "[\u00c2-\u00c5\u00ce\u00cf\u00d0\u00d8\u00d9\u00e2]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)

# Only the encoding repair: keep curly quotes, HTML entities, ligatures and full-width forms
# exactly as the outlet wrote them, and never replace a sequence with U+FFFD.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

_LINE_BREAKS = re.compile("\r\n|[\r\u0085\u2028\u2029\u000b\u000c]")
# C0 (except \t and \n), DEL, C1, and invisible format characters (zero-width space, BOM,
# soft hyphen, word joiner, bidi marks): they carry nothing a reader sees.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u00ad\u200b\u200e\u200f\u2060\ufeff"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNICODE_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUN = re.compile(" {2,}")
_SPACES_AROUND_NEWLINE = re.compile(" *\n *")
_EXTRA_BLANK_LINES = re.compile("\n{3,}")
_WORD = re.compile(r"\w")


_NOT_ALNUM = re.compile(r"[\W_]+")


def strip_accents(text: str) -> str:
    """The text with its accents (every combining mark NFKD splits off) removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def loose_key(text: str) -> str:
    r"""Case-, accent-, quote- and punctuation-blind key: "L’été" and "L'ete" compare equal.

    Every combining mark is \W, so dropping [\W_] after NFKD drops the accents too (no loop
    over characters), and the key of a concatenation is the concatenation of the keys.
    """
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKD", text.casefold()))


def _repair_mojibake(text: str) -> str:
    """Run ftfy only when a mojibake marker is present, and never let it add U+FFFD."""
    if not _MOJIBAKE_MARKER.search(text):
        return text
    try:
        fixed = ftfy.fix_text(text, _FTFY_CONFIG)
    except Exception:  # ftfy on hostile input must not break a crawl
        return text
    if fixed.count("\ufffd") > text.count("\ufffd"):
        return text
    return fixed


def _clean_once(text: str) -> str:
    text = _repair_mojibake(text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _UNICODE_SPACES.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACE_RUN.sub(" ", text)
    text = _SPACES_AROUND_NEWLINE.sub("\n", text)
    text = _EXTRA_BLANK_LINES.sub("\n\n", text)
    return text.strip(" \n")


def clean_text(text: str) -> str:
    """Repair mojibake, drop control characters, normalise spaces; keep paragraphs and typography.

    Repeated until stable (at most a few passes) so the function is idempotent even when one
    repair uncovers another.
    """
    if not text:
        return ""
    for _ in range(4):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    """clean_text on each paragraph; empty ones are dropped."""
    cleaned = (clean_text(p) for p in paragraphs)
    return [p for p in cleaned if p]


# Chinese characters and Japanese kana: scripts written without spaces between words.
_UNSPACED_CHAR = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def word_count(text: str) -> int:
    """Whitespace-separated tokens holding at least one letter or digit ("«" alone is no word).

    In Chinese and Japanese, which put no space between words, each character counts as one
    (as word processors count them): a 600-character dispatch is not "12 words".
    """
    unspaced = len(_UNSPACED_CHAR.findall(text))
    if unspaced:
        text = _UNSPACED_CHAR.sub(" ", text)
    # token by token: one regex over the text ("[^\s\w]*\w\S*") rescanned a long run of
    # punctuation from each of its characters
    return unspaced + sum(1 for token in text.split() if _WORD.search(token))


_NON_WORD = re.compile(r"\W+")


def content_hash(title: str | None, body: str) -> str:
    """sha256 of title and body, casefolded, with punctuation and spacing ignored.

    Two URLs of one site serving the same text (print view, tracking variants that escaped the
    URL rules) get one hash, so storage folds them into one article.
    """
    text = unicodedata.normalize("NFC", f"{title or ''}\n{body}").casefold()
    return hashlib.sha256(_NON_WORD.sub(" ", text).strip().encode("utf-8")).hexdigest()
