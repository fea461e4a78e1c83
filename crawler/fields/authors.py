"""Authors: gather byline candidates from a page, then split them into people and desks.

Sources are tried in order of trust (JSON-LD articles, meta tags, rel/itemprop=author,
byline-like classes, a visible "Par ..." under the headline, a labelled "Auteur" field, and
last the author of a bare JSON-LD WebPage) and the gathering stops at the first source
that names a person, so teaser lists and menus further down the page cannot add strangers.
Desks ("La Rédaction", "Le Monde avec AFP", "AFP") are kept apart from people.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from crawler.fields.agencies import agency_code
from crawler.fields.html import json_ld_articles, json_ld_objects, text_of
from crawler.fields.titles import site_key


@dataclass(frozen=True)
class Authors:
    """People who signed the article; desks (newsroom, outlet, agency) kept apart."""

    people: list[str]
    desks: list[str]


_WS = re.compile(r"[\s\u00a0\u202f\u200b]+")
_URL = re.compile(r"(?i)^(?:https?://|www\.)|^\S+\.(?:html?|php|aspx?)$|/\S*/")
# from a token's start only: the leftmost match starts there anyway, and a search from inside
# a long token with no "@" rescanned the rest of it from each character
_EMAIL = re.compile(r"(?<!\S)\S+@\S+\.\w+")
_DOMAIN = re.compile(
    r"(?i)^[\w-]+(?:\.[\w-]+)*\.(?:fr|com|net|org|info|be|ch|ca|sn|ma|dz|tn|ci|cm|io)$"
)
_MONTHS = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|"
    r"d[ée]cembre|janv|f[ée]vr?|avr|juil|sept?|oct|nov|d[ée]c"
)
_DAYS = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
# where a byline turns into a date or publication line: cut there. Each tail rule starts a
# match only where its run of separators starts (the leftmost match starts there anyway):
# searched from inside a long run, it rescanned the rest of the run from each character.
_DATE_TAIL = re.compile(
    rf"(?i)(?<![\s,|•·–—-])[\s,|•·–—-]*(?:\b(?:publi[ée]e?s?|mis\s+[àa]\s+jour|mise\s+[àa]\s+jour|modifi[ée]e?|"
    rf"actualis[ée]e?|updated|posted|il\s+y\s+a)\b|\ble\s+(?:\d|{_DAYS}|1er)|\b(?:{_DAYS})\b|"
    rf"\b\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}|"
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}|\b\d{{1,2}}\s*h\s*\d{{2}}\b).*$"
)
_PARENTHESES = re.compile(r"\s*[(\[][^)\]]*[)\]]")
# a social handle printed by the name ("Claire Martin @cmartin"): an account, not the name
_HANDLE = re.compile(r"(?<![\w.@])@\w{1,30}\b")
# the photographer's credit printed after the writer's ("Texte : X · Photos : Y"): cut there
_PHOTO_TAIL = re.compile(
    r"(?i)(?<![\s,;|/•·–—-])[\s,;|/•·–—-]*\b(?:photos?|photographies?|cr[ée]dits?\s+photos?|illustrations?|"
    r"images?|vid[ée]os?)\s*:.*$"
)
_LEAD_IN = re.compile(
    r"(?i)^(?:propos\s+recueillis\s+par|de\s+(?:notre|nos)\s+(?:envoy[ée]e?s?\s+sp[ée]ciale?s?|"
    r"correspondante?s?)(?:\s+(?:[àa]|en|au|aux)\s+[^,]{1,40},)?|(?:un\s+)?(?:article|texte|reportage|enqu[êe]te|dossier|"
    r"entretien|chronique|tribune)\s+(?:de|par)|(?:[ée]crit|r[ée]dig[ée]|sign[ée]|publi[ée])e?\s+"
    r"par|auteurs?\s*:|texte\s*:|par|by|de\s*:)\s*"
)
_SPLIT = re.compile(r"\s*(?:[,;|/•·]|\s[-–—]\s|\bet\b|\band\b|&|\bavec\b|\bwith\b)\s*")
_EDGES = " \t,;:.|/•·-–—'\"«»"
_DROPPED = {
    "staff",
    "admin",
    "administrateur",
    "administrator",
    "webmaster",
    "editor",
    "auteur",
    "author",
    "auteurs",
    "anonyme",
    "anonymous",
    "invité",
    "guest",
    "unknown",
    "inconnu",
    "redacteur",
    "rédacteur",
    "contributeur",
    "contributor",
    "user",
    "utilisateur",
    "journaliste",
}
_ROLE_START = re.compile(
    r"(?i)^(?:envoy[ée]e?s?\s+sp[ée]ciale?s?|correspondante?s?|journaliste|r[ée]dact(?:eur|rice)|"
    r"chroniqueu(?:r|se)|directeur|directrice|pr[ée]sident|photographe|"
    r"reporter|stagiaire|collaborat(?:eur|rice)|chef|cheffe)\b"
)
_DESK = re.compile(
    r"(?i)^(?:la\s+|le\s+)?r[ée]daction\b|^service\s|\bdesk\b|\bteam\b|\b[ée]quipe\b|"
    r"^(?:(?:le|la|les)\s+|l['’])\S|\bagences?\b|\bbureau\b|\bmagazine\b|\bjournal\b|\bnews\b|"
    r"\bpresse\b|\bservices?\b|\bm[ée]dias?\b|\bradio\b|\bt[ée]l[ée]\b|\bonline\b|\bdigital\b"
)
_PARTICLES = {
    "de",
    "du",
    "des",
    "d'",
    "d’",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "di",
    "da",
    "dos",
    "das",
    "del",
    "della",
    "el",
    "al",
    "ben",
    "bin",
    "ibn",
    "ould",
    "ag",
    "y",
    "e",
    "ter",
    "zu",
}
_ELIDED_PARTICLE = re.compile(r"^[dl]['’]\w", re.IGNORECASE)
_MAX_NAME_WORDS = 6
_MAX_CANDIDATE = 200
# what the byline rules read of one raw candidate (its date or photo tail may be cut off)
_MAX_CANDIDATE_INPUT = 4 * _MAX_CANDIDATE

# quotes carry the quoted person's name, never the byline
_NOISE_TAGS = {
    "nav",
    "aside",
    "footer",
    "form",
    "noscript",
    "script",
    "style",
    "template",
    "blockquote",
    "q",
}
_NOISE_MARK = re.compile(
    r"(?i)related|comment|reaction|sidebar|widget|teaser|snippet|recommend|popular|outbrain|taboola|"
    r"newsletter|breadcrumb|carousel|slider|posts|most-?read|plus-?lus|"
    r"(?:^|[\s_-])(?:nav|navbar|menu|aside|footer|share|sharing|social|promo|pub|ads?)(?:[\s_-]|$)"
)
_AUTHOR_MARK = re.compile(r"(?i)author|byline|signature|auteur|writer|journaliste")
_AUTHOR_MARK_NOT = re.compile(
    r"(?i)desc|bio|photo|pic|avatar|image|img|thumb|job|role|func|follow|social|date|time|"
    r"count|link-?more|about"
)
# what opens a visible byline: "Par", "By", and the signatures of interviews, reports and
# credits lines ("Propos recueillis par", "De notre correspondant à Bamako,", "Texte :")
_BY_LEAD = (
    r"(?i)^\s*(?:par|by|propos\s+recueillis\s+par|textes?\s*:|"
    r"de\s+(?:notre|nos)\s+(?:envoy[ée]e?s?\s+sp[ée]ciale?s?|correspondante?s?)\b[^,]{0,40},?)"
)
_BY_PREFIX = re.compile(_BY_LEAD + r"(?:\s+\S|\s*$)")
_BY_LEAD_RE = re.compile(_BY_LEAD)
_META_NAMES = {
    "author",
    "article:author",
    "og:article:author",
    "dc.creator",
    "dcterms.creator",
    "sailthru.author",
    "parsely-author",
    "byl",
}
_MAX_CLASS_CANDIDATES = 6
_EXSLT = {"re": "http://exslt.org/regular-expressions"}
_MARKED_XPATH = (
    "//body//*[re:test(concat(@class, ' ', @id), "
    "'author|byline|signature|auteur|writer|journaliste', 'i')]"
)
_HEADLINE_WINDOW = 40


# ---------------------------------------------------------------- parsing candidates


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _title_case_word(word: str) -> str:
    """ "DUPONT" → "Dupont", "N'DIAYE" → "N'Diaye", "SAINT-MARC" → "Saint-Marc"."""
    letters = [c for c in word if c.isalpha()]
    if len(letters) < 2 or not all(c.isupper() for c in letters):
        return word
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[0] + m.group(0)[1:].lower(), word)


def _is_person_name(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= _MAX_NAME_WORDS - 1 or any(c.isdigit() for c in name):
        return False
    capitalised = 0
    for word in words:
        if word[0].isupper():
            capitalised += 1
        elif word.lower() in _PARTICLES or _ELIDED_PARTICLE.match(word):
            continue
        else:
            return False
    last = words[-1]
    return (
        capitalised >= 2
        and words[0][0].isupper()
        and (last[0].isupper() or bool(_ELIDED_PARTICLE.match(last)))
    )


def _strip_piece(piece: str) -> str:
    piece = piece.strip(_EDGES)
    previous = None
    while previous != piece:
        previous = piece
        piece = _LEAD_IN.sub("", piece).strip(_EDGES)
    return piece


def _classify(piece: str) -> tuple[str, str] | None:
    """("person" | "desk", cleaned name) for one name-sized piece, None to drop it."""
    piece = _strip_piece(piece)
    if not piece or _URL.search(piece) or _EMAIL.search(piece):
        return None
    if piece.casefold() in _DROPPED or _ROLE_START.match(piece):
        return None
    if len(piece.split()) > _MAX_NAME_WORDS or not piece[0].isalnum():
        return None
    if agency_code(piece) or _DESK.search(piece) or _DOMAIN.match(piece):
        return "desk", piece
    name = " ".join(_title_case_word(word) for word in piece.split())
    if _is_person_name(name):
        return "person", name
    if len(piece.split()) == 1 and piece[0].isupper():
        return "desk", piece  # "Collectif", "Euronews": a one-word signature is not a person
    return None


def _drop_parentheses(text: str) -> str:
    """_PARENTHESES removed, searched only up to the last closing bracket: past it no match
    can end, and an opener with no closer after it would make each search scan to the end."""
    end = max(text.rfind(")"), text.rfind("]")) + 1
    return _PARENTHESES.sub("", text[:end]) + text[end:]


def _prepare(candidate: str) -> str:
    # a byline is short: what the rules see is bounded (a hostile one is 100 kB of "a (")
    text = _HANDLE.sub(" ", _EMAIL.sub(" ", _clean(candidate[:_MAX_CANDIDATE_INPUT])))
    text = _PHOTO_TAIL.sub("", _DATE_TAIL.sub("", text))
    return _clean(_drop_parentheses(text))


def _parse_candidate(candidate: str) -> tuple[list[str], list[str]]:
    text = _prepare(candidate)
    if not text or len(text) > _MAX_CANDIDATE or _URL.match(text):
        return [], []
    people: list[str] = []
    desks: list[str] = []
    for piece in _SPLIT.split(_strip_piece(text)):
        kind = _classify(piece)
        if kind is None:
            continue
        (people if kind[0] == "person" else desks).append(kind[1])
    if not people and desks:
        # "Le Monde avec AFP", "La rédaction de Jeune Afrique": the whole signature is the desk
        whole = _strip_piece(text)
        if len(whole.split()) <= _MAX_NAME_WORDS + 2 and whole[:1].isupper():
            desks = [whole]
    return people, desks


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def parse_authors(candidates: list[str], site_name: str | None = None) -> Authors:
    """People and desks named by raw byline strings, deduplicated case-insensitively.

    The outlet's own name (`site_name`: og:site_name or the JSON-LD publisher) next to a
    person's name is a desk even when it reads like a first and last name ("Algérie Soir",
    the JSON-LD Organization author, beside "Par Karim Benali"). Alone, it is the
    organisation that signed (an NGO's communiqué signed "Attac France") and stays.
    """
    people: list[str] = []
    desks: list[str] = []
    for candidate in candidates:
        found_people, found_desks = _parse_candidate(candidate)
        people.extend(found_people)
        desks.extend(found_desks)
    people = _dedupe(people)
    if site_name:
        site = site_key(site_name)
        outlet = [p for p in people if site_key(p) == site]
        if outlet and len(outlet) < len(people):
            people = [p for p in people if p not in outlet]
            desks = outlet + desks
    known = {p.casefold() for p in people}
    return Authors(people=people, desks=[d for d in _dedupe(desks) if d.casefold() not in known])


# ---------------------------------------------------------------- finding candidates


_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


def _lenient_json_ld(tree: HtmlElement) -> list[dict[str, Any]]:
    """JSON-LD objects, also from <![CDATA[ ... ]]>-wrapped blocks (json_ld_objects skips those)."""
    objects: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = _CDATA.sub("", (script.text or "").strip())
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        stack = [data]  # its end is the next node: document order, each node popped once
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                objects.append(node)
                if node.get("@graph") is not None:
                    stack.append(node["@graph"])
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    types = obj.get("@type")
    return {str(t).lower() for t in (types if isinstance(types, list) else [types]) if t}


def _json_ld_authors(tree: HtmlElement, *, web_pages: bool = False) -> list[str]:
    """Authors of the JSON-LD article objects (or, with web_pages, of bare WebPage objects).

    A WebPage's author is usually the account that published the page (Yoast writes the
    WordPress user there), so it only counts after the visible bylines.
    """
    people, organisations = _json_ld_author_entries(tree, web_pages=web_pages)
    return people or organisations


def _json_ld_organisation_authors(tree: HtmlElement) -> set[str]:
    """Names the JSON-LD article types as an Organization author (never a person)."""
    people, organisations = _json_ld_author_entries(tree, web_pages=False)
    return set() if people else set(organisations)


def _json_ld_author_entries(tree: HtmlElement, *, web_pages: bool) -> tuple[list[str], list[str]]:
    """(people, organisations) of the first JSON-LD article object that names an author."""
    objects = json_ld_objects(tree)
    articles = json_ld_articles(tree)
    if not objects:
        objects = _lenient_json_ld(tree)
        articles = [o for o in objects if _types(o) & {"newsarticle", "article", "blogposting"}]
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
    for article in articles:
        if (_types(article) <= {"webpage"}) != web_pages:
            continue
        authors = article.get("author")
        entries = authors if isinstance(authors, list) else [authors]
        people: list[str] = []
        organisations: list[str] = []
        for entry in entries:
            if isinstance(entry, str):
                people.append(entry)
                continue
            if not isinstance(entry, dict):
                continue
            if "name" not in entry and isinstance(entry.get("@id"), str):
                entry = by_id.get(entry["@id"], entry)  # Yoast: {"@id": ".../person/..."}
            name = entry.get("name")
            if isinstance(name, str) and name.strip():
                target = organisations if "organization" in _types(entry) else people
                target.append(name)
        if people or organisations:
            return [_clean(n) for n in people], [_clean(n) for n in organisations]
    return [], []


def _json_ld_page_authors(tree: HtmlElement) -> list[str]:
    return _json_ld_authors(tree, web_pages=True)


def _meta_authors(tree: HtmlElement) -> list[str]:
    values = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        # some saved pages carry value= instead of content=
        content = meta.get("content") or meta.get("value") or ""
        if key in _META_NAMES and content.strip() and not _URL.search(content.strip()):
            values.append(_clean(content))
    return values


def _is_noise(element: HtmlElement) -> bool:
    """Inside navigation, sidebars, teaser lists or comments (or one of them itself)?"""
    for node in (element, *element.iterancestors()):
        if node.tag in ("body", "html"):
            break  # <body class="... sidebar ..."> describes the page layout, not this spot
        if node.tag in _NOISE_TAGS:
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _NOISE_MARK.search(marks):
            return True
    return False


def _element_name(element: HtmlElement) -> str:
    named = element.xpath('.//*[@itemprop="name"]')
    if named:
        return named[0].get("content") or text_of(named[0])
    return element.get("content") or text_of(element)


def _marked_authors(tree: HtmlElement) -> list[str]:
    found = []
    for element in tree.xpath(
        '//*[contains(concat(" ", @rel, " "), " author ")]|//*[@itemprop="author"]'
    ):
        if not _is_noise(element):
            found.append(_clean(_element_name(element)))
    return found


def _author_mark(element: HtmlElement) -> bool:
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    tokens = re.split(r"\s+", marks.strip())
    return any(_AUTHOR_MARK.search(t) and not _AUTHOR_MARK_NOT.search(t) for t in tokens)


def _classed_authors(tree: HtmlElement) -> list[str]:
    """Innermost elements whose class or id says author/byline/signature, outside noise."""
    marked = [e for e in tree.xpath(_MARKED_XPATH, namespaces=_EXSLT) if _author_mark(e)]
    marked_set = set(marked)
    found = []
    agencies: list[str] = []
    for element in marked:
        if any(d in marked_set and text_of(d) for d in element.iterdescendants()):
            # a more precise element inside says it better; an agency printed beside it in the
            # byline ("<span>Jean Dupont</span> <span>La Presse Canadienne</span>") still counts
            if not _is_noise(element):
                agencies.extend(_byline_agency_parts(element, marked_set))
            continue
        text = _clean(text_of(element))
        if text and len(text) <= _MAX_CANDIDATE and not _is_noise(element):
            found.append(text)
        if len(found) >= _MAX_CLASS_CANDIDATES:
            break
    return found + agencies


def _byline_agency_parts(byline: HtmlElement, marked: set[HtmlElement]) -> list[str]:
    """Children of a byline block that are an agency's name and nothing else."""
    parts = []
    for child in byline:
        if not isinstance(child.tag, str) or child in marked:
            continue
        if any(d in marked for d in child.iterdescendants()):
            continue
        text = _clean(text_of(child))
        if text and agency_code(text):
            parts.append(text)
    return parts


def _headline_byline(tree: HtmlElement) -> list[str]:
    """A visible "Par Jean Dupont" among the first texts after the headline."""
    for headline in tree.xpath("//body//h1"):
        if _is_noise(headline):
            continue
        nodes = headline.xpath(
            f"following::text()[normalize-space()][position() <= {_HEADLINE_WINDOW}]"
        )
        for node in nodes:
            text = _clean(str(node))
            if not _BY_PREFIX.match(text):
                continue
            parent = node.getparent()
            if parent is None or _is_noise(parent):
                continue
            whole = _clean(text_of(parent))
            if len(_BY_LEAD_RE.sub("", text).split()) < 2 and len(whole) <= _MAX_CANDIDATE:
                text = whole  # "Par <a>Jean Dupont</a>": the name sits in a child element
                if not _BY_LEAD_RE.sub("", text).strip(_EDGES):
                    continue  # a bare label ("<span>Texte :</span>"): the labelled finder's
            return [text] if len(text) <= _MAX_CANDIDATE else []
        return []
    return []


_BYLINE_LABEL = re.compile(
    r"(?i)^(?:auteur(?:e|s|es)?|autrices?|par|texte|textes|journalistes?|sign[ée]\s+par|"
    r"[ée]crit\s+par|r[ée]dig[ée]\s+par|author|authors|by)\s*:?$"
)
_LABEL_TAGS = ("dt", "th", "span", "strong", "b", "em", "label", "div", "p")


# Every label _BYLINE_LABEL accepts holds one of these inside a single text node.
_LABEL_WORD_XPATH = (
    "//text()[re:test(., 'aut|par|text|journ|by', 'i')]"
    "[not(ancestor::script) and not(ancestor::style)]"
)
_LABEL_MAX = 20


def _more_visible_chars(element: HtmlElement, limit: int) -> bool:
    """Does text_of(element), cleaned, certainly exceed `limit` characters?

    Counts the non-space characters of the visible text pieces (never more than cleaning
    keeps), stopping as soon as the count passes the limit.
    """
    count = 0
    for node in element.iter():
        if node is not element:
            parent = node.getparent()
            if parent is not None and parent.tag in ("script", "style"):
                continue
            if node.tail:
                count += len("".join(node.tail.replace("\u200b", " ").split()))
        if isinstance(node.tag, str) and node.tag not in ("script", "style") and node.text:
            count += len("".join(node.text.replace("\u200b", " ").split()))
        if count > limit:
            return True
    return False


def _label_candidates(tree: HtmlElement) -> set[HtmlElement]:
    """Label-tag elements short enough to be a label and holding a label word in their text."""
    candidates: set[HtmlElement] = set()
    seen: set[HtmlElement] = set()
    for node in tree.xpath(_LABEL_WORD_XPATH, namespaces=_EXSLT):
        owner = node.getparent()
        if owner is not None and node.is_tail:
            owner = owner.getparent()
        while owner is not None and owner not in seen:
            seen.add(owner)
            if _more_visible_chars(owner, _LABEL_MAX):
                break  # its ancestors hold at least as much text
            if owner.tag in _LABEL_TAGS:
                candidates.add(owner)
            owner = owner.getparent()
    return candidates


def _labelled_authors(tree: HtmlElement) -> list[str]:
    """A visible "Auteur" label and the name beside it (<dt>Auteur</dt><dd>Jean Dupont</dd>)."""
    found = []
    candidates = _label_candidates(tree)
    for label in tree.iter(*_LABEL_TAGS):
        if label not in candidates:
            continue
        text = _clean(text_of(label))
        if not text or len(text) > 20 or not _BYLINE_LABEL.match(text):
            continue
        value = label.getnext()
        if value is None or _is_noise(label):
            continue
        name = _clean(text_of(value))
        if name and len(name) <= _MAX_CANDIDATE:
            found.append(name)
        if len(found) >= _MAX_CLASS_CANDIDATES:
            break
    return found


def find_author_candidates(tree: HtmlElement) -> list[str]:
    """Raw author strings, most trusted source first, deduplicated.

    Sources are consulted in order of trust; once one yields a person's name, less trusted
    ones are not consulted (desk-only sources such as "L'Opinion" do not stop the search).
    """
    candidates: list[str] = []
    for source in (
        _json_ld_authors,
        _meta_authors,
        _marked_authors,
        _classed_authors,
        _headline_byline,
        _labelled_authors,
        _json_ld_page_authors,
    ):
        found = [c for c in source(tree) if c]
        candidates.extend(found)
        if source is _json_ld_authors:  # an Organization is never a person: search on
            organisations = _json_ld_organisation_authors(tree)
            found = [c for c in found if c not in organisations]
        if parse_authors(found).people:
            break
    return _dedupe(candidates)
