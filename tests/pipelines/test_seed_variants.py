"""The seed's layout in many CMS markups: the real extract → normalise → language chain.

Each page of `tests/fixtures/pages/seed_variants/` is the seed article's layout (title, a date
and read-counter line, a drop cap, paragraphs, an agency credit, a tags line, a "Fil d'info"
block) written the way another CMS would write it. The expected values in `expected.json` were
written by reading the pages. The domain is unknown, so only the generic rules apply.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipelines.held_out import HeldOutPages

VARIANTS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "pages" / "seed_variants"
# (variant, field) → why the rules still get it wrong; an entry makes that case a strict xfail.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}
SUITE = HeldOutPages(
    VARIANTS_DIR,
    "variants",
    fields=(
        "title",
        "published",
        "read_count",
        "tags",
        "agencies",
        "authors",
        "language",
        "body_first",
        "body_last",
        "paragraphs",
        "not_in_body",
    ),
    known_failures=KNOWN_FAILURES,
)
EXPECTED = SUITE.expected


def test_expected_file_matches_the_fixture_folder() -> None:
    files = {p.name for p in VARIANTS_DIR.glob("*.html")}
    assert files == {e["file"] for e in EXPECTED.values()}
    assert 8 <= len(EXPECTED) <= 12
    for variant, expected in EXPECTED.items():
        assert expected["url"] == "/" + expected["file"], variant
        assert expected["paragraphs"] >= 4, variant


@pytest.mark.parametrize(("variant", "field"), SUITE.cases())
def test_seed_variant_field(variant: str, field: str) -> None:
    SUITE.check(variant, field)
