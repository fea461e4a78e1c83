"""Authors: gather byline candidates from a page, then split them into people and desks.

Sources are tried in order of trust (JSON-LD articles, meta tags, rel/itemprop=author,
byline-like classes, a visible "Par ..." under the headline, a labelled "Auteur" field, and
last the author of a bare JSON-LD WebPage) and the gathering stops at the first source
that names a person, so teaser lists and menus further down the page cannot add strangers.
Desks ("La Rédaction", "Le Monde avec AFP", "AFP") are kept apart from people.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from crawler.fields.agencies import agency_code, credited_agencies
from crawler.fields.html import host_of, own_urls, text_of
from crawler.fields.page import Page
from crawler.fields.titles import find_site_name, site_key


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
_FOREIGN_BY = (
    r"(?:posted|written|published)\s+by|(?:geschrieben|ver[öo]ffentlicht|verfasst)\s+von|"
    r"(?:escrito|publicado)\s+por|autor(?:in|a|e)?\s*:|author\s*:?|text\s*:|von|vom|por|door|"
    r"przez|af|av"
)
_LEAD_IN = re.compile(
    r"(?i)^(?:propos\s+recueillis\s+par|de\s+(?:notre|nos)\s+(?:envoy[ée]e?s?\s+sp[ée]ciale?s?|"
    r"correspondante?s?)(?:\s+(?:[àa]|en|au|aux)\s+[^,]{1,40},)?|(?:un\s+)?(?:article|texte|reportage|enqu[êe]te|dossier|"
    r"entretien|chronique|tribune)\s+(?:de|par)|(?:[ée]crit|r[ée]dig[ée]|sign[ée]|publi[ée])e?\s+"
    r"par|auteurs?\s*:|texte\s*:|par|by|de\s*:|avec|with|"
    # the same lead-ins in the languages of the pages we meet beside French ones: markup is
    # the same everywhere, only this word changes ("von", "por", "door", "posted by")
    rf"{_FOREIGN_BY})(?:(?<!\w)|(?!\w))\s*"  # a whole word: "Pardo", "AFP" lose nothing
)
_SPLIT = re.compile(
    r"\s*(?:[,;|/•·]|\s[-–—]\s|\bet\b|\band\b|\bund\b|&|(?i:\bavec\b|\bwith\b)|\bmit\b)\s*"
)
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
    "no author",
    "anónimo",
    "anonimo",
    "anonym",
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
    r"^(?:(?:le|la|les)\s+|l['’])\S|\bagences?\b|\bagenc(?:ies|ias?)\b|\bbureau\b|"
    r"\bmagazine\b|\bjournal\b|\bnews\b|"
    r"\bpresse\b|\bservices?\b|\bm[ée]dias?\b|\bradio\b|\bt[ée]l[ée]\b|\bonline\b|\bdigital\b|"
    # the newsroom and the paper in the other languages of the pages we meet
    r"\bredacci[oó]n\b|\breda[cç][aã]o\b|\bredaktion\b|\bredactie\b|\bredazione\b|"
    r"\bredakcja\b|\bnewsroom\b|\bstaff\b|\bjornal\b|\bdi[aá]rio\b|\bzeitung\b|"
    r"\bgazet(?:te|a)\b|\bperi[oó]dico\b|\bnoticias\b|\bnachrichten\b"
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
_PSEUDONYM = re.compile(r"^[^\W_][\w-]{1,30}$")
_ELIDED_PARTICLE = re.compile(r"^[dl]['’]\w", re.IGNORECASE)
# a signature in initials, as Belgian and Swiss papers sign short texts: "C.J.", "J.-M. D."
# (its final full stop is cut with the edges; the name gets it back)
_INITIALS = re.compile(r"^(?:[A-ZÀ-Ý][a-zà-ÿ]?\.[\s-]*){1,3}[A-ZÀ-Ý][a-zà-ÿ]?\.?$")
# a last word that keeps its full stop: an initial ("Juan Muñoz C.") or "Jr." / "Sr."
_ABBREVIATED_LAST = re.compile(r"(?:^|\s)(?:[A-ZÀ-Ý]|Jr|Sr)$")
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
_ARTICLE_FOOTER_MARK = re.compile(r"(?:^|[\s_-])(?:entry|post|article|story|single)[_-]?footer")
# a link to the page that lists an author's articles: "/author/jean-dupont/", "/auteur/12"
_AUTHOR_PAGE_SEGMENTS = frozenset(
    {
        "author",
        "authors",
        "auteur",
        "auteurs",
        "autor",
        "autoren",
        "autores",
        "autore",
        "autori",
        "journaliste",
        "journalistes",
        "journalist",
        "journalists",
        "redakteur",
        "creator",
        "writer",
        "writers",
        "columnist",
        "signataire",
    }
)
# every author segment (and SPIP's "auteur12") holds one of these
_AUTHOR_PAGE_WORDS = ("aut", "journal", "redakteur", "creator", "writer", "columnist", "signataire")
_MAX_AUTHOR_PAGE_LINKS = 3
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
# The XPaths below only select (tests in C); their regexes run in Python on what they
# return: an XPath re:test called back into Python for every node it tested.
_CLASSED_XPATH = "//body//*[@class or @id]"
_MARKED_CLASS = re.compile("author|byline|signature|auteur|writer|journaliste", re.IGNORECASE)
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


def _classify(piece: str, accounts: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """("person" | "alias" | "desk", cleaned name) for one name-sized piece, None to drop it.

    `accounts` (casefolded) are names the page's markup declares as a person's (a JSON-LD
    Person, a rel=author link, a link to an author page): a one-word name there is an
    "alias", the pseudonym a blogger signs with, not a desk (an upper-case one is an
    acronym, a dotted one a domain or a user slug).
    """
    full_stop = piece.rstrip().endswith(".")
    piece = _strip_piece(piece)
    if not piece or _URL.search(piece) or _EMAIL.search(piece):
        return None
    if piece.casefold() in _DROPPED or _ROLE_START.match(piece):
        return None
    if len(piece.split()) > _MAX_NAME_WORDS or not piece[0].isalnum():
        return None
    if agency_code(piece) or _DESK.search(piece) or _DOMAIN.match(piece):
        return "desk", piece
    if _INITIALS.match(piece):
        return "person", piece if piece.endswith(".") else piece + "."
    name = " ".join(_title_case_word(word) for word in piece.split())
    if full_stop and _ABBREVIATED_LAST.search(name):
        name += "."
    if _is_person_name(name):
        return "person", name
    if piece.casefold() in accounts and _PSEUDONYM.match(piece) and not piece.isupper():
        return "alias", piece
    if len(piece.split()) == 1 and piece[0].isupper():
        return "desk", piece  # "Collectif", "Euronews": a one-word signature is not a person
    return None


_POSTED_BY = re.compile(r"(?i)(?:posted|publi[ée]e?|published)\s+(?:by|par)\b")


def _cut_date_tail(text: str) -> str:
    """The byline before its date line; one that opens on "Posted by ..." keeps its names."""
    match = _DATE_TAIL.search(text)
    if match is None:
        return text
    if match.start() == 0 and _POSTED_BY.match(text):
        rest = _DATE_TAIL.search(text, 1)
        return text[: rest.start()] if rest else text
    return text[: match.start()]


def _drop_parentheses(text: str) -> str:
    """_PARENTHESES removed, searched only up to the last closing bracket: past it no match
    can end, and an opener with no closer after it would make each search scan to the end."""
    end = max(text.rfind(")"), text.rfind("]")) + 1
    return _PARENTHESES.sub("", text[:end]) + text[end:]


def _prepare(candidate: str) -> str:
    # a byline is short: what the rules see is bounded (a hostile one is 100 kB of "a (")
    text = _HANDLE.sub(" ", _EMAIL.sub(" ", _clean(candidate[:_MAX_CANDIDATE_INPUT])))
    text = _PHOTO_TAIL.sub("", _cut_date_tail(text))
    return _clean(_drop_parentheses(text))


def _parse_candidate(
    candidate: str, accounts: frozenset[str] = frozenset()
) -> tuple[list[str], list[str], list[str]]:
    """(people, aliases, desks) named by one raw byline string."""
    text = _prepare(candidate)
    if not text or len(text) > _MAX_CANDIDATE or _URL.match(text):
        return [], [], []
    people: list[str] = []
    desks: list[str] = []
    aliases: list[str] = []
    stripped = _strip_piece(text)
    if text.endswith(".") and stripped and not stripped.endswith("."):
        stripped += "."  # the last piece may need it back ("Perry Bacon Jr.", "C.J.")
    for piece in _SPLIT.split(stripped):
        kind = _classify(piece, accounts)
        if kind is None:
            continue
        {"person": people, "alias": aliases, "desk": desks}[kind[0]].append(kind[1])
    if not people and desks:
        # "Le Monde avec AFP", "La rédaction de Jeune Afrique": the whole signature is the desk
        whole = _strip_piece(text)
        if len(whole.split()) <= _MAX_NAME_WORDS + 2 and whole[:1].isupper():
            desks = [whole]
    return people, aliases, desks


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def parse_authors(
    candidates: list[str], site_name: str | None = None, accounts: list[str] | None = None
) -> Authors:
    """People and desks named by raw byline strings, deduplicated case-insensitively.

    The outlet's own name (`site_name`: og:site_name or the JSON-LD publisher) next to a
    person's name is a desk even when it reads like a first and last name ("Algérie Soir",
    the JSON-LD Organization author, beside "Par Karim Benali"). Alone, it is the
    organisation that signed (an NGO's communiqué signed "Attac France") and stays.
    `accounts`: see find_author_accounts.
    """
    known_accounts = frozenset(_clean(a).casefold() for a in accounts or [])
    people: list[str] = []
    aliases: list[str] = []
    desks: list[str] = []
    for candidate in candidates:
        found_people, found_aliases, found_desks = _parse_candidate(candidate, known_accounts)
        people.extend(found_people)
        aliases.extend(found_aliases)
        desks.extend(found_desks)
    # a pseudonym counts only when nobody signed with a full name (it is then mostly the
    # same person's account slug), and never when it is the outlet's own name
    if site_name:
        aliases = [a for a in aliases if site_key(a) != site_key(site_name)]
    people = _dedupe(people or aliases)
    if site_name:
        site = site_key(site_name)
        outlet = [p for p in people if site_key(p) == site]
        if outlet and len(outlet) < len(people):
            people = [p for p in people if p not in outlet]
            desks = outlet + desks
    known = {p.casefold() for p in people}
    desks = [d for d in _dedupe(desks) if d.casefold() not in known]
    return Authors(people=people, desks=_dedupe_agencies(desks))


def _dedupe_agencies(desks: list[str]) -> list[str]:
    """One desk per agency: "AFP" and "Agence France-Presse" are the same signature."""
    seen: set[str] = set()
    kept = []
    for desk in desks:
        code = agency_code(desk)
        if code is None or code not in seen:
            kept.append(desk)
        if code:
            seen.add(code)
    return kept


# ---------------------------------------------------------------- finding candidates


def _types(obj: dict[str, Any]) -> set[str]:
    types = obj.get("@type")
    return {str(t).lower() for t in (types if isinstance(types, list) else [types]) if t}


def _json_ld_authors(page: Page, *, web_pages: bool = False) -> list[str]:
    """Authors of the JSON-LD article objects (or, with web_pages, of bare WebPage objects).

    A WebPage's author is usually the account that published the page (Yoast writes the
    WordPress user there), so it only counts after the visible bylines.
    """
    people, organisations = page.once(_json_ld_author_entries, web_pages)
    return people or organisations


def _json_ld_organisation_authors(page: Page) -> set[str]:
    """Names the JSON-LD article types as an Organization author (never a person)."""
    people, organisations = page.once(_json_ld_author_entries, False)
    return set() if people else set(organisations)


def _json_ld_author_entries(page: Page, web_pages: bool) -> tuple[list[str], list[str]]:
    """(people, organisations) of the first JSON-LD article object that names an author."""
    objects = page.json_ld_objects
    articles = page.json_ld_articles
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
                name = _full_name_from_bio(name, entry.get("description"))
                target = organisations if "organization" in _types(entry) else people
                target.append(name)
        if people or organisations:
            return [_clean(n) for n in people], [_clean(n) for n in organisations]
    return [], []


_BIO_INPUT = 200
_BIO_EXTRA_WORDS = 2


def _full_name_from_bio(name: str, bio: Any) -> str:
    """A one-word display name completed by the bio that opens on the full name.

    Yoast and other plugins print the account's display name ("Nils") as the Person's
    `name` and the author's bio as its `description`, which opens on the full name in any
    language ("Nils Pickert ist freier Autor", "Stefanus Stahl - Maschinenbauer").
    """
    words = _clean(name).split()
    if len(words) != 1 or not isinstance(bio, str):
        return name
    bio_words = _clean(bio[:_BIO_INPUT]).split()
    if not bio_words or bio_words[0].casefold() != words[0].casefold():
        return name
    full = [bio_words[0]]  # as the bio spells it ("nils" → "Nils Martin")
    for word in bio_words[1 : 1 + _BIO_EXTRA_WORDS]:
        bare = word.rstrip(",;:")
        if not bare[:1].isupper() or not all(c.isalpha() or c in "-'’" for c in bare):
            break
        full.append(bare)
        if bare != word:
            break  # "Nils Pickert, 42, ...": the comma ends the name
    candidate = " ".join(full)
    return candidate if len(full) > 1 and _is_person_name(candidate) else name


def _json_ld_page_authors(page: Page) -> list[str]:
    return _json_ld_authors(page, web_pages=True)


def _meta_authors(page: Page) -> list[str]:
    values = []
    for meta in page.tree.iter("meta"):
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
        if node.tag == "footer" and _is_article_footer(node):
            continue  # the article's own footer signs it (an h-card <address> in it)
        if node.tag in _NOISE_TAGS:
            return True
        # "article-footer-box", "entry-footer": the article's own footer, written as a <div>
        marks = _ARTICLE_FOOTER_MARK.sub(" ", f"{node.get('class') or ''} {node.get('id') or ''}")
        if marks.strip() and _NOISE_MARK.search(marks):
            return True
    return False


def _teaser_articles(page: Page) -> set[HtmlElement]:
    """The outermost <article> elements that are not the page's article: teaser cards.

    The page's article holds the headline (<h1>); when the headline stands outside every
    <article>, it is the one with the most text. Cards of other stories ("article card")
    print their own author, which is not this page's.
    """
    articles = page.tree.xpath("//body//article[not(ancestor::article)]")
    if len(articles) < 2:
        return set()
    headline = page.body_h1s[0] if page.body_h1s else None
    holding = set(headline.iterancestors("article")) if headline is not None else set()
    main = next((a for a in articles if a in holding), None)
    if main is None:
        main = max(articles, key=lambda a: len(text_of(a)))
    return {a for a in articles if a is not main}


def _in_teaser(element: HtmlElement, teasers: set[HtmlElement]) -> bool:
    return bool(teasers) and any(a in teasers for a in element.iterancestors("article"))


def _is_article_footer(node: HtmlElement) -> bool:
    """A <footer> inside an <article>, or one whose class names the entry ("entry-footer")."""
    marks = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
    return bool(_ARTICLE_FOOTER_MARK.search(marks)) or bool(node.xpath("ancestor::article"))


def _element_name(element: HtmlElement) -> str:
    named = element.xpath('.//*[@itemprop="name"]')
    if named:
        return named[0].get("content") or text_of(named[0])
    return element.get("content") or text_of(element)


def _marked_authors(page: Page) -> list[str]:
    found = []
    teasers = page.once(_teaser_articles)
    for element in page.tree.xpath(
        '//*[@rel or @itemprop][contains(concat(" ", @rel, " "), " author ") or @itemprop="author"]'
    ):
        if not _is_noise(element) and not _in_teaser(element, teasers):
            found.append(_clean(_element_name(element)))
    return found


# SPIP writes an author's page "auteur12.html", "spip.php?auteur12", "?page=auteur&id_auteur=12"
_SPIP_AUTHOR = re.compile(r"(?i)(?:^|/)auteur\d+(?:\.html?)?$|[?&](?:auteur\d+|id_auteur=\d)")


def _author_page_slug(href: str) -> bool:
    """Does the link lead to an author's page: an author segment, then the author's slug?"""
    lowered = href.lower()
    if not any(word in lowered for word in _AUTHOR_PAGE_WORDS):
        return False  # most links: no author segment can be in them
    path = re.sub(r"^(?:[a-z][a-z0-9+.-]*:)?(?://[^/?#]*)?", "", href.strip(), flags=re.I)
    if _SPIP_AUTHOR.search(path):
        return True
    segments = [part for part in re.split(r"[?#]", path, maxsplit=1)[0].split("/") if part]
    return any(
        segment.lower() in _AUTHOR_PAGE_SEGMENTS and index + 1 < len(segments)
        for index, segment in enumerate(segments)
    )


def _author_page_links(page: Page) -> list[str]:
    """Names linked to an author page ("/author/jean-dupont/") outside menus and teasers.

    Themes that print neither rel=author nor an author class still link the name to the page
    of the author's articles; at most the first few, so a list of columnists stays out.
    """
    found: list[str] = []
    teasers = page.once(_teaser_articles)
    for link in page.tree.iter("a"):
        if not _author_page_slug(link.get("href") or ""):
            continue
        name = _clean(text_of(link))
        if not name or len(name.split()) > _MAX_NAME_WORDS or _is_noise(link):
            continue
        if _in_teaser(link, teasers):
            continue
        if name not in found:
            found.append(name)
        if len(found) >= _MAX_AUTHOR_PAGE_LINKS:
            break
    return found


def find_author_accounts(page: Page | HtmlElement, url: str | None = None) -> list[str]:
    """Names the markup declares to be a person's: JSON-LD Person authors, rel/itemprop=author,
    links to an author page. A one-word name among them is a pseudonym, not a desk; one named
    after the site (its URL, canonical link or og:url) is the outlet's own account."""
    page = Page.of(page)
    names = page.once(_declared_names)
    # the account named after the site ("par monsite" on monsite.org) is the outlet's own
    hosts = own_urls(page.tree) + ([url] if url else [])
    outlet = {site_key(host) for host in map(host_of, hosts) if host}
    return [name for name in names if site_key(name) not in outlet]


def _declared_names(page: Page) -> list[str]:
    people, _ = page.once(_json_ld_author_entries, False)
    return _dedupe(people + page.once(_marked_authors) + page.once(_author_page_links))


def _author_mark(element: HtmlElement) -> bool:
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    tokens = re.split(r"\s+", marks.strip())
    return any(_AUTHOR_MARK.search(t) and not _AUTHOR_MARK_NOT.search(t) for t in tokens)


def _classed_authors(page: Page) -> list[str]:
    """Innermost elements whose class or id says author/byline/signature, outside noise."""
    marked = [
        e
        for e in page.tree.xpath(_CLASSED_XPATH)
        if _MARKED_CLASS.search(f"{e.get('class') or ''} {e.get('id') or ''}") and _author_mark(e)
    ]
    teasers = page.once(_teaser_articles)
    marked = [e for e in marked if not _in_teaser(e, teasers)]
    marked_set = set(marked)
    # only an ancestor of a marked element can hold one: the others skip the descendant walk
    holders = {ancestor for e in marked for ancestor in e.iterancestors()}
    found = []
    agencies: list[str] = []
    for element in marked:
        if element in holders and any(
            d in marked_set and text_of(d) for d in element.iterdescendants()
        ):
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


def _byline_headline(page: Page) -> HtmlElement | None:
    """The first h1 outside navigation and sidebars: where a byline is looked for.

    A variant of `Page.headline` (see crawler/fields/headline.py): on the evaluation pages
    the shared rule lost bylines this one finds.
    """
    return next((h1 for h1 in page.body_h1s if not _is_noise(h1)), None)


def _texts_after_headline(page: Page) -> list[Any]:
    """The first few non-blank text nodes after the byline's headline, in page order."""
    headline = page.once(_byline_headline)
    if headline is None:
        return []
    return list(
        headline.xpath(f"following::text()[normalize-space()][position() <= {_HEADLINE_WINDOW}]")
    )


def _headline_byline(page: Page) -> list[str]:
    """A visible "Par Jean Dupont" among the first texts after the headline."""
    for node in page.once(_texts_after_headline):
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


def _headline_credit(page: Page) -> list[str]:
    """A signature with its agency credit among the first texts after the headline, without
    "Par": "Rédaction en ligne (avec Belga)", "C.J. (avec Belga)", "Le Soir avec AFP"."""
    for node in page.once(_texts_after_headline):
        if len(_clean(str(node))) > _BODY_STARTED:
            return []  # the text has begun: a credit further down is the end credit's
        parent = node.getparent()
        if parent is None or parent.tag in ("script", "style") or _is_noise(parent):
            continue
        whole = _clean(text_of(parent))
        if len(whole) <= _CREDIT_MAX and credited_agencies(whole, explicit=True):
            return [whole]
    return []


_CREDIT_MAX = 80
_BODY_STARTED = 150
_BYLINE_LABEL = re.compile(
    r"(?i)^(?:auteur(?:e|s|es)?|autrices?|par|texte|textes|journalistes?|sign[ée]\s+par|"
    r"[ée]crit\s+par|r[ée]dig[ée]\s+par|author|authors|by|"
    # the same labels in the other languages of the pages we meet
    r"von|por|door|autor(?:in|es)?|posted\s+by|written\s+by)\s*:?$"
)
_LABEL_TAGS = ("dt", "th", "span", "strong", "b", "em", "label", "div", "p")


# Every label _BYLINE_LABEL accepts holds one of these inside a single text node.
# (the HTML parser gives <script> and <style> no child elements: their text's parent)
_LABEL_TEXT_XPATH = "//text()[normalize-space()][not(parent::script or parent::style)]"
_LABEL_WORD = re.compile("aut|par|text|journ|by|von|por|door", re.IGNORECASE)
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


def _label_candidates(page: Page) -> set[HtmlElement]:
    """Label-tag elements short enough to be a label and holding a label word in their text."""
    candidates: set[HtmlElement] = set()
    seen: set[HtmlElement] = set()
    for node in page.tree.xpath(_LABEL_TEXT_XPATH):
        if not _LABEL_WORD.search(node):
            continue
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


def _labelled_authors(page: Page) -> list[str]:
    """A visible "Auteur" label and the name beside it (<dt>Auteur</dt><dd>Jean Dupont</dd>)."""
    found = []
    candidates = _label_candidates(page)
    for label in page.tree.iter(*_LABEL_TAGS):
        if label not in candidates:
            continue
        text = _clean(text_of(label))
        # a screen-reader label may carry the separator printed before it ("| By")
        if not text or len(text) > 20 or not _BYLINE_LABEL.match(text.lstrip(" |•·–—-")):
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


def find_author_candidates(page: Page | HtmlElement) -> list[str]:
    """Raw author strings, most trusted source first, deduplicated.

    Sources are consulted in order of trust; once one yields a person's name, less trusted
    ones are not consulted (desk-only sources such as "L'Opinion" do not stop the search),
    except for the agency they credit.
    """
    page = Page.of(page)
    candidates: list[str] = []
    accounts = find_author_accounts(page)  # without the URL: one more account at worst
    site = find_site_name(page)
    sources = _SOURCES
    for index, source in enumerate(sources):
        found = [c for c in page.once(source) if c]
        candidates.extend(found)
        if source is _json_ld_authors:  # an Organization is never a person: search on
            organisations = _json_ld_organisation_authors(page)
            found = [c for c in found if c not in organisations]
        # a pseudonym ends the search once the author markup has been read: a JSON-LD
        # "jdupont" is followed by the byline's "Jean Dupont"
        markup_read = index >= sources.index(_classed_authors)
        if _names_someone(found, site) or (
            markup_read and parse_authors(candidates, accounts=accounts).people
        ):
            candidates.extend(_later_agency_credits(page, sources[index + 1 :]))
            break
    return _dedupe(candidates)


def _names_someone(found: list[str], site: str | None) -> bool:
    """Does a source name a person other than the outlet itself ("The Daily Planet" as the
    JSON-LD Person author of every page)? The outlet's name does not end the search."""
    people = parse_authors(found).people
    return any(not site or site_key(person) != site_key(site) for person in people)


def _later_agency_credits(page: Page, sources: tuple[_Source, ...]) -> list[str]:
    """The agencies credited by the byline sources the search did not reach.

    A JSON-LD author names the journalist; the visible byline adds "(avec Belga)". Only the
    agency's name is taken from them, never another person.
    """
    names: list[str] = []
    for source in sources:
        if source is _json_ld_page_authors:
            continue
        for text in page.once(source):
            names.extend(credited_agencies(text, explicit=source is _headline_credit))
    return _dedupe(names)


_Source = Callable[[Page], list[str]]
_SOURCES: tuple[_Source, ...] = (
    _json_ld_authors,
    _meta_authors,
    _marked_authors,
    _classed_authors,
    _headline_byline,
    _headline_credit,
    _labelled_authors,
    _author_page_links,
    _json_ld_page_authors,
)
