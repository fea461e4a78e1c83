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
import unicodedata
from typing import Any

from lxml import etree

from crawler.fields.html import collapse_space, is_listing_block, short_text
from crawler.fields.text import clean_text, word_count

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


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_DROP_CAP = re.compile(r"[^\W\d_]")

_READ_COUNTER = _rx(
    r"(?:(?:lu|vu|vues?|lectures?|consultations?)\s*:?\s*\d[\d\s.,]*(?:\s*fois)?"
    r"|\d[\d\s.,]*\s*(?:vues|lectures|lecteurs|fois|consultations))"
)

# Pieces a date/counter-only line is made of; once they are gone no letter may remain.
_METADATA_PIECES = _rx(
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
_METADATA_ANCHOR = _rx(
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

_TAG_LINE = _rx(
    r"(?:tags?|mots?[- ]?cl[ée]s?|th[èe]mes?|sujets?(?:\s+associ[ée]s)?|[ée]tiquettes?"
    r"|keywords?)(?:\s*:.*)?"
)

_SOCIAL = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|messenger|telegram|e-?mail|mail|courriel"
    r"|imprimer|print|pinterest|reddit|flipboard|bluesky|threads|sms|copier\s+le\s+lien"
    r"|lien\s+copi[ée])"
)
_PROMPTS = [
    _rx(
        r"partager(?:\s+(?:cet\s+article|l['’]article|sur\s+\S+(?:\s+\S+)?"
        r"|par\s+(?:e-?mail|courriel|sms)|via\s+\S+))?"
    ),
    _rx(rf"{_SOCIAL}(?:[\s,|/·•-]+{_SOCIAL})*"),
    _rx(r"imprimer(?:\s+(?:l['’]|cet\s+)article)?"),
    _rx(r"envoyer(?:\s+(?:par|à)\s+(?:e-?mail|courriel|un\s+ami)|\s+l['’]article)?"),
    _rx(
        r"r[ée]agir|r[ée]agissez|commenter|\d*\s*commentaires?|voir\s+les\s+(?:commentaires|contributions)"
    ),
    _rx(r"(?:ajouter\s+(?:à|aux)\s+(?:mes\s+)?favoris|sauvegarder(?:\s+l['’]article)?)"),
    _rx(r"offrir\s+(?:cet\s+|l['’])article|[ée]couter\s+(?:cet\s+|l['’])article"),
    _rx(r"(?:temps\s+de\s+)?lecture\s*:?\s*\d+\s*min(?:utes?)?|\d+\s*min(?:utes?)?\s+de\s+lecture"),
    _rx(r"(?:article\s+)?r[ée]serv[ée]\s+aux\s+abonn[ée]s|abonn[ée]s|premium"),
    _rx(r"s['’]abonner|je\s+m['’]abonne|se\s+connecter|connectez-vous(?:\s+ici)?"),
    _rx(
        r"cr[ée]ez\s+votre\s+compte|d[ée]j[àa]\s+abonn[ée]\s*\??(?:\s*(?:se\s+connecter|connectez-vous))?"
    ),
    _rx(r"publicit[ée]|contenu\s+sponsoris[ée]|contenus?\s+partenaires?"),
    # a live blog's closing marker
    _rx(r"fin\s+(?:du|de\s+ce|de\s+notre)\s+(?:direct|live|suivi\s+en\s+direct)"),
    _rx(r"en\s+savoir\s+plus|d[ée]tails|j['’]accepte|tout\s+accepter|tout\s+refuser"),
    # footer links that extractors sometimes keep
    _rx(
        r"mentions\s+l[ée]gales|conditions\s+g[ée]n[ée]rales(?:\s+d['’]\w+)?(?:\s+de\s+vente)?"
        r"|politique\s+de\s+confidentialit[ée]|g[ée]rer\s+(?:mes\s+)?(?:les\s+)?cookies"
        r"|charte\s+(?:des\s+commentaires|de\s+mod[ée]ration)|plan\s+du\s+site|cgu|cgv"
        r"|nous\s+contacter|contactez-nous|qui\s+sommes-nous\s*\??"
    ),
]
# Prompts recognised by a phrase anywhere in a short line.
_PROMPT_PHRASES = _rx(
    r"suivez-nous\b|abonnez-vous\b.*\bnewsletter|inscrivez-vous\b.*\bnewsletter"
    r"|newsletter\b.*\b(?:inscri|abonn)|recevez\b.*\bnewsletter"
    r"|abonnez-vous\s+pour\s+(?:acc[ée]der|lire|continuer|ne\s+rien\s+manquer)"
    r"|t[ée]l[ée]charge[zr]\s+(?:notre|l['’])\s*app"
    r"|(?:ce\s+site|nous)\s+utilis(?:e|ons)\s+des\s+cookies|en\s+poursuivant\s+votre\s+navigation"
    r"|(?:accepter|refuser|param[ée]trer)\s+(?:les\s+|tous\s+les\s+)?cookies"
)

# "Lire aussi ..." always introduces a link; the other markers only when alone or before ":",
# since "Sur le même sujet, le ministre a..." is a sentence.
_RELATED = _rx(
    r"[\W_]*(?:(?:[àa]\s+)?(?:lire|voir|[ée]couter|regarder|relire)\s+(?:aussi|[ée]galement|encore)"
    r"\b.*"
    r"|(?:[àa]\s+(?:lire|voir|[ée]couter|d[ée]couvrir)|lire\s+la\s+suite"
    r"|sur\s+le\s+m[êe]me\s+(?:sujet|th[èe]me)|(?:pour\s+)?aller\s+plus\s+loin"
    r"|pour\s+approfondir|dans\s+la\s+m[êe]me\s+rubrique"
    r"|articles?\s+(?:similaires|li[ée]s|associ[ée]s|recommand[ée]s))\s*(?::.*)?)"
)

# Headers of blocks that follow the article (sidebars, listings, comments): the header and,
# when what follows looks like a listing, everything after it.
_TRAILING_HEADERS = _rx(
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
_PAYWALL = _rx(
    r"(?:il\s+vous\s+reste\s+\d+(?:[.,]\d+)?\s*%\s+(?:de\s+cet\s+article\s+)?[àa]\s+lire"
    r"|la\s+suite\s+(?:de\s+cet\s+article\s+)?est\s+r[ée]serv[ée]e\s+aux\s+abonn[ée]s"
    r"|cet\s+article\s+est\s+r[ée]serv[ée]\s+aux\s+abonn[ée]s"
    r"|pour\s+lire\s+la\s+suite|pour\s+acc[ée]der\s+(?:en\s+illimit[ée]|[àa]\s+la\s+suite)"
    r"|vous\s+souhaitez\s+lire\s+la\s+suite|lisez\s+la\s+suite\s+(?:de\s+cet\s+article\s+)?"
    r"(?:pour|en)\b).*"
)

_PHOTO_CREDIT = _rx(
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
_NEWSLETTER_FOOTER = _rx(
    r"(?:cet\s+article|cette\s+chronique|ce\s+texte)\s+(?:est\s+paru|a\s+[ée]t[ée]\s+publi[ée]e?"
    r"|est\s+extrait)\s+(?:dans|de)\s+(?:notre|la)\s+newsletter\b.*"
)
_MAX_FOOTER_WORDS = 80
_COPYRIGHT_PHRASE = _rx(
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


def _loose(text: str) -> str:
    # every combining mark (the accents NFKD splits off) is \W, so _NON_ALNUM drops them too
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKD", text.casefold()))


def _core(line: str) -> str:
    """The line without bullets, arrows and trailing punctuation, for whole-line matching."""
    return _EDGE_RIGHT.sub("", _EDGE_LEFT.sub("", line))


def _is_title_repeat(line: str, title: str) -> bool:
    key = _loose(title)
    if not key:
        return False
    if _loose(line) == key:
        return True
    # One pass: the loose prefix grows piece by piece (`_loose` of a concatenation is the
    # concatenation of `_loose`: every combining mark is \W), and stops once past the key.
    prefix, start = "", 0
    word_ends: list[int] | None = None
    for m in _SEPARATOR.finditer(line):
        prefix += _loose(line[start : m.start()])
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


def _is_byline(line: str) -> bool:
    """ "Par Jean Dupont" (maybe with a date or a role), never an agency credit."""
    if len(line) > _MAX_BOILERPLATE_CHARS:
        return False
    if _AGENCY.search(line) or len(line.split()) > _MAX_SHORT_WORDS:
        return False
    without_dates = _METADATA_PIECES.sub(" ", line) if _METADATA_ANCHOR.search(line) else line
    without_dates = re.sub(r"[\d/:.,|\-–—]+\s*$", "", " ".join(without_dates.split())).strip()
    return bool(_BYLINE.fullmatch(without_dates))


def _is_boilerplate_line(line: str) -> bool:
    core = _core(line)
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
    core = _core(line)
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
        if near_edge and _is_byline(line):
            continue
        if word_count(line) >= _REAL_PARAGRAPH_WORDS:
            in_head = False
        kept.append(line)
    return kept


# ---------------------------------------------------------------------------- page level
#
# Rules on the parsed page, applied before trafilatura sees it (prune, promote) or after it
# (the visible lead). They work on any lxml tree and never raise on odd markup.

# class/id pieces of blocks that surround an article without being part of it: paywall and
# subscription calls, newsletter boxes, "lire aussi" asides, latest/most-read lists, sidebars,
# forms, breadcrumb trails. Matched as whole hyphen/underscore/space-separated pieces.
_BOILERPLATE_PIECES = (
    r"reactions?|commentaires|paywall|abonnements?|subscribe|subscription|newsletters?|cta|lire-?aussi|read-?also"
    r"|a-lire|voir-?aussi|sur-le-meme-sujet|same-topic|related|aside|latest|most-?read"
    r"|plus-?lus|outbrain|taboola|formulaire|cookies?|consent|cookie-?banner|rgpd|gdpr"
    # the page's trail (SPIP calls it "arbo"): it names the page, it is not its text
    r"|breadcrumbs?|ariane|arbo"
)
_BOILERPLATE_MARKS = re.compile(rf"(?:^|[\s_-])(?:{_BOILERPLATE_PIECES})(?:$|[\s_-])", re.I)
_MARKED_CONTAINERS = (
    "//body//*[self::div or self::section or self::aside or self::ul or self::ol or self::p]"
    "[re:test(@class, $pat, 'i') or re:test(@id, $pat, 'i')]"
)
_EXSLT = {"re": "http://exslt.org/regular-expressions"}
# blocks headed "Fil d'info", "Les plus lus", "À lire aussi"... (crawler.fields.html)
_LISTING_CONTAINERS = ("div", "section", "aside", "ul", "ol", "nav")
# forms with text inputs (newsletter, login, comment forms)
_INPUT_FORMS = "//body//form[.//input[not(@type) or @type='text' or @type='email' or @type='tel']]"
# lists whose every item is another article's teaser (a heading link per item)
_TEASER_LISTS = (
    "//body//ul[count(li) >= 2][not(li[not(.//*[self::h2 or self::h3 or self::h4]//a)])]"
)
# teaser cards nested inside the article
_NESTED_TEASERS = "//article//article[not(.//h1)][.//*[self::h2 or self::h3 or self::h4]//a]"
_ARTICLE_TEXT_WORDS = 30
_ARTICLE_TEXT_PARAGRAPHS = 3
_TEASER_ANCESTORS = frozenset({"article", "li"})
_INLINE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "br",
        "cite",
        "code",
        "em",
        "font",
        "i",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
    }
)
_MIN_PROMOTED_WORDS = 15
_SENTENCE_END = re.compile(r"[.!?…»\")]\s*$")
_MIN_LEAD_WORDS = 8
_LEAD_CLIMB = 3
_LEAD_NOISE = frozenset({"nav", "footer", "aside", "form", "script", "style", "head"})


def _holds_article_text(element: Any) -> bool:
    """Several long paragraphs of its own (not inside teaser cards or list items)."""
    count = 0
    for paragraph in element.iter("p"):
        if any(a.tag in _TEASER_ANCESTORS for a in _ancestors_until(paragraph, element)):
            continue
        if word_count(paragraph.text_content()) >= _ARTICLE_TEXT_WORDS:
            count += 1
            if count >= _ARTICLE_TEXT_PARAGRAPHS:
                return True
    return False


def _ancestors_until(element: Any, stop: Any) -> list[Any]:
    found = []
    for ancestor in element.iterancestors():
        if ancestor is stop:
            break
        found.append(ancestor)
    return found


# A label alone on its line that opens a reading list ("À lire aussi :", "Pour aller plus loin").
_READING_LABEL = _rx(
    r"(?:[àa]\s+)?(?:lire|voir|relire)\s+(?:aussi|[ée]galement)|pour\s+approfondir"
    r"|(?:pour\s+)?aller\s+plus\s+loin"
)
_MAX_LABEL_CHARS = 40
_READING_LABEL_TAGS = frozenset({"p", "div", "h2", "h3", "h4", "h5", "h6"})
_MAX_SIGNATURE_CHARS = 120
_READING_ITEM_TAGS = frozenset({"p", "ul", "ol", "li", "blockquote"})
_HOST = re.compile(r"^\s*(?:https?:)?//([^/?#:]+)", re.IGNORECASE)


def _host_of(href: str) -> str:
    found = _HOST.match(href or "")
    return found.group(1).lower().removeprefix("www.") if found else ""


def _page_host(tree: Any) -> str:
    """The host of the page's canonical URL (or og:url), "" when the page names none."""
    for element in tree.iter("link", "meta"):
        rel = (element.get("rel") or "").lower().split()
        if "canonical" in rel or (element.get("property") or "").lower() == "og:url":
            host = _host_of(element.get("href") or element.get("content") or "")
            if host:
                return host
    return ""


def _cites_other_sites(block: Any, page_host: str) -> bool:
    """The block links to another site's page, and never to this site."""
    hosts = [_host_of(a.get("href") or "") for a in block.iter("a")]
    return bool(hosts) and all(host and host != page_host for host in hosts)


def release_reading_lists(tree: Any) -> int:
    """Drop the label of a reading list that cites other publications (and the signature above).

    "À lire aussi :" usually opens the outlet's own teasers, and the line rules cut the text
    there. When every paragraph after the label cites another site (a review, a book, a
    report, with its description), the list is the author's own reading notes: the label goes,
    so the list stays in the text; a "Par Name" signature just before it goes too.
    Returns how many labels were dropped.
    """
    page_host = _page_host(tree)
    if not page_host:
        return 0
    released = 0
    for label in list(tree.iter(*_READING_LABEL_TAGS)):
        if label.getparent() is None or len(label) > 1:
            continue
        own = (label.text or "").strip() or (label[0].text or "" if len(label) else "")
        if not own or len(own) > _MAX_LABEL_CHARS:
            continue  # cheap test first: a label's text is its own or its only child's
        core = _core(short_text(label, _MAX_LABEL_CHARS) or "")
        if not core or not _READING_LABEL.fullmatch(core) or label.find(".//a") is not None:
            continue
        items = []
        for sibling in label.itersiblings():
            if not isinstance(sibling.tag, str) or not sibling.text_content().strip():
                continue
            if sibling.tag not in _READING_ITEM_TAGS:
                break
            items.append(sibling)
        if not items or not all(_cites_other_sites(item, page_host) for item in items):
            continue
        previous = label.getprevious()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is not None and previous.tag == "p":
            signature = short_text(previous, _MAX_SIGNATURE_CHARS)
            if signature and _is_byline(signature):
                previous.drop_tree()
        label.drop_tree()
        released += 1
    return released


_LINK_LINE_TAGS = ("p", "h2", "h3", "h4", "h5", "h6")
_LINK_LINE_CHARS = 300
_LINK_LINE_LABEL_WORDS = 4
_LINK_LINE_HEADLINE_WORDS = 3
_LINK_LINE_TAIL = " .…»\"'”’"


def drop_link_teaser_lines(tree: Any) -> int:
    """Drop the lines that are a short label, a colon and one link to another of the site's
    articles ("Lea también: <a>…</a>", "Czytaj też: <a>…</a>", "À voir : <a>…</a>").

    The label's words change with the language but the shape does not: nothing of the line is
    the article's own text. A link to another site (a source the author cites) stays.
    Returns how many lines were dropped.
    """
    page_host = _page_host(tree)
    dropped = 0
    for line in list(tree.iter(*_LINK_LINE_TAGS)):
        if line.getparent() is None:
            continue
        # the bounded text first: a long block is article text, and its links are not read
        whole = short_text(line, _LINK_LINE_CHARS)
        if not whole or ":" not in whole:
            continue
        links = [a for a in line.iter("a") if (a.text_content() or "").strip()]
        if len(links) != 1:
            continue
        host = _host_of(links[0].get("href") or "")
        if host and host != page_host:
            continue
        headline = short_text(links[0], _LINK_LINE_CHARS)
        if not headline or word_count(headline) < _LINK_LINE_HEADLINE_WORDS:
            continue
        head, found, tail = whole.rpartition(headline)
        label = head.strip()
        if not found or tail.strip(_LINK_LINE_TAIL) or not label.endswith(":"):
            continue
        if not 1 <= word_count(label.rstrip(": ")) <= _LINK_LINE_LABEL_WORDS:
            continue
        line.drop_tree()
        dropped += 1
    return dropped


def prune_boilerplate(tree: Any) -> int:
    """Drop paywall/newsletter/"lire aussi"/sidebar blocks, input forms and teaser lists.

    A block is kept when it holds the page's h1 or article text of its own (several long
    paragraphs outside teaser cards), so a misleading class never costs the article.
    A reading list citing other sites keeps its items (`release_reading_lists`).
    Returns how many blocks were dropped.
    """
    release_reading_lists(tree)
    dropped = drop_link_teaser_lines(tree)
    try:
        candidates = list(
            tree.xpath(_MARKED_CONTAINERS, namespaces=_EXSLT, pat=_BOILERPLATE_MARKS.pattern)
        )
        candidates += tree.xpath(_INPUT_FORMS)
        candidates += tree.xpath(_TEASER_LISTS)
        candidates += tree.xpath(_NESTED_TEASERS)
    except etree.XPathError:
        return 0
    listings = [el for el in tree.iter(*_LISTING_CONTAINERS) if is_listing_block(el)]
    candidates += listings
    listing_set = set(listings)
    removed: set[Any] = set()
    for element in candidates:
        if element in removed or any(a in removed for a in element.iterancestors()):
            continue
        if element.getparent() is None or element.tag == "body":
            continue
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        if (
            element.tag not in ("form", "ul", "article")
            and not _BOILERPLATE_MARKS.search(marks)
            and element not in listing_set
        ):
            continue
        if element.xpath(".//h1") or _holds_article_text(element):
            continue
        removed.add(element)
        element.drop_tree()
        dropped += 1
    return dropped


_LONG_TEXT_BLOCKS = ("p", "li", "blockquote", "pre")


def _has_long_paragraph(element: Any) -> bool:
    """A paragraph (or the block's own text) of article length: possibly the text's own."""
    return any(
        word_count(p.text_content()) >= _ARTICLE_TEXT_WORDS
        for p in element.iter(*_LONG_TEXT_BLOCKS)
    )


def text_beside_headline(tree: Any) -> frozenset[str]:
    """Texts of the blocks beside the headline's article column, and above the headline in it.

    The article column is the nearest block around the page's only h1 that holds article text
    of its own (several long paragraphs). Its sibling blocks (the site's header and slogan, a
    side column of events, the bottom line, a list of earlier episodes) and the blocks before
    the h1 inside it (a kicker, a "Communiqué de presse – Paris, le …" header) are no part of
    the article. A block holding a paragraph of article length is left out of the set, and so
    is a text also printed inside the column. The page is not changed: the extractor's choice
    of container stays its own, `drop_text_beside_headline` only removes these lines after it.
    """
    body = tree.find(".//body") if tree.tag != "body" else tree
    if body is None:
        return frozenset()
    headlines = list(body.iter("h1"))
    if len(headlines) != 1:
        return frozenset()
    headline = headlines[0]
    column = None
    for ancestor in headline.iterancestors():
        if ancestor is body or ancestor.tag == "html":
            break
        if _holds_article_text(ancestor):
            column = ancestor
            break
    if column is None:
        return frozenset()
    beside = [*column.itersiblings(preceding=True), *column.itersiblings()]
    step = headline
    while step is not column:
        beside += step.itersiblings(preceding=True)
        step = step.getparent()
    texts: set[str] = set()
    left_out: set[Any] = set()
    for block in beside:
        if not isinstance(block.tag, str) or block.tag in ("script", "style"):
            continue
        if _has_long_paragraph(block):
            continue
        for element in block.iter():
            left_out.add(element)
            if isinstance(element.tag, str):
                text = collapse_space(element.text_content())
                if text:
                    texts.add(text)
    if texts:
        texts -= {
            collapse_space(e.text_content())
            for e in column.iter()
            if isinstance(e.tag, str) and e not in left_out
        }
    return frozenset(texts)


_LIST_BULLET = re.compile(r"^-\s+")


def drop_text_beside_headline(lines: list[str], beside: frozenset[str]) -> list[str]:
    """The extracted lines without those that are a block of `text_beside_headline`."""
    if not beside:
        return lines
    return [line for line in lines if collapse_space(_LIST_BULLET.sub("", line)) not in beside]


# a <time> inside a sentence ("le sommet du <time>28 avril</time>"): trafilatura deletes
# every <time> with its text, so it is unwrapped first when it has this many words around it
_INLINE_TIME_CONTEXT_WORDS = 6
_SENTENCE_BLOCKS = frozenset({"p", "li", "blockquote", "dd", "td"})


def unwrap_inline_times(tree: Any) -> int:
    """Replace each <time> printed inside a sentence by its text, so the sentence stays whole.

    Only a <time> within a paragraph-like block (p, li, blockquote, dd, td) with words of its
    own around it: a byline's date, "Publié le <time>", is left for the extractor to drop.
    """
    unwrapped = 0
    for element in list(tree.iter("time")):
        block = element.getparent()
        while block is not None and block.tag in _INLINE_TAGS:
            block = block.getparent()  # "<p>… <span><time>…</time></span> …</p>"
        if block is None or block.tag not in _SENTENCE_BLOCKS:
            continue
        own = len(block.text_content().split()) - len(element.text_content().split())
        if own < _INLINE_TIME_CONTEXT_WORDS:
            continue
        if any(a.tag in ("h1", "header") for a in block.iterancestors()):
            continue
        element.drop_tag()
        unwrapped += 1
    return unwrapped


_SUBHEADING_TAGS = ("h2", "h3", "h4")
_MAX_SUBHEADING_WORDS = 15


def _element_sibling(element: Any, forward: bool) -> Any:
    sibling = element.getnext() if forward else element.getprevious()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext() if forward else sibling.getprevious()
    return sibling


def sandwiched_subheadings(tree: Any) -> list[tuple[str, str, str]]:
    """(heading, paragraph before, paragraph after) of each h2-h4 set between two <p>.

    A short heading with a paragraph on each side is a subheading of the text. When the
    extractor finds no article container it recovers the paragraphs alone and loses these
    headings; `restore_subheadings` puts them back.
    """
    found = []
    for heading in tree.iter(*_SUBHEADING_TAGS):
        text = collapse_space(heading.text_content())
        if not text or word_count(text) > _MAX_SUBHEADING_WORDS:
            continue
        before = _element_sibling(heading, forward=False)
        after = _element_sibling(heading, forward=True)
        if before is None or after is None or before.tag != "p" or after.tag != "p":
            continue
        above, below = collapse_space(before.text_content()), collapse_space(after.text_content())
        if above and below:
            found.append((text, above, below))
    return found


def restore_subheadings(lines: list[str], subheadings: list[tuple[str, str, str]]) -> list[str]:
    """The extracted lines with each lost subheading back between its two paragraphs.

    Only when both paragraphs were extracted and are adjacent lines, and the heading is not
    already a line: a heading around text the extractor left out stays out.
    """
    if not subheadings:
        return lines
    flat = [collapse_space(line) for line in lines]
    present = set(flat)
    inserts: dict[int, str] = {}
    for heading, above, below in subheadings:
        if heading in present:
            continue
        for index in range(len(flat) - 1):
            if flat[index] == above and flat[index + 1] == below:
                inserts[index + 1] = heading
                break
    if not inserts:
        return lines
    restored = []
    for index, line in enumerate(lines):
        if index in inserts:
            restored.append(inserts[index])
        restored.append(line)
    return restored


def promote_text_divs(tree: Any) -> int:
    """Retag as <p> the divs that read as a paragraph next to <p> siblings.

    Some outlets write a paragraph (often the opening "faits" box) as a bare <div> holding
    only inline text; extractors that look for <p> then skip it. Only a div with inline
    content, a sentence of at least 15 words and a <p> under its parent qualifies.
    """
    promoted = 0
    for div in list(tree.iter("div")):
        parent = div.getparent()
        if parent is None or parent.find(".//p") is None:
            continue
        if any(
            isinstance(child.tag, str) and child.tag not in _INLINE_TAGS
            for child in div.iterdescendants()
        ):
            continue
        text = " ".join(div.text_content().split())
        if word_count(text) >= _MIN_PROMOTED_WORDS and _SENTENCE_END.search(text):
            div.tag = "p"
            promoted += 1
    return promoted


def find_visible_lead(tree: Any, description: str | None) -> str | None:
    """The page's standfirst: a block shown on the page whose text is the meta description.

    Outlets print the lead ("chapô") between the headline and the body and repeat it in
    <meta name=description>; extractors often leave it out of the body. A truncated
    description ("...") matches no block and gives None.
    """
    if not description or word_count(description) < _MIN_LEAD_WORDS:
        return None
    key = _loose(description)
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
            if _loose(text) == key:
                return clean_text(text)
            if len(text) > 2 * len(description):
                break
            element = element.getparent()
    return None


def merge_lead(lines: list[str], lead: str | None) -> list[str]:
    """Lines with the lead first, unless the extractor already kept it (or part of it)."""
    if not lead:
        return lines
    key = _loose(lead)
    if not key or key in _loose(" ".join(lines)):
        return lines
    start = 0
    while start < len(lines) and _loose(lines[start]) and _loose(lines[start]) in key:
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
