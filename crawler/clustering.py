"""Near-duplicate detection for wire stories: word shingles, MinHash signatures, LSH band keys.

One AFP/Reuters/APS dispatch is republished by many outlets with a new headline, a trimmed or
dropped paragraph, an added intro sentence, another dateline, other typography and "Lire
aussi" links. Those copies must share a story cluster; two *different* dispatches on the same
topic and day (same names, a few common phrases) must not.

How storage uses this module, for each new article whose body is not `too_short`:
`signature(body)` → `band_keys(sig)` → articles sharing any key (indexed table) → `similarity`
with their stored signatures (`pack_signature`, 4 bytes a value) → join the best one at or
above CLUSTER_THRESHOLD.

Choices, and why:
- Accents are *folded* ("À Dakar" / "A Dakar", "ÉTAT" / "ETAT"): outlets differ on accented
  capitals and some feeds lose accents, while an accent almost never tells two dispatches apart
  inside a five-word window.
- Typography is unified (’ ' ʼ, « » " “ ”, NBSP and thin spaces, œ/oe, "1 200"/"1200",
  "2,5"/"2.5", "%"/"pour cent"); numbers are kept, they are what tells two bulletins apart.
- Datelines ("DAKAR, 3 mars (AFP) -"), agency credit lines ("© AFP", "Avec Reuters"), "Lire
  aussi" lines and paragraphs of under SHORT_LINE_TOKENS words (subheads, credits) are dropped:
  they differ between copies of one dispatch and are shared by unrelated ones.
- Shingles are 5-word windows. On the fixtures below, windows of 3 to 8 words all separate
  copies from near misses; 2-word windows let French function-word glue and shared names count
  (near misses up to 0.17 exact Jaccard, unrelated stories 0.04), and each word added to the
  window costs copies about 0.01 (worst pair of copies: 0.62 at 2 words, 0.56 at 8). 5 sits in
  between, and one changed word then touches at most 5 shingles.
- Paragraphs are the unit for the drops above, so a body with one paragraph a line or with
  blank lines between paragraphs gives the same words.
- The hash is our own (crc32 of the shingle, then multiply-add-shift permutations whose
  constants come from blake2b of their index), not a library default or numpy's RNG: stored
  signatures must stay comparable across processes, machines and library upgrades. Changing
  SHINGLE_WORDS, NUM_PERM, the normalisation or the hashing means recomputing every stored
  signature (tests/test_clustering.py pins one signature so that this cannot go unnoticed).

Why this threshold. tests/fixtures/wire/ holds five dispatches written for the tests (summit,
election, flood, inflation figure, strike), each with the copies other outlets publish and two
near misses. J = exact Jaccard of the shingle sets, est = MinHash estimate (128 permutations);
tests/test_clustering.py recomputes this table and fails if it goes stale:

    pair (5 stories each)                     J min  J max  est min  est max
    original vs new headline in body          0.96   0.98   0.97   0.98
    original vs "Selon l'AFP" intro added     0.94   0.95   0.92   0.97
    original vs other dateline                1.00   1.00   1.00   1.00
    original vs typography changed            1.00   1.00   1.00   1.00
    original vs "Lire aussi" lines            1.00   1.00   1.00   1.00
    original vs last paragraph trimmed        0.86   0.94   0.85   0.95
    original vs 20 % of paragraphs dropped    0.72   0.77   0.66   0.77
    original vs all edits at once             0.66   0.74   0.62   0.76
    any two copies of one dispatch            0.58   1.00   0.58   1.00
    --- must not merge (vs the original and every copy) ---
    same topic, same day, other dispatch      0.01   0.05   0.01   0.03
    follow-up next day quoting 2 sentences    0.06   0.12   0.04   0.17
    two different stories                     0.00   0.01   0.00   0.01

Copies score 0.62 or more against the original and 0.58 or more against each other (two copies
cut in different places); other dispatches stay under 0.20 because they share sentences, not
paragraphs (a background paragraph that AFP reuses across the day's dispatches adds about
0.06 for each paragraph shared). CLUSTER_THRESHOLD = 0.5 sits in that gap, nearer the copies:
a follow-up would have to repeat half of its text to join, while a copy may lose a quarter of
the dispatch and add its own lines and still join. The price: a copy keeping less than half of
the dispatch (its J is about the share kept) gets its own cluster. The estimate's
standard deviation is sqrt(J(1-J)/128) <= 0.044, so the worst copy is 2.7 deviations above 0.5
and the worst near miss 7 below. LSH with 32 bands of 4 rows makes a pair at J a candidate
with probability 1-(1-J^4)^32: 0.87 at 0.5, 0.99 at 0.6, 0.9998 at 0.7, and only 0.003 at 0.1,
so lookups stay cheap; a new copy is compared with every stored copy sharing a key, so missing
the original alone rarely leaves it out of the cluster.

Speed: signature() of a 1,000-word article (1,033 shingles) took 1.7 ms at best and about 2 ms
at the 10th percentile on one core of a 2-core machine that other jobs kept busy (load 7); about
half is normalisation (C-level regex and str calls, one fold pass for the whole text), the rest
shingle joins, crc32 and one vectorised numpy 1,033 × 128 multiply-add and min.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib

import numpy as np
import numpy.typing as npt

SHINGLE_WORDS: int = 5
NUM_PERM: int = 128
BANDS: int = 32
ROWS: int = 4
CLUSTER_THRESHOLD: float = 0.5
# below about two wire sentences a text has under 46 shingles: one sentence of difference moves
# J by a third, and two distinct 40-word "urgent" flashes on one event (same names, same set
# phrases) look like copies, so such texts get no cluster rather than a wrong one
MIN_WORDS: int = 50
# paragraphs shorter than this are subheads, credits or link lines, never dispatch text
SHORT_LINE_TOKENS: int = 5

assert BANDS * ROWS == NUM_PERM
assert SHORT_LINE_TOKENS >= SHINGLE_WORDS

_MAX32 = 0xFFFFFFFF
_SEED = b"depeches-minhash-v1"


def _permutation_constants() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """(a, b) of h → (a·h + b mod 2^64) >> 32, a odd: the multiply-add-shift hash family."""
    a_values: list[int] = []
    b_values: list[int] = []
    for index in range(NUM_PERM):
        digest = hashlib.blake2b(index.to_bytes(4, "little"), digest_size=16, key=_SEED).digest()
        a_values.append(int.from_bytes(digest[:8], "little") | 1)
        b_values.append(int.from_bytes(digest[8:], "little"))
    return np.array(a_values, dtype=np.uint64), np.array(b_values, dtype=np.uint64)


_PERM_A, _PERM_B = _permutation_constants()
_EMPTY_SIGNATURE: list[int] = [_MAX32] * NUM_PERM

# --- normalisation -------------------------------------------------------------------------

_EXTRA_FOLDS = {
    "œ": "oe",
    "æ": "ae",
    "ß": "ss",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ı": "i",
    "€": " euros ",
    "٪": " pourcent ",
}


def _fold_table() -> dict[str, str]:
    """Latin letter → the same letter without accent, plus the _EXTRA_FOLDS spellings.

    Looked up only for non-ASCII characters: several times faster than NFKD and a loop over
    every character, or str.translate, on a mostly-ASCII French body.
    """
    table: dict[str, str] = {}
    latin = [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]
    for code in latin:
        bare = "".join(
            c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c)
        ).casefold()
        if bare and bare != chr(code):
            table[chr(code)] = bare
    table.update((chr(code), "") for code in range(0x0300, 0x0370))  # stray combining marks
    table.update(_EXTRA_FOLDS)
    return table


_FOLD = _fold_table()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# "1 200 000", "1.200", "1’000" (Swiss) → one number; a lone "2024 300" is merged too, harmlessly.
# Decimals need no rule: "2,5" and "2.5" both give the tokens "2", "5".
_THOUSANDS = re.compile(r"(\d)[ .'’](?=\d{3}(?!\d))")
_POUR_CENT = re.compile(r"\bpour\s+cent\b")
_TOKEN = re.compile(r"[^\W_]+")
_PARAGRAPHS = re.compile(r"\n+")
# "PARIS (AFP) -", "Dakar, 3 mars 2024 (APS) –", "ABIDJAN (AIP/Reuters) :", "(Reuters) -"
_DATELINE = re.compile(
    r"""^\s*[^\s().!?«»"]{0,40}(?:\s+[^\s().!?«»"]+){0,8}?   # place, date: at most 9 words
    \s*[(\[]\s*[A-ZÀ-Ý][\w&/ .’'-]{0,30}[)\]]                # (AFP), (Agence Ecofin), [APS]
    \s*(?:[-–—:]+|$)\s*""",
    re.VERBOSE,
)
_LIRE_AUSSI = re.compile(
    r"(?i)^[\W_]*(?:(?:[àa]\s+)?(?:lire|voir|relire|[ée]couter|regarder)\s+"
    r"(?:aussi|[ée]galement|encore)|sur\s+le\s+m[êe]me\s+sujet|[àa]\s+lire)\b"
)
_AGENCY_NAME = r"(?:l['’]\s*)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,2}"
_AGENCY_LIST = rf"{_AGENCY_NAME}(?:\s*(?:,|/|&|\bet\b|\band\b)\s*{_AGENCY_NAME})*"
# a whole paragraph that credits the agency: "© AFP", "Avec AFP", "(Avec Reuters)",
# "Source : APS", "Copyright AFP 2024. Tous droits réservés", "Le Monde avec AFP et Reuters"
_CREDIT_LINE = re.compile(
    r"^[\s(\[]*(?:(?i:©|\(c\)|copyright\b|sources?\s*:).*"
    rf"|(?:.{{0,40}}\s)?(?i:avec|with)\s+{_AGENCY_LIST}[\s.)\]]*)$"
)
_CREDIT_MAX_WORDS = 12
# "... a-t-il conclu. (AFP)", "... a-t-il conclu - AFP"
_TRAILER_CHARS = 48
_TRAILING_CREDIT = re.compile(
    r"(?:\s*[(\[]\s*(?:(?i:avec|source\s*:?)\s+)?[A-Z][\w&/ .-]{1,30}[)\]]|\s+[-–—]\s*[A-Z]{2,8}"
    r"(?:\s*/\s*[A-Z]{2,8})*)\s*\.?\s*$"
)


def _fold(text: str) -> str:
    """Casefold, strip accents and unify the characters that copies of one text write apart."""
    # NFKC turns NBSP, narrow NBSP and thin spaces into plain spaces, and "ﬁ" into "fi"
    text = unicodedata.normalize("NFKC", text).casefold().replace("%", " pourcent ")
    text = _NON_ASCII.sub(lambda match: _FOLD.get(match.group(), match.group()), text)
    if "pour cent" in text:
        text = _POUR_CENT.sub("pourcent", text)
    return _THOUSANDS.sub(r"\1", text)


def _dispatch_text(paragraph: str) -> str:
    """The paragraph without dateline and trailing credit, or "" if it is not dispatch text."""
    line = paragraph.strip()
    if not line or _LIRE_AUSSI.match(line):
        return ""
    if _CREDIT_LINE.fullmatch(line) and len(line.split()) <= _CREDIT_MAX_WORDS:
        return ""
    line = _DATELINE.sub("", line, count=1)
    # the credit is in the last few characters: searching only there avoids a slow backtrack
    trailer = _TRAILING_CREDIT.search(line, max(0, len(line) - _TRAILER_CHARS))
    return line[: trailer.start()] if trailer else line


def normalise_for_shingles(text: str) -> list[str]:
    """The words that identify a dispatch: folded, typography-free, without datelines or credits.

    Paragraphs are separated by line breaks (the stored body uses blank lines). Paragraphs of
    fewer than SHORT_LINE_TOKENS words are left out.
    """
    kept = "\n".join(filter(None, map(_dispatch_text, _PARAGRAPHS.split(text))))
    words: list[str] = []
    for line in _fold(kept).split("\n"):  # one fold for the whole text: fewer C calls
        tokens = _TOKEN.findall(line)
        if len(tokens) >= SHORT_LINE_TOKENS:
            words.extend(tokens)
    return words


def _shingles_of(words: list[str]) -> set[str]:
    # zip of shifted views + map(join): the windows are built in C, not in a Python loop
    return set(map(" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)))


def shingles(text: str) -> set[str]:
    """SHINGLE_WORDS-word windows of the normalised text (empty for a text with no paragraph).

    Every kept paragraph has at least SHORT_LINE_TOKENS >= SHINGLE_WORDS words, so any text
    with words has at least one window.
    """
    return _shingles_of(normalise_for_shingles(text))


def too_short(text: str) -> bool:
    """True below MIN_WORDS normalised words: such texts are not clustered at all."""
    return len(normalise_for_shingles(text)) < MIN_WORDS


# --- MinHash and LSH -------------------------------------------------------------------------


def signature(text: str) -> list[int]:
    """NUM_PERM unsigned 32-bit MinHash values of shingles(text); the same in every process.

    A text with no words gets the all-0xFFFFFFFF signature, for which band_keys is empty.
    """
    return _signature_of(shingles(text))


def signature_if_long_enough(text: str) -> list[int] | None:
    """signature(text), or None when too_short(text): the words are normalised once."""
    words = normalise_for_shingles(text)
    if len(words) < MIN_WORDS:
        return None
    return _signature_of(_shingles_of(words))


# Shingles hashed per block: NUM_PERM uint64 values each (1 KiB), so a block is 8 MiB however
# long the article.
_SIGNATURE_BLOCK = 8192


def _signature_of(found: set[str]) -> list[int]:
    if not found:
        return list(_EMPTY_SIGNATURE)
    hashes = np.array(list(map(zlib.crc32, map(str.encode, found))), dtype=np.uint64)
    # uint64 arithmetic wraps mod 2^64, as multiply-add-shift wants; ">> 32" is monotonic, so
    # it is applied to the 128 minima rather than to every value
    minima: np.ndarray | None = None
    for start in range(0, len(hashes), _SIGNATURE_BLOCK):
        permuted = np.multiply.outer(hashes[start : start + _SIGNATURE_BLOCK], _PERM_A)
        permuted += _PERM_B
        block_minima = permuted.min(axis=0)
        minima = block_minima if minima is None else np.minimum(minima, block_minima)
    assert minima is not None
    return [int(value) for value in minima >> np.uint64(32)]


def band_keys(sig: list[int]) -> list[str]:
    """One key per band, "b{band}:{16 hex}": articles sharing a key are candidate duplicates.

    The empty-text signature has no keys, so empty bodies never become candidates of each other.
    """
    _check(sig)
    if sig == _EMPTY_SIGNATURE:
        return []
    keys: list[str] = []
    for band in range(BANDS):
        rows = struct.pack(f"<{ROWS}I", *sig[band * ROWS : (band + 1) * ROWS])
        keys.append(f"b{band}:{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return keys


def similarity(sig_a: list[int], sig_b: list[int]) -> float:
    """Estimated Jaccard similarity: the share of positions where the two signatures agree."""
    _check(sig_a)
    _check(sig_b)
    return sum(1 for x, y in zip(sig_a, sig_b, strict=True) if x == y) / NUM_PERM


def pack_signature(sig: list[int]) -> bytes:
    """NUM_PERM little-endian uint32 (512 bytes): compact and portable across platforms."""
    _check(sig)
    return struct.pack(f"<{NUM_PERM}I", *sig)


def unpack_signature(data: bytes) -> list[int]:
    """Inverse of pack_signature; a blob of another length is refused, not misread."""
    if len(data) != 4 * NUM_PERM:
        raise ValueError(f"signature blob of {len(data)} bytes, expected {4 * NUM_PERM}")
    return list(struct.unpack(f"<{NUM_PERM}I", data))


def _check(sig: list[int]) -> None:
    if len(sig) != NUM_PERM:
        raise ValueError(f"signature of {len(sig)} values, expected {NUM_PERM}")
