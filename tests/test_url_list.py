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
        # a file's lines are named, never quoted (it may not be a URL list: /etc/passwd)
        (["https://ok.sn/a.html", "pas une URL"], "urls.txt line 2"),
        (["ftp://exemple.sn/x"], "urls.txt line 1"),
        (["javascript:alert(1)"], "urls.txt line 1"),
        (["https:///sans-hote.html"], "urls.txt line 1"),
        ([f"mauvaise {n}" for n in range(1, 8)], "urls.txt line 5 (and 2 more)"),
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


def test_a_file_that_is_not_a_url_list_is_not_printed(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    lines = [f"user{n}:x:{1000 + n}:{1000 + n}:Compte {n}:/home/user{n}:/bin/sh" for n in range(9)]
    secret.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SiteConfigError) as caught:
        read_url_list(None, str(secret))
    message = str(caught.value)
    assert f"{secret} line 1" in message and "(and 4 more)" in message
    assert "user" not in message.replace(str(tmp_path), "") and "/bin/sh" not in message


@pytest.mark.parametrize("name", ["binary", "device"])
def test_unreadable_lists_are_refused_without_their_bytes(tmp_path: Path, name: str) -> None:
    path = tmp_path / "blob" if name == "binary" else Path("/dev/zero")
    if name == "binary":
        path.write_bytes(b"\xff\xfeS\x00E\x00C\x00R\x00E\x00T\x00")
    with pytest.raises(SiteConfigError, match="cannot read URL list") as caught:
        read_url_list(None, str(path))
    assert "S\x00E" not in str(caught.value) and "SECRET" not in str(caught.value)
