"""`scrapy crawl urls` input: the URL list is read strictly, and a bad one named line by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sites import SiteConfigError
from crawler.spiders.urls import read_url_list


def test_lines_blanks_comments_and_duplicates(tmp_path: Path) -> None:
    listed = tmp_path / "urls.txt"
    listed.write_text(
        "# dépêches du jour\n"
        "\n"
        "https://www.exemple.sn/a.html\n"
        "   http://exemple.ci/b.html   \n"
        "https://www.exemple.sn/a.html\n"
        "\t# indented comment\n",
        encoding="utf-8",
    )
    assert read_url_list("https://x.sn/c.html", str(listed)) == [
        "https://x.sn/c.html",
        "https://www.exemple.sn/a.html",
        "http://exemple.ci/b.html",
    ]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["https://ok.sn/a.html", "pas une URL"], "urls.txt line 2: 'pas une URL'"),
        (["ftp://exemple.sn/x"], "urls.txt line 1: 'ftp://exemple.sn/x'"),
        (["javascript:alert(1)"], "urls.txt line 1: 'javascript:alert(1)'"),
        (["https:///sans-hote.html"], "urls.txt line 1: 'https:///sans-hote.html'"),
        (
            [f"mauvaise {n}" for n in range(1, 8)],
            "urls.txt line 5: 'mauvaise 5' (and 2 more)",
        ),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, lines: list[str], message: str) -> None:
    listed = tmp_path / "urls.txt"
    listed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SiteConfigError, match="not an http\\(s\\) URL") as caught:
        read_url_list(None, str(listed))
    assert str(caught.value).endswith(message)


@pytest.mark.parametrize(
    ("url", "file", "message"),
    [
        (None, None, "give -a url=<URL> or -a file=<path>"),
        ("  ", None, "give -a url=<URL> or -a file=<path>"),
        ("www.exemple.sn/a.html", None, "-a url: 'www.exemple.sn/a.html'"),
        (None, "/nonexistent/urls.txt", "cannot read URL list"),
    ],
)
def test_arguments(url: str | None, file: str | None, message: str) -> None:
    with pytest.raises(SiteConfigError, match=message.replace("(", "\\(").replace(")", "\\)")):
        read_url_list(url, file)


def test_a_file_that_is_not_text(tmp_path: Path) -> None:
    listed = tmp_path / "urls.txt"
    listed.write_bytes(b"\xff\xfe\x00h\x00t")
    with pytest.raises(SiteConfigError, match="cannot read URL list"):
        read_url_list(None, str(listed))
