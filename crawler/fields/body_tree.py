"""Rules on the parsed page, applied to trafilatura's tree before it extracts the body.

trafilatura keeps some page furniture (paywall and newsletter boxes, "Lire aussi" asides,
forms, teaser lists) and loses some article text (paragraphs written as bare <div>s, a date
inside a sentence, a subheading between two paragraphs). These rules prune and repair its
tree first, and restore or drop lines after it; they work on any lxml tree. The field
finders never read this tree: they read `Page.tree`, which nothing here changes.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from crawler.fields.body import compile_i, is_byline, line_core
from crawler.fields.html import collapse_space, host_of, is_listing_block, page_host, short_text
from crawler.fields.text import word_count

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
_MARKED_TAGS = ("div", "section", "aside", "ul", "ol", "p")
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
_READING_LABEL = compile_i(
    r"(?:[àa]\s+)?(?:lire|voir|relire)\s+(?:aussi|[ée]galement)|pour\s+approfondir"
    r"|(?:pour\s+)?aller\s+plus\s+loin"
)
_MAX_LABEL_CHARS = 40
_READING_LABEL_TAGS = frozenset({"p", "div", "h2", "h3", "h4", "h5", "h6"})
_MAX_SIGNATURE_CHARS = 120
_READING_ITEM_TAGS = frozenset({"p", "ul", "ol", "li", "blockquote"})


def _cites_other_sites(block: Any, own_host: str) -> bool:
    """The block links to another site's page, and never to this site."""
    hosts = [host_of(a.get("href") or "") for a in block.iter("a")]
    return bool(hosts) and all(host and host != own_host for host in hosts)


def release_reading_lists(tree: Any) -> int:
    """Drop the label of a reading list that cites other publications (and the signature above).

    "À lire aussi :" usually opens the outlet's own teasers, and the line rules cut the text
    there. When every paragraph after the label cites another site (a review, a book, a
    report, with its description), the list is the author's own reading notes: the label goes,
    so the list stays in the text; a "Par Name" signature just before it goes too.
    Returns how many labels were dropped.
    """
    own_host = page_host(tree)
    if not own_host:
        return 0
    released = 0
    for label in list(tree.iter(*_READING_LABEL_TAGS)):
        if label.getparent() is None or len(label) > 1:
            continue
        own = (label.text or "").strip() or (label[0].text or "" if len(label) else "")
        if not own or len(own) > _MAX_LABEL_CHARS:
            continue  # cheap test first: a label's text is its own or its only child's
        core = line_core(short_text(label, _MAX_LABEL_CHARS) or "")
        if not core or not _READING_LABEL.fullmatch(core) or label.find(".//a") is not None:
            continue
        items = []
        for sibling in label.itersiblings():
            if not isinstance(sibling.tag, str) or not sibling.text_content().strip():
                continue
            if sibling.tag not in _READING_ITEM_TAGS:
                break
            items.append(sibling)
        if not items or not all(_cites_other_sites(item, own_host) for item in items):
            continue
        previous = label.getprevious()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is not None and previous.tag == "p":
            signature = short_text(previous, _MAX_SIGNATURE_CHARS)
            if signature and is_byline(signature):
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
    own_host = page_host(tree)
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
        host = host_of(links[0].get("href") or "")
        if host and host != own_host:
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
        candidates = _marked_containers(tree)
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


def _marked_containers(tree: Any) -> list[Any]:
    """The blocks in <body> whose class or id holds a boilerplate piece, in page order.

    A Python walk: an XPath re:test called back into Python for every element with a class.
    """
    root = tree.getroottree().getroot()
    bodies = list(root.iter("body"))
    if len(bodies) == 1:
        blocks = bodies[0].iterdescendants(*_MARKED_TAGS)
    else:  # none, or nested ones (each block counted once, as by //body//*)
        blocks = (
            element
            for element in root.iter(*_MARKED_TAGS)
            if any(a.tag == "body" for a in element.iterancestors())
        )
    return [
        element
        for element in blocks
        if any(
            mark and _BOILERPLATE_MARKS.search(mark)
            for mark in (element.get("class"), element.get("id"))
        )
    ]


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
        texts -= _short_texts_inside(column, left_out, max(map(len, texts)))
    return frozenset(texts)


def _short_texts_inside(column: Any, left_out: set[Any], limit: int) -> set[str]:
    """The texts (whitespace collapsed) of the elements of `column` not `left_out`, those up
    to `limit` characters: the others cannot equal a text beside the headline.

    Read bottom-up: an element holding a longer one is longer too, and its text (the whole
    article, for the column itself) is never built.
    """
    found: set[str] = set()
    long: set[Any] = set()
    for _, element in etree.iterwalk(column, events=("end",)):
        if not isinstance(element.tag, str):
            continue
        if any(child in long for child in element):
            long.add(element)
            continue
        if element in left_out:
            continue
        text = collapse_space(element.text_content())
        if len(text) > limit:
            long.add(element)
        else:
            found.add(text)
    return found


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
