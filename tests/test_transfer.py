"""Truncation is judged from the transfer (crawler.fetch.transfer), never from missing end tags."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.fetch.transfer import CUT_STREAM_FLAG, DATALOSS_FLAG, CutStreamMiddleware, cut_stream
from crawler.spiders.base import decode_html, encoding_problem, truncation

PAGE = (
    "<!DOCTYPE html><html lang=fr><head><meta charset=utf-8><title>Kati</title></head><body>"
    + "<p>La foire aux bestiaux de Kati se tiendra désormais à la sortie nord de la ville.</p>" * 40
    + "</body></html>"
).encode()
GZIP = gzip.compress(PAGE, mtime=0)  # no timestamp: the same test ids in every xdist worker
ZLIB = zlib.compress(PAGE)
RAW_DEFLATE = ZLIB[2:-4]  # without the zlib header and checksum, as some servers send it
BROTLI = brotli.compress(PAGE)


@pytest.mark.parametrize(
    ("body", "encoding", "cut"),
    [
        (GZIP, "gzip", False),
        (GZIP[: len(GZIP) // 2], "gzip", True),
        (GZIP[:-8], "x-gzip", True),  # the stream ends, its trailer (CRC, length) does not
        (ZLIB, "deflate", False),
        (ZLIB[: len(ZLIB) // 2], "deflate", True),
        (RAW_DEFLATE, "deflate", False),
        (RAW_DEFLATE[: len(RAW_DEFLATE) // 2], "deflate", True),
        (BROTLI, "br", False),
        (BROTLI[: len(BROTLI) // 2], "br", True),
        (BROTLI, " BR ", False),
        # not a stream this check can judge: left to the decompression middleware
        (b"plain text sent as gzip", "gzip", False),
        (PAGE, "identity", False),
        (GZIP[: len(GZIP) // 2], "zstd", False),
    ],
)
def test_cut_stream(body: bytes, encoding: str, cut: bool) -> None:
    assert cut_stream(body, encoding, limit=16 * 1024 * 1024) is cut


def test_cut_stream_stops_at_the_size_limit() -> None:
    # 1 MB of spaces cut in half: past the limit, the size check has the last word, not this
    bomb = gzip.compress(b" " * 1_000_000)
    assert cut_stream(bomb[: len(bomb) // 2], "gzip", limit=1000) is False
    assert cut_stream(bomb[: len(bomb) // 2], "gzip", limit=0) is True
    # brotli holds 64 MB of spaces in a few hundred bytes: read in bounded chunks, up to the
    # limit only (checked on time, not memory: it would take seconds to inflate it all)
    brotli_bomb = brotli.compress(b" " * 64 * 1024 * 1024, quality=5)
    assert len(brotli_bomb) < 1000
    assert cut_stream(brotli_bomb, "br", limit=100_000) is False


def _response(body: bytes, encoding: str | None) -> HtmlResponse:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if encoding:
        headers["Content-Encoding"] = encoding
    url = "https://journal.example/kati"
    return HtmlResponse(url, body=body, headers=headers, request=Request(url))


@pytest.mark.parametrize(
    ("body", "encoding", "flags"),
    [
        (GZIP, "gzip", []),
        (GZIP[: len(GZIP) // 2], "gzip", [DATALOSS_FLAG, CUT_STREAM_FLAG]),
        (BROTLI[:100], "br", [DATALOSS_FLAG, CUT_STREAM_FLAG]),
        (PAGE, None, []),
    ],
)
def test_middleware_flags_a_cut_stream(body: bytes, encoding: str | None, flags: list[str]) -> None:
    response = _response(body, encoding)
    seen = CutStreamMiddleware(limit=0).process_response(response.request, response)
    assert seen.flags == flags
    assert seen.body == body  # still compressed: decompression comes after


@pytest.mark.parametrize(
    ("html", "cut"),
    [
        # optional end tags missing: a whole page
        ("<!DOCTYPE html><html><body><h1>Kati</h1><p>La foire déménage.", None),
        ("<html><body><p>La foire déménage.</p>\n", None),
        ("<p>La foire déménage.</p></div>\n\n", None),
        # text that ends with a "<" that opens no tag
        ("<html><body><p>Le prix: 3 < 5", None),
        # it stops inside a tag
        ('<html><body><p>La foire <a href="/tag/foi', "ends inside a tag"),
        ("<html><body><p>La foire</p></di", "ends inside a tag"),
    ],
)
def test_truncation_is_a_tag_cut_in_the_middle_only(html: str, cut: str | None) -> None:
    found = truncation(html)
    assert (found if found is None else found.split(":")[0]) == cut


ACCENTED = "Le débat à l’Assemblée a duré toute la soirée, très animé. "  # 4 non-ASCII letters


@pytest.mark.parametrize(
    ("text", "suspect"),
    [
        # a French page decoded with the wrong charset: every accented letter is lost
        (ACCENTED.replace("é", "\ufffd").replace("à", "\ufffd") * 40, True),
        # a long English page with a few U+FFFD in image captions: damage in the source
        ("<img alt='the \ufffd\ufffdwais\ufffd\ufffd choice'> " + "Plain text. " * 2000, False),
        # the same few in a short page: too dense to be a stray
        ("<p>the \ufffd\ufffdwais\ufffd\ufffd choice</p>" + "Plain text. " * 20, True),
        (ACCENTED * 40, False),
        ("deux \ufffd\ufffd seulement", False),  # fewer than SUSPECT_MIN
    ],
)
def test_encoding_problem(text: str, suspect: bool) -> None:
    assert (encoding_problem(text) is not None) is suspect


POLISH = "<p>Nowym prezesem Grupy Lotos będzie Paweł Jan Majewski, ogłosiła rada nadzorcza.</p>"


@pytest.mark.parametrize(
    ("body", "content_type", "text", "codec"),
    [
        # a template that declares ISO-8859-2 around a UTF-8 body: the bytes win
        (('<meta charset="ISO-8859-2">' + POLISH).encode(), None, POLISH, "utf-8"),
        (POLISH.encode(), "text/html; charset=windows-1252", POLISH, "utf-8"),
        # the declared single-byte charset when the bytes are in it
        (
            ('<meta charset="ISO-8859-2">' + POLISH).encode("iso8859-2"),
            None,
            POLISH,
            "iso8859-2",
        ),
        # a multi-byte declaration is not second-guessed
        (
            "<p>東京で会議</p>".encode("shift_jis"),
            "text/html; charset=Shift_JIS",
            "東京で会議",
            "cp932",
        ),
    ],
)
def test_decode_html_trusts_utf8_bytes_over_a_single_byte_declaration(
    body: bytes, content_type: str | None, text: str, codec: str
) -> None:
    decoded, used = decode_html(body, content_type)
    assert text in decoded
    assert used == codec
