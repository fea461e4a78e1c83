"""Wire-agency attribution: which agencies (AFP, Reuters, APS...) a page credits, and where.

Agencies are only recognised in credit positions (a trailing credit line, a dateline, a
byline, a meta author), never in running text: "l'AFP a appris" or "la MAP" inside a body
paragraph says nothing about who wrote the dispatch. Photo credits ("Photo : AFP",
"© AFP/Ludovic Marin") are not attributions either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.items import AgencyMention


@dataclass(frozen=True)
class AgencyInfo:
    """One agency: display name, the spellings that name it, and whether its code is ambiguous.

    `aliases` are regex fragments. An ambiguous agency (a code that is also ordinary letters
    or a word: AP, PC, AA) matches only in upper case and never as a dash-glued trailer.
    """

    name: str
    aliases: tuple[str, ...]
    ambiguous_aliases: tuple[str, ...] = ()


AGENCIES: dict[str, AgencyInfo] = {
    "AFP": AgencyInfo("Agence France-Presse", ("AFP", r"Agence\s+France[\s-]*Presse")),
    "REUTERS": AgencyInfo("Reuters", (r"(?:Thomson\s+)?Reuters",)),
    "AP": AgencyInfo("Associated Press", (r"(?:The\s+)?Associated\s+Press",), ("AP",)),
    # APS is also the code of the Agence de presse sénégalaise (same letters, same credit)
    "APS": AgencyInfo(
        "Algérie Presse Service",
        ("APS", r"Alg[ée]rie\s+Presse\s+Service", r"Agence\s+de\s+presse\s+s[ée]n[ée]galaise"),
    ),
    "MAP": AgencyInfo("Maghreb Arabe Presse", ("MAP", r"Maghreb\s+Arabe\s+Presse")),
    "TAP": AgencyInfo("Tunis Afrique Presse", ("TAP", r"Tunis\s+Afrique\s+Presse")),
    "APA": AgencyInfo(
        "Agence de presse africaine", ("APA", r"APA\s*News", r"Agence\s+de\s+presse\s+africaine")
    ),
    "AIP": AgencyInfo("Agence ivoirienne de presse", ("AIP", r"Agence\s+ivoirienne\s+de\s+presse")),
    "ANP": AgencyInfo(
        "Agence nigérienne de presse", ("ANP", r"Agence\s+nig[ée]rienne\s+de\s+presse")
    ),
    "BELGA": AgencyInfo("Belga", ("Belga",)),
    "ATS": AgencyInfo(
        "Keystone-ATS",
        (r"Keystone[\s-]*ATS", "ATS", r"Agence\s+t[ée]l[ée]graphique\s+suisse"),
    ),
    "PC": AgencyInfo("La Presse Canadienne", (r"(?:La\s+)?Presse\s+Canadienne",), ("PC",)),
    "XINHUA": AgencyInfo("Xinhua", ("Xinhua", r"Chine\s+Nouvelle")),
    "ANADOLU": AgencyInfo("Anadolu", (r"(?:Agence\s+)?Anadolu(?:\s+Ajansi)?",), ("AA",)),
    "SPUTNIK": AgencyInfo("Sputnik", ("Sputnik",)),
    "DPA": AgencyInfo("Deutsche Presse-Agentur", ("DPA", r"Deutsche\s+Presse[\s-]*Agentur")),
    "EFE": AgencyInfo("EFE", ("EFE", r"Agencia\s+EFE")),
    "ANSA": AgencyInfo("ANSA", ("ANSA",)),
    "KYODO": AgencyInfo("Kyodo", (r"Kyodo(?:\s+News)?",)),
    "AGP": AgencyInfo(
        "Agence guinéenne de presse", ("AGP", r"Agence\s+guin[ée]enne\s+de\s+presse")
    ),
    "APR": AgencyInfo(
        "Agence rwandaise d'information",
        ("APR", r"Agence\s+rwandaise\s+(?:d['’]information|de\s+presse)"),
    ),
    "ACP": AgencyInfo("Agence congolaise de presse", ("ACP", r"Agence\s+congolaise\s+de\s+presse")),
    "AIB": AgencyInfo(
        "Agence d'information du Burkina", ("AIB", r"Agence\s+d['’]information\s+du\s+Burkina")
    ),
    "ATOP": AgencyInfo("Agence togolaise de presse", ("ATOP", r"Agence\s+togolaise\s+de\s+presse")),
    "ABP": AgencyInfo("Agence Bénin Presse", ("ABP", r"Agence\s+B[ée]nin\s+Presse")),
    "AMI": AgencyInfo(
        "Agence mauritanienne d'information",
        (r"Agence\s+mauritanienne\s+d['’]information",),
        ("AMI",),
    ),
    "TASS": AgencyInfo("TASS", ("TASS",)),
    "BLOOMBERG": AgencyInfo("Bloomberg", ("Bloomberg",)),
}


def _alias_fragment(alias: str, ambiguous: bool) -> str:
    # plain aliases match in any case ("(ats)", "Avec afp"); ambiguous codes only as written
    return alias if ambiguous else f"(?i:{alias})"


def _build_alternation() -> str:
    pieces = [(alias, False) for info in AGENCIES.values() for alias in info.aliases] + [
        (alias, True) for info in AGENCIES.values() for alias in info.ambiguous_aliases
    ]
    # longest first so "Agence France-Presse" wins over a shorter spelling at the same spot
    pieces.sort(key=lambda piece: len(piece[0]), reverse=True)
    body = "|".join(_alias_fragment(alias, ambiguous) for alias, ambiguous in pieces)
    return rf"(?<![\w@])(?:{body})(?![\w@])"


_AGENCY = _build_alternation()
_AGENCY_RE = re.compile(_AGENCY)
_LIST_JOIN = r"\s*(?:/|,|&|\+|\bet\b|\band\b|\bavec\b|-|–)\s*"
_AGENCY_LIST = rf"{_AGENCY}(?:{_LIST_JOIN}{_AGENCY})*"

_CODE_BY_ALIAS: list[tuple[re.Pattern[str], str, bool]] = [
    (re.compile(_alias_fragment(alias, False)), code, False)
    for code, info in AGENCIES.items()
    for alias in info.aliases
] + [
    (re.compile(alias), code, True)
    for code, info in AGENCIES.items()
    for alias in info.ambiguous_aliases
]

_WS = re.compile(r"[\s\u00a0\u202f]+")
_PHOTO_CREDIT = re.compile(
    r"(?i)\b(?:photos?|cr[ée]dits?|illustrations?|images?|vid[ée]os?|infographie|"
    r"getty|sipa|maxppp|hans\s+lucas|abaca|shutterstock|istock)\b"
)
# "(Traduction : ...)", "(Rédigé par ...)" after "Reuters": part of the credit, not the body
_CREDIT_SUFFIX = re.compile(
    r"(?i)\s*[(\[]\s*(?:traduction|traduit|version\s+fran[çc]aise|adaptation|[ée]dit[ée]|"
    r"r[ée]dig[ée]|reportage|avec\s+la\s+contribution)\b[^)\]]*[)\]]\s*\.?\s*$"
)
# words that may surround agency names in a pure credit line
_CREDIT_FILLER = re.compile(
    r"(?i)(?<!\w)(?:avec|with|sources?|par|by|selon|d['’]apr[èe]s|(?:la\s+)?r[ée]daction|l|la|"
    r"et|and|copyright|tous\s+droits\s+r[ée]serv[ée]s|all\s+rights\s+reserved|"
    r"agences?|d[ée]p[êe]ches?|(?:19|20)\d\d)(?!\w)"
)
_CREDIT_PUNCT = re.compile(r"[\s()\[\]:,;/&+.©—–\-|*•'’\"«»]+")
# "Jeune Afrique avec AFP", "Par La rédaction de Jeune Afrique avec Reuters"
_DESK_WITH_AGENCY = re.compile(
    rf"^(?:(?i:par)\s+)?[A-ZÀ-Ý][^\s.!?;:]*(?:\s+[^\s.!?;:]+){{0,5}}\s+(?i:avec|with)\s+"
    rf"(?P<agencies>{_AGENCY_LIST})\s*\.?$"
)
_GLUED_PARENS = re.compile(
    rf"\s*[(\[]\s*(?:(?i:avec|source\s*:?)\s+)?(?i:l['’]\s*|la\s+)?"
    rf"(?P<agencies>{_AGENCY_LIST})\s*[)\]]\s*\.?\s*$"
)
_GLUED_DASH = re.compile(rf"\s+[-–—]\s*(?P<agencies>{_AGENCY_LIST})\s*\.?\s*$")
# "... a-t-il ajouté. AFP": a bare credit after the last sentence's closing punctuation
_GLUED_BARE = re.compile(rf"(?<=[.!?…»\"”])\s+(?P<agencies>{_AGENCY_LIST})\s*\.?\s*$")
# trailing lines that are neither body nor agency credit: a credit line may sit above them
_STEP_OVER = re.compile(
    r"(?i)^(?:©|\(c\)|copyright\b)|tous\s+droits\s+r[ée]serv[ée]s|all\s+rights\s+reserved|"
    r"^(?:[àa]\s+)?(?:lire|voir)\s+(?:aussi|[ée]galement)\b|^sur\s+le\s+m[êe]me\s+sujet\b"
)
_DATELINE = re.compile(
    rf"""^\s*
    (?P<place>[A-ZÀ-Ý][\w'’.-]*(?:\s+[\w'’.-]+){{0,4}}?)?   # PARIS / Saint-Denis de la Réunion
    (?:\s*,\s*[^(),\n]{{1,30}}?)?                            # , 3 mars / , le 12 nov. 2024
    \s*(?P<dash_before>[-–—]\s*)?
    [(\[]\s*(?:(?i:avec)\s+)?(?P<agencies>{_AGENCY_LIST})\s*[)\]]
    (?P<after>\s*\.?\s*[-–—:]|\s*$)?                      # " -", " :", ".-" (ACP)
    """,
    re.VERBOSE,
)
# "X avec AFP" ends the signature, or is followed by the byline's date ("… avec AFP · 12 mars")
# APA's own form: the agency glued to the city, the country in brackets: "APA-Dakar (Sénégal) -"
_AGENCY_FIRST_DATELINE = re.compile(
    rf"""^\s*(?P<agencies>{_AGENCY_LIST})\s*[-–]\s*
    (?P<place>[A-ZÀ-Ý][\w'’.-]*(?:\s+[\w'’.-]+){{0,3}}?)
    (?:\s*[(\[][^()\[\]\n]{{1,30}}[)\]])?\s*[-–—]\s+(?=[A-ZÀ-Ý«"“])""",  # then a sentence
    re.VERBOSE,
)
_BYLINE_AVEC = re.compile(
    rf"(?i:avec|with|&|\+)\s+(?P<agencies>{_AGENCY_LIST})\s*(?:\.?\s*$|[·•|–—]\s)"
)
# "(AFP)", and the credit a Belgian byline prints after the signature: "C.J. (avec Belga)"
_BYLINE_PARENS = re.compile(
    rf"[(\[]\s*(?:(?i:avec|with|source\s*:?)\s+)?(?i:l['’]\s*|la\s+)?"
    rf"(?P<agencies>{_AGENCY_LIST})\s*[)\]]"
)
# a signature printed before the credit in a trailer line: initials ("C.J.", "J.-M.D."),
# or a short capitalised name ("Jean Dupont (avec Belga)"); never a sentence
_SIGNATURE = re.compile(
    r"^(?:(?:[A-ZÀ-Ý][a-zà-ÿ]?\.[\s-]*){1,4}|"
    r"[A-ZÀ-Ý][\w'’.-]*(?:\s+(?:[A-ZÀ-Ý]|d[eu]\s|van\s|von\s|l['’])[\w'’.-]*){1,3})$"
)
# unnamed agencies credited at the end of a text ("Avec agences", "(avec agences)"): a
# credit line that names no agency we could record
_UNNAMED_AGENCIES = re.compile(
    r"(?i)^\s*[(\[]?\s*(?:avec|with|sources?\s*:?|d['’]apr[èe]s)\s+(?:les\s+)?"
    r"(?:agences?|agencies|d[ée]p[êe]ches?)\s*[)\]]?\s*\.?\s*$"
)
# "|", "·" and "•" also part a signature from its date: "Par Reuters · 21/05/2024 à 18h02"
_BYLINE_SPLIT = re.compile(r"\s*(?:[,;/|·•]|\s[-–—]\s|\bet\b|\band\b)\s*")
_BYLINE_PREFIX = re.compile(r"(?i)^(?:par|by|source\s*:?)\s+")
_URL = re.compile(r"(?i)^(?:https?://|www\.)")
_TRAILER_WINDOW = 4
_PLACE_PARTICLES = {"de", "du", "des", "la", "le", "les", "l'", "d'", "sur", "en", "au", "aux"}


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _lookup(text: str) -> tuple[str, bool] | None:
    candidate = _clean(text)
    for pattern, code, ambiguous in _CODE_BY_ALIAS:
        if pattern.fullmatch(candidate):
            return code, ambiguous
    return None


def agency_code(text: str) -> str | None:
    """The code of an agency if `text` is exactly one of its spellings ("Agence France Presse")."""
    found = _lookup(text)
    return found[0] if found else None


def _codes_in(text: str) -> list[str]:
    codes: list[str] = []
    for match in _AGENCY_RE.finditer(text):
        code = agency_code(match.group(0))
        if code and code not in codes:
            codes.append(code)
    return codes


def _has_ambiguous(text: str) -> bool:
    return any((_lookup(match.group(0)) or ("", False))[1] for match in _AGENCY_RE.finditer(text))


def _pure_credit_codes(line: str) -> list[str]:
    """Codes when the whole line is an agency credit ("Avec AFP et Reuters", "© AFP"), else []."""
    text = _CREDIT_SUFFIX.sub("", _clean(line))
    if not text or len(text) > 120 or _PHOTO_CREDIT.search(text):
        return []
    desk_with = _DESK_WITH_AGENCY.match(text)
    if desk_with:
        return _codes_in(desk_with.group("agencies"))
    if not _AGENCY_RE.search(text):
        return []
    rest = _CREDIT_PUNCT.sub(" ", _CREDIT_FILLER.sub(" ", _AGENCY_RE.sub(" ", text)))
    return [] if rest.strip() else _codes_in(text)


def _mentions(codes: list[str], where: str, raw: str) -> list[AgencyMention]:
    return [AgencyMention(code=code, where=where, raw=raw) for code in codes]


def _split_glued(paragraph: str) -> tuple[str, str, list[str]] | None:
    """(text kept, credit removed, codes) for "... a-t-il dit. (AFP)" / "... - Reuters"."""
    text = paragraph.rstrip()
    for pattern in (_GLUED_PARENS, _GLUED_DASH, _GLUED_BARE):
        match = pattern.search(text)
        if not match or not text[: match.start()].strip():
            continue
        credit = match.group(0).strip()
        if pattern is not _GLUED_PARENS and _has_ambiguous(credit):
            continue  # "... - AP" or ". AP" could be anything: only "(AP)" counts
        kept = text[: match.start()].rstrip()
        if credit.endswith(".") and not kept.endswith((".", "!", "?", "…", "»", '"')):
            kept += "."  # "... mardi (avec AFP)." keeps its full stop
        return kept, credit.rstrip(" ."), _codes_in(match.group("agencies"))
    return None


def split_agency_trailer(paragraphs: list[str]) -> tuple[list[str], list[AgencyMention]]:
    """Drop trailing agency credit lines (and a credit glued to the last sentence); keep the rest.

    Looks at a small window of non-empty paragraphs at the end: whole-line credits are
    removed, copyright and photo-credit lines are stepped over (left in place), and the first
    real body paragraph met may carry a glued "(AFP)" / "- Reuters" which is cut off.
    """
    kept = list(paragraphs)
    found: list[list[AgencyMention]] = []
    seen_non_empty = 0
    index = len(kept) - 1
    while index >= 0 and seen_non_empty < _TRAILER_WINDOW:
        line = kept[index]
        if not line.strip():
            index -= 1
            continue
        seen_non_empty += 1
        codes = _pure_credit_codes(line)
        if codes:
            found.append(_mentions(codes, "trailer", _clean(line)))
            del kept[index]
        elif _UNNAMED_AGENCIES.match(line):
            del kept[index]  # "Avec agences": a credit line, but no agency we could name
        elif _STEP_OVER.search(line) or (_PHOTO_CREDIT.search(line) and len(line) < 80):
            pass  # not ours to drop, but a credit line may sit above it
        else:
            glued = _split_glued(line)
            if glued and _SIGNATURE.match(glued[0].strip()):
                # "C.J. (avec Belga)": the author's signature and the credit, not body text
                del kept[index]
                found.append(_mentions(glued[2], "trailer", _clean(line)))
            elif glued:
                kept[index] = glued[0]
                found.append(_mentions(glued[2], "trailer", glued[1]))
            break
        index -= 1
    mentions = [mention for group in reversed(found) for mention in group]
    return kept, _dedupe(mentions)


def find_dateline_agencies(first_paragraph: str) -> list[AgencyMention]:
    """Agencies credited in an opening dateline: "PARIS (AFP) - ...", "Dakar, 12 nov (APS) –"."""
    text = _clean(first_paragraph)
    match = _DATELINE.match(text)
    if not match:
        glued = _AGENCY_FIRST_DATELINE.match(text)
        if glued and _is_place(glued.group("place")):
            codes = _codes_in(glued.group("agencies"))
            return _mentions(codes, "dateline", glued.group(0).strip())
        return []
    place = match.group("place") or ""
    # "Paris (AFP) le président" is too loose to be a dateline; an upper-case place makes
    # one, dash or not: "BRUXELLES (Belga) Le gouvernement…"
    undashed = match.group("dash_before") is None and match.group("after") is None
    if undashed and not (len(place) >= 3 and place.isupper()):
        return []
    if not _is_place(place):
        return []  # "Le ministre a dit (AFP) -": a place name is capitalised word by word
    return _mentions(_codes_in(match.group("agencies")), "dateline", match.group(0).strip())


def _is_place(place: str) -> bool:
    return len(place) <= 40 and all(
        word[0].isupper() or word.lower() in _PLACE_PARTICLES for word in place.split()
    )


def _credit_codes(text: str) -> list[str]:
    """Agencies named by a byline-like string: whole credit, "X avec AFP", "(AFP)", "X / AFP"."""
    text = _clean(text)
    if not text or len(text) > 150 or _URL.match(text) or _PHOTO_CREDIT.search(text):
        return []
    codes = _pure_credit_codes(text)
    if codes:
        return codes
    for pattern in (_BYLINE_AVEC, _BYLINE_PARENS):
        match = pattern.search(text)
        if match:
            return _codes_in(match.group("agencies"))
    for piece in _BYLINE_SPLIT.split(text):
        code = agency_code(_BYLINE_PREFIX.sub("", piece.strip(" .")))
        if code and code not in codes:
            codes.append(code)
    return codes


def _dedupe(mentions: list[AgencyMention]) -> list[AgencyMention]:
    seen: set[str] = set()
    unique = []
    for mention in mentions:
        if mention.code not in seen:
            seen.add(mention.code)
            unique.append(mention)
    return unique


def agencies_in_byline(texts: list[str]) -> list[AgencyMention]:
    """Agencies in byline strings: "Par AFP", "Le Monde avec AFP", "Rédaction avec Reuters"."""
    return _dedupe([m for t in texts for m in _mentions(_credit_codes(t), "byline", _clean(t))])


def agencies_in_meta(values: list[str]) -> list[AgencyMention]:
    """Agencies in meta author / JSON-LD author values ("AFP", "Agence France-Presse")."""
    return _dedupe([m for v in values for m in _mentions(_credit_codes(v), "meta", _clean(v))])


_WITH_WORD = re.compile(r"(?i)(?<!\w)(?:avec|with|source\s*:?)\s")


def credited_agencies(text: str, *, explicit: bool = False) -> list[str]:
    """Display names of the agencies a byline-like string credits ("X (avec Belga)" → Belga).

    With `explicit`, only a credit that says so ("avec", "with", "source") counts: a bare
    "Belga" under a headline is as often a photo credit as a byline.
    """
    if explicit and not _WITH_WORD.search(text):
        return []
    return [AGENCIES[code].name for code in _credit_codes(text)]


def trailer_signature(credit: str) -> str | None:
    """The author's signature in an end credit ("C.J. (avec Belga)" → "C.J."), if it has one."""
    glued = _split_glued(_clean(credit))
    if glued and _SIGNATURE.match(glued[0].strip()):
        return glued[0].strip()
    return None
