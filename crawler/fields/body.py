"""Body boilerplate removal: keep the article's paragraphs, drop what pages leak around them.

Extractors such as trafilatura return the article text plus stray page furniture: drop caps,
read counters, date and byline lines, tag lines, share prompts, "Lire aussi" links, photo
credits, paywall notices and the sidebar lists that follow the article. Every rule matches a
*whole short line*, so a real paragraph that merely mentions "partager" or "photo" is kept.
Agency credit lines ("(AFP)", "Avec AFP", "Source : APS") are deliberately left alone: the
agency finder reads them.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from lxml import etree

from crawler.fields.text import clean_text, loose_key, word_count

_HAS_ALNUM = re.compile(r"[^\W_]")
_EDGE_LEFT = re.compile(r"^[\s•·>»›*\-–—|]+")
# from the start of a run only: searched from inside a long run not at the end, it rescanned
# the rest of the run from each character (the leftmost match starts there anyway)
_EDGE_RIGHT = re.compile(r"(?<![\s.:!…»›>|\-–—])[\s.:!…»›>|\-–—]+$")
_NON_ALNUM = re.compile(r"[\W_]+")
_NON_SPACE = re.compile(r"\S+")
_SEPARATOR = re.compile(r"\s+[-|–—•·»:]{1,2}\s+|\s*\|\s*")

_MAX_SHORT_WORDS = 15
# A boilerplate line is at most 80 words (a newsletter footer): longer in characters, it is
# a few giant "words", and the line rules would read it at a cost that grows with it.
_MAX_BOILERPLATE_CHARS = 1000
_MAX_METADATA_WORDS = 20
_MAX_PROMPT_WORDS = 25
_MAX_RELATED_WORDS = 40
_HEAD_LINES = 3
_LISTING_LINE_WORDS = 20
_REAL_PARAGRAPH_WORDS = 15


def compile_i(pattern: str) -> re.Pattern[str]:
    """A case-blind pattern (the line rules' and the page rules' own)."""
    return re.compile(pattern, re.IGNORECASE)


_DROP_CAP = re.compile(r"[^\W\d_]")

_READ_COUNTER = compile_i(
    r"(?:(?:lu|vu|vues?|lectures?|consultations?)\s*:?\s*\d[\d\s.,]*(?:\s*fois)?"
    r"|\d[\d\s.,]*\s*(?:vues|lectures|lecteurs|fois|consultations))"
)

# Pieces a date/counter-only line is made of; once they are gone no letter may remain.
_METADATA_PIECES = compile_i(
    r"\b(?:publi[ée]e?s?|mis\s+[àa]\s+jour|mise\s+[àa]\s+jour|modifi[ée]e?|actualis[ée]e?"
    r"|m[àa]j|posted|updated|published|derni[èe]re\s+mise\s+[àa]\s+jour|cr[ée]{1,2}e?"
    r"|publication|parution|date\s+de\s+publication|d[ée]tails|(?:derni[èe]re\s+)?modification"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|janv(?:ier)?|f[ée]vr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|ao[ûu]t"
    r"|sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|d[ée]c(?:embre)?"
    r"|il\s+y\s+a|minutes?|min|heures?|h|mn|gmt|utc|cet|cest|le|à|a|et|à\s+jour"
    r"|lu|vu|vues|fois|lectures?|temps\s+de\s+lecture|er)\b"
    r"|\d{1,2}\s*[h:]\s*\d{0,2}(?:\s*min)?|\b1(?:er|ᵉʳ)\b"
)
_METADATA_ANCHOR = compile_i(
    r"\b(?:publi[ée]|mis\s+[àa]\s+jour|mise\s+[àa]\s+jour|modifi[ée]|actualis[ée]|m[àa]j"
    r"|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre"
    r"|d[ée]cembre|lu\s*:|vues|modification)\b|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}"
)
_LETTER = re.compile(r"[^\W\d_]")
_DANGLING_PAR = re.compile(r"(?<![\s,])[\s,]*\b(?:par|by)\s*$", re.IGNORECASE)

_BYLINE_NAME = r"(?:[A-ZÀ-ÝŒ][\w'’.-]*|d[eu']|des|de\s+la|la|le|van|von|ben|el|al|ibn)"
_BYLINE_NAMES = (
    rf"{_BYLINE_NAME}(?:\s+{_BYLINE_NAME}){{0,5}}"
    rf"(?:\s*(?:,|\bet\b|&|\band\b)\s*{_BYLINE_NAME}(?:\s+{_BYLINE_NAME}){{0,5}})*"
)
# what opens a signature line: "Par", an interview's "Propos recueillis par", a credits
# line's "Texte :", a correspondent's "De notre correspondant à Bamako,"
_BYLINE_OPENER = (
    r"(?:[Pp]ar|By|PAR|[Pp]ropos\s+recueillis\s+par|[Tt]extes?\s*:"
    r"|[Dd]e\s+(?:notre|nos)\s+(?:envoy[ée]e?s?\s+sp[ée]ciale?s?|correspondante?s?)"
    r"(?:\s+(?:[àa]|en|au|aux)\s+[\w'’ -]{1,40})?\s*,)"
)
_BYLINE = re.compile(
    r"(?:[Pp]ar|PAR)\s+(?:la\s+)?r[ée]daction(?:\s+[\w'’-]+){0,3}|"
    rf"{_BYLINE_OPENER}\s+{_BYLINE_NAMES}"
    r"(?:\s*,\s*[\w'’ -]{1,60})?"
    # the photographer's credit on the same line: "Texte : X · Photos : Y"
    rf"(?:\s*[·•|/–—-]\s*(?:[Pp]hotos?|[Ii]llustrations?|[Ii]mages?|[Vv]id[ée]os?)\s*:\s*"
    rf"{_BYLINE_NAMES})?"
)
_AGENCY = re.compile(
    r"\b(?:AFP|Reuters|REUTERS|AP|APS|MAP|TAP|APA|AIP|ANP|Belga|BELGA|ATS|Xinhua|PANA|ACP|AGP"
    r"|ABP|ANGOP|APANEWS)\b"
)

_TAG_LINE = compile_i(
    r"(?:tags?|mots?[- ]?cl[ée]s?|th[èe]mes?|sujets?(?:\s+associ[ée]s)?|[ée]tiquettes?"
    r"|keywords?)(?:\s*:.*)?"
)

_SOCIAL = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|messenger|telegram|e-?mail|mail|courriel"
    r"|imprimer|print|pinterest|reddit|flipboard|bluesky|threads|sms|copier\s+le\s+lien"
    r"|lien\s+copi[ée])"
)
_PROMPTS = [
    compile_i(
        r"partager(?:\s+(?:cet\s+article|l['’]article|sur\s+\S+(?:\s+\S+)?"
        r"|par\s+(?:e-?mail|courriel|sms)|via\s+\S+))?"
    ),
    compile_i(rf"{_SOCIAL}(?:[\s,|/·•-]+{_SOCIAL})*"),
    compile_i(r"imprimer(?:\s+(?:l['’]|cet\s+)article)?"),
    compile_i(r"envoyer(?:\s+(?:par|à)\s+(?:e-?mail|courriel|un\s+ami)|\s+l['’]article)?"),
    compile_i(
        r"r[ée]agir|r[ée]agissez|commenter|\d*\s*commentaires?|voir\s+les\s+(?:commentaires|contributions)"
    ),
    compile_i(r"(?:ajouter\s+(?:à|aux)\s+(?:mes\s+)?favoris|sauvegarder(?:\s+l['’]article)?)"),
    compile_i(r"offrir\s+(?:cet\s+|l['’])article|[ée]couter\s+(?:cet\s+|l['’])article"),
    compile_i(
        r"(?:temps\s+de\s+)?lecture\s*:?\s*\d+\s*min(?:utes?)?|\d+\s*min(?:utes?)?\s+de\s+lecture"
    ),
    compile_i(r"(?:article\s+)?r[ée]serv[ée]\s+aux\s+abonn[ée]s|abonn[ée]s|premium"),
    compile_i(r"s['’]abonner|je\s+m['’]abonne|se\s+connecter|connectez-vous(?:\s+ici)?"),
    compile_i(
        r"cr[ée]ez\s+votre\s+compte|d[ée]j[àa]\s+abonn[ée]\s*\??(?:\s*(?:se\s+connecter|connectez-vous))?"
    ),
    compile_i(r"publicit[ée]|contenu\s+sponsoris[ée]|contenus?\s+partenaires?"),
    # a live blog's closing marker
    compile_i(r"fin\s+(?:du|de\s+ce|de\s+notre)\s+(?:direct|live|suivi\s+en\s+direct)"),
    compile_i(r"en\s+savoir\s+plus|d[ée]tails|j['’]accepte|tout\s+accepter|tout\s+refuser"),
    # footer links that extractors sometimes keep
    compile_i(
        r"mentions\s+l[ée]gales|conditions\s+g[ée]n[ée]rales(?:\s+d['’]\w+)?(?:\s+de\s+vente)?"
        r"|politique\s+de\s+confidentialit[ée]|g[ée]rer\s+(?:mes\s+)?(?:les\s+)?cookies"
        r"|charte\s+(?:des\s+commentaires|de\s+mod[ée]ration)|plan\s+du\s+site|cgu|cgv"
        r"|nous\s+contacter|contactez-nous|qui\s+sommes-nous\s*\??"
    ),
]
# Prompts recognised by a phrase anywhere in a short line.
_PROMPT_PHRASES = compile_i(
    r"suivez-nous\b|abonnez-vous\b.*\bnewsletter|inscrivez-vous\b.*\bnewsletter"
    r"|newsletter\b.*\b(?:inscri|abonn)|recevez\b.*\bnewsletter"
    r"|abonnez-vous\s+pour\s+(?:acc[ée]der|lire|continuer|ne\s+rien\s+manquer)"
    r"|t[ée]l[ée]charge[zr]\s+(?:notre|l['’])\s*app"
    r"|(?:ce\s+site|nous)\s+utilis(?:e|ons)\s+des\s+cookies|en\s+poursuivant\s+votre\s+navigation"
    r"|(?:accepter|refuser|param[ée]trer)\s+(?:les\s+|tous\s+les\s+)?cookies"
)

# "Lire aussi ..." always introduces a link; the other markers only when alone or before ":",
# since "Sur le même sujet, le ministre a..." is a sentence.
_RELATED = compile_i(
    r"[\W_]*(?:(?:[àa]\s+)?(?:lire|voir|[ée]couter|regarder|relire)\s+(?:aussi|[ée]galement|encore)"
    r"\b.*"
    r"|(?:[àa]\s+(?:lire|voir|[ée]couter|d[ée]couvrir)|lire\s+la\s+suite"
    r"|sur\s+le\s+m[êe]me\s+(?:sujet|th[èe]me)|(?:pour\s+)?aller\s+plus\s+loin"
    r"|pour\s+approfondir|dans\s+la\s+m[êe]me\s+rubrique"
    r"|articles?\s+(?:similaires|li[ée]s|associ[ée]s|recommand[ée]s))\s*(?::.*)?)"
)

# Headers of blocks that follow the article (sidebars, listings, comments): the header and,
# when what follows looks like a listing, everything after it.
_TRAILING_HEADERS = compile_i(
    r"fil\s+d['’]\s*(?:info|actu)s?|(?:articles\s+)?les\s+plus\s+(?:lus|partag[ée]s|comment[ée]s|vus)"
    r"|[àa]\s+la\s+une|derni[èe]res\s+(?:infos?|actualit[ée]s|news|minutes?)|en\s+continu"
    r"|dans\s+la\s+m[êe]me\s+rubrique|sur\s+le\s+m[êe]me\s+(?:sujet|th[èe]me)"
    r"|(?:[àa]\s+)?lire\s+(?:aussi|[ée]galement)|[àa]\s+d[ée]couvrir|[àa]\s+voir\s+aussi"
    r"|voir\s+aussi|pour\s+approfondir|(?:pour\s+)?aller\s+plus\s+loin"
    r"|articles?\s+(?:similaires|li[ée]s|associ[ée]s|recommand[ée]s)"
    r"|nos\s+derniers\s+articles|vous\s+(?:aimerez|pourriez)\s+aussi(?:\s+aimer)?"
    r"|recommand[ée]s?\s+pour\s+vous|commentaires?|ajouter\s+un\s+commentaire"
    r"|laisser\s+un\s+commentaire|les\s+commentaires\s+sont\s+ferm[ée]s"
)
_PAYWALL = compile_i(
    r"(?:il\s+vous\s+reste\s+\d+(?:[.,]\d+)?\s*%\s+(?:de\s+cet\s+article\s+)?[àa]\s+lire"
    r"|la\s+suite\s+(?:de\s+cet\s+article\s+)?est\s+r[ée]serv[ée]e\s+aux\s+abonn[ée]s"
    r"|cet\s+article\s+est\s+r[ée]serv[ée]\s+aux\s+abonn[ée]s"
    r"|pour\s+lire\s+la\s+suite|pour\s+acc[ée]der\s+(?:en\s+illimit[ée]|[àa]\s+la\s+suite)"
    r"|vous\s+souhaitez\s+lire\s+la\s+suite|lisez\s+la\s+suite\s+(?:de\s+cet\s+article\s+)?"
    r"(?:pour|en)\b).*"
)

_PHOTO_CREDIT = compile_i(
    r"(?:photos?|cr[ée]dits?(?:\s+photos?)?|illustrations?|images?|vid[ée]os?|infographie"
    r"|montage|capture\s+d['’][ée]cran|source\s+photo)\s*(?:\(cc\))?\s*:.*"
    r"|©.*|\(c\)\s*\d{4}.*|copyright\b.*"
    r"|\(\s*(?:photos?|illustration|images?|archives?|cr[ée]dits?)\b[^)]*\)"
    r"|photos?\s+(?:d['’]illustration|d['’]archives?|dr|afp|reuters|ap|getty(?:\s+images)?)"
    r"(?:\s*/\s*[\w .'-]+)?"
)
# A caption ending with its photo credit: "Tapie en 2008. REUTERS/Benoit Tessier",
# "Le président à Dakar. LUDOVIC MARIN/AFP".
_PHOTO_SERVICES = (
    r"(?:AFP|REUTERS|Reuters|AP|SIPA|Sipa|MAXPPP|Maxppp|ABACA|Abaca|EPA|Getty\s+Images"
    r"|Hans\s+Lucas|BELGA|Belga|Xinhua|Anadolu|Shutterstock|iStock|DR)"
)
_CAPTION_NAME = r"[A-ZÀ-Ý][\w'’.-]+(?:\s+[A-ZÀ-Ý][\w'’.-]+){0,3}"
_CAPTION_CREDIT = re.compile(
    rf"(?:^|\s|\.)(?:{_PHOTO_SERVICES}\s*/\s*{_CAPTION_NAME}|{_CAPTION_NAME}\s*/\s*{_PHOTO_SERVICES})$"
)
_MAX_CAPTION_WORDS = 25
# A caption's credit ("LUDOVIC MARIN/AFP") ends the line and is short: it is searched for in
# the line's tail only (from every "." of a long one-word line, the name pattern ran to the
# end of it: 10 kB took a second).
_CAPTION_CREDIT_CHARS = 200


def _caption_start(core: str) -> int:
    return max(0, len(core) - _CAPTION_CREDIT_CHARS)


# The outlet's promotion of its newsletter, printed at the foot of an article.
_NEWSLETTER_FOOTER = compile_i(
    r"(?:cet\s+article|cette\s+chronique|ce\s+texte)\s+(?:est\s+paru|a\s+[ée]t[ée]\s+publi[ée]e?"
    r"|est\s+extrait)\s+(?:dans|de)\s+(?:notre|la)\s+newsletter\b.*"
)
_MAX_FOOTER_WORDS = 80
_COPYRIGHT_PHRASE = compile_i(
    r"tous\s+droits\s+r[ée]serv[ée]s|all\s+rights\s+reserved|reproduction\s+interdite"
)


# An embedded tweet as extractors flatten it: the photo link typed into its text. Its
# signature line ("— Name (@handle) June 1, 2018") is kept: real-page truths (trafilatura's
# evaluation set) count the tweet's author as text of the article.
_TWEET_PHOTO_LINK = re.compile(r"\s*\b(?:https?://)?pic\.(?:twitter|x)\.com/\w+")


def strip_embed_marks(line: str) -> str:
    """The line without an embedded tweet's "pic.twitter.com/…" photo link."""
    if "pic." not in line:
        return line
    return _TWEET_PHOTO_LINK.sub("", line).strip()


def line_core(line: str) -> str:
    """The line without bullets, arrows and trailing punctuation, for whole-line matching."""
    return _EDGE_RIGHT.sub("", _EDGE_LEFT.sub("", line))


def _is_title_repeat(line: str, title: str) -> bool:
    key = loose_key(title)
    if not key:
        return False
    if loose_key(line) == key:
        return True
    # One pass: the loose prefix grows piece by piece (`loose_key` of a concatenation is the
    # concatenation of `loose_key`: every combining mark is \W), and stops once past the key.
    prefix, start = "", 0
    word_ends: list[int] | None = None
    for m in _SEPARATOR.finditer(line):
        prefix += loose_key(line[start : m.start()])
        start = m.start()
        if len(prefix) > len(key):
            return False
        if prefix == key:
            if word_ends is None:
                word_ends = [w.end() for w in _NON_SPACE.finditer(line)]
            if len(word_ends) - bisect.bisect_right(word_ends, m.end()) <= 8:
                return True
    return False


_KICKER_MAX_WORDS = 5


def _is_kicker_line(line: str) -> bool:
    """A few words without sentence punctuation: a rubric or topic label, not article text."""
    return len(line.split()) <= _KICKER_MAX_WORDS and not _PROSE_END.search(line)


def _is_metadata_only(line: str) -> bool:
    """Dates, times, counters and "Publié le" labels only ("28 Octobre 2024 Lu: 97")."""
    if not _METADATA_ANCHOR.search(line) or len(line.split()) > _MAX_METADATA_WORDS:
        return False
    # "Publié le 3 février 2023, par": the author's name was a link the extractor dropped
    line = _DANGLING_PAR.sub("", line)
    return not _LETTER.search(_METADATA_PIECES.sub(" ", line))


def is_byline(line: str) -> bool:
    """ "Par Jean Dupont" (maybe with a date or a role), never an agency credit."""
    if len(line) > _MAX_BOILERPLATE_CHARS:
        return False
    if _AGENCY.search(line) or len(line.split()) > _MAX_SHORT_WORDS:
        return False
    without_dates = _METADATA_PIECES.sub(" ", line) if _METADATA_ANCHOR.search(line) else line
    without_dates = re.sub(r"[\d/:.,|\-–—]+\s*$", "", " ".join(without_dates.split())).strip()
    return bool(_BYLINE.fullmatch(without_dates))


def _is_boilerplate_line(line: str) -> bool:
    core = line_core(line)
    if len(core) > _MAX_BOILERPLATE_CHARS:
        return False  # every rule below is for a short line; "short" in words is not enough
    words = word_count(core)
    if not core:
        return True
    if words <= 1 and _DROP_CAP.fullmatch(core):
        return True
    if _is_metadata_only(core):
        return True
    if words <= _MAX_SHORT_WORDS and (
        _READ_COUNTER.fullmatch(core) or _PHOTO_CREDIT.fullmatch(core)
    ):
        return True
    if words <= _MAX_CAPTION_WORDS and _CAPTION_CREDIT.search(core, _caption_start(core)):
        return True
    if words <= _MAX_FOOTER_WORDS and _NEWSLETTER_FOOTER.fullmatch(core):
        return True
    if words <= _MAX_PROMPT_WORDS:
        if _TAG_LINE.fullmatch(core) or any(p.fullmatch(core) for p in _PROMPTS):
            return True
        if _PROMPT_PHRASES.search(core) or _COPYRIGHT_PHRASE.search(core):
            return True
        if _PAYWALL.fullmatch(core) or _TRAILING_HEADERS.fullmatch(core):
            return True
    return words <= _MAX_RELATED_WORDS and bool(_RELATED.fullmatch(core))


def _is_cut_marker(line: str) -> bool:
    core = line_core(line)
    if word_count(core) > _MAX_PROMPT_WORDS:
        return False
    return bool(_TRAILING_HEADERS.fullmatch(core) or _PAYWALL.fullmatch(core))


def _cut_trailing_blocks(lines: list[str]) -> list[str]:
    """Cut at a sidebar/paywall header when what follows is a listing or the article's tail."""
    for index, line in enumerate(lines):
        if index == 0 or not _is_cut_marker(line):
            continue
        rest = lines[index + 1 :]
        listing = all(word_count(r) <= _LISTING_LINE_WORDS for r in rest)
        if listing or index >= len(lines) / 2:
            return lines[:index]
    return lines


def _compile_site_patterns(patterns: list[str] | None) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns or []:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error:
            continue  # a bad site-file regex must not break extraction
    return compiled


def clean_body(
    paragraphs: list[str], *, title: str | None = None, drop_patterns: list[str] | None = None
) -> list[str]:
    """The article's own paragraphs, in order, without page boilerplate.

    `drop_patterns` (from the site file) are searched case-insensitively in each paragraph;
    a match drops that paragraph.
    """
    site_patterns = _compile_site_patterns(drop_patterns)
    lines = [strip_embed_marks(clean_text(p.replace("\n", " "))) for p in paragraphs]
    lines = [line for line in lines if line and _HAS_ALNUM.search(line)]
    lines = [line for line in lines if not any(p.search(line) for p in site_patterns)]
    lines = _cut_trailing_blocks(lines)

    lines = [line for line in lines if not _is_boilerplate_line(line)]
    kept: list[str] = []
    in_head = True
    for index, line in enumerate(lines):
        near_edge = in_head or index < _HEAD_LINES or index >= len(lines) - 2
        # the headline again, at the top or in the page's tail (Joomla prints it after the text)
        at_edge = index < 3 or index >= len(lines) - 3
        if title and at_edge and _is_title_repeat(line, title):
            if index < 3:
                # a kicker/rubric printed above the headline ("Transport en commun") is a label
                while kept and _is_kicker_line(kept[-1]):
                    kept.pop()
            continue
        if near_edge and is_byline(line):
            continue
        if word_count(line) >= _REAL_PARAGRAPH_WORDS:
            in_head = False
        kept.append(line)
    return kept


_MIN_LEAD_WORDS = 8
_LEAD_CLIMB = 3
_LEAD_NOISE = frozenset({"nav", "footer", "aside", "form", "script", "style", "head"})


def find_visible_lead(tree: Any, description: str | None) -> str | None:
    """The page's standfirst: a block shown on the page whose text is the meta description.

    Outlets print the lead ("chapô") between the headline and the body and repeat it in
    <meta name=description>; extractors often leave it out of the body. A truncated
    description ("...") matches no block and gives None.
    """
    if not description or word_count(description) < _MIN_LEAD_WORDS:
        return None
    key = loose_key(description)
    # the probe is searched as written: a word with an apostrophe or a quote may be typed
    # differently in the page (’ for '), so the longest plain word is used
    plain = [w for w in description.split()[:8] if not any(q in w for q in "'’\"«»")]
    words = sorted(plain, key=len, reverse=True)
    probe = words[0] if words else ""
    if not key or len(probe) < 4 or "'" in probe or '"' in probe:
        return None
    try:
        nodes = tree.xpath("//body//text()[contains(., $probe)]", probe=probe)
    except etree.XPathError:
        return None
    for node in nodes:
        element = node.getparent()
        if element is not None and getattr(node, "is_tail", False):
            element = element.getparent()  # a tail belongs to the element around its owner
        for _ in range(_LEAD_CLIMB + 1):
            if element is None or not isinstance(element.tag, str) or element.tag == "body":
                break
            if any(a.tag in _LEAD_NOISE for a in (element, *element.iterancestors())):
                break
            text = " ".join(element.text_content().split())
            if loose_key(text) == key:
                return clean_text(text)
            if len(text) > 2 * len(description):
                break
            element = element.getparent()
    return None


def merge_lead(lines: list[str], lead: str | None) -> list[str]:
    """Lines with the lead first, unless the extractor already kept it (or part of it)."""
    if not lead:
        return lines
    key = loose_key(lead)
    if not key or key in loose_key(" ".join(lines)):
        return lines
    start = 0
    while start < len(lines) and loose_key(lines[start]) and loose_key(lines[start]) in key:
        start += 1  # a piece of the lead kept on its own
    return [lead, *lines[start:]]


# A sentence ends with a stop (Latin, CJK "。", Devanagari "।", Armenian "։", Arabic "؟"...),
# possibly inside closing quotes or brackets (« », “ ”, 「 」).
_PROSE_END = re.compile(r"[.!?…»\")\]”’。！？．｡।॥։؟۔」』）]\s*$")
# A page that says its text is for subscribers (schema.org `isAccessibleForFree: false`).
NOT_FREE_RE = re.compile(rb"\"isAccessibleForFree\"\s*:\s*\"?(?:false|False|FALSE)\"?")


def declared_not_free(html: str | bytes) -> bool:
    """Does the page's JSON-LD say it is not free to read (a paywall, or a metered article)?"""
    data = html.encode("utf-8", "replace") if isinstance(html, str) else html
    return NOT_FREE_RE.search(data) is not None


_PROSE_MIN_WORDS = 8
# A stop followed by a space: where a sentence ends inside a line.
_SENTENCE_BREAK = re.compile(r"[.!?…。！？．｡।॥։؟۔][»\")\]”’」』）]?\s")
_PROSE_MIN_SENTENCES = 2  # inside run-on text, one sentence may be a caption


def has_prose(paragraphs: list[str]) -> bool:
    """Does the text hold sentences (runs of words ending like a sentence)?

    A page that is only a video, a photo gallery or a teaser can leave the extractor with
    one run-on line of headline, date, counter, caption, tags and share buttons: enough words,
    but no sentence. Such a page is not an article. A paragraph ending like a sentence is
    prose; so is text holding two sentences, even when the page gives it as one run-on line
    (no <p>) or wraps it at a fixed width (a wire dispatch in <pre>).
    """
    if any(word_count(p) >= _PROSE_MIN_WORDS and _PROSE_END.search(p) for p in paragraphs):
        return True
    pieces = _SENTENCE_BREAK.split(" ".join(paragraphs) + " ")[:-1]  # the last one is no sentence
    sentences = sum(1 for piece in pieces if word_count(piece) >= _PROSE_MIN_WORDS)
    return sentences >= _PROSE_MIN_SENTENCES
