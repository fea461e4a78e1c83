"""Hand-built Article objects for storage tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crawler.items import AgencyMention, Article, ParsedDate, Tag

FETCHED = datetime(2024, 11, 4, 15, 0, tzinfo=UTC)


def make_article(slug: str = "budget-2025", **overrides: Any) -> Article:
    canonical = f"https://www.exemple.sn/actualite/{slug}.html"
    values: dict[str, Any] = {
        "url": f"{canonical}?utm_source=rss",
        "final_url": canonical,
        "canonical_url": canonical,
        "site": "exemple",
        "fetched_at": FETCHED,
        "title": f"Titre de {slug}",
        "description": "Le chapeau.",
        "body": f"Premier paragraphe de {slug}.\n\nSecond paragraphe.",
        "published": ParsedDate(
            datetime(2024, 11, 4, 14, 32, tzinfo=UTC), "minute", "04/11/2024 à 14h32", "meta"
        ),
        "authors": ["Awa Ndiaye", "Moussa Diop"],
        "desks": ["La rédaction"],
        "tags": [Tag("Économie", "economie"), Tag("Budget", "budget")],
        "section": "Économie",
        "agencies": [
            AgencyMention("APS", "trailer", "(APS)"),
            AgencyMention("AFP", "dateline", "Dakar (AFP) -"),
        ],
        "read_count": 120,
        "language": "fr",
        "language_confidence": 0.99,
        "word_count": 6,
        "extractor": "trafilatura 2.0.0",
    }
    values.update(overrides)
    return Article(**values)
