"""`scrapy runs`: the "why" column says what went wrong with a run that is not plainly ok."""

from __future__ import annotations

from typing import Any

import pytest

from crawler.commands.runs import why


@pytest.mark.parametrize(
    ("status", "stats", "expected"),
    [
        ("ok", {"close_reason": "finished"}, ""),
        ("ok", {"close_reason": "closespider_itemcount"}, ""),
        (
            "failed",
            {"close_reason": "abandoned", "closed_by_run": 12},
            "abandoned: the process was gone (found by run 12)",
        ),
        ("failed", {"close_reason": "database_error"}, "database_error"),
        ("failed", {"close_reason": "shutdown"}, "shutdown"),
        ("failed", {"close_reason": "finished"}, ""),  # the archive failed: the log says why
        (
            "degraded",
            {"close_reason": "finished", "depeches/degraded_reasons": ["seen 3 < 40 % of 20"]},
            "seen 3 < 40 % of 20",
        ),
        (
            "failed",
            {"close_reason": "memusage_exceeded", "depeches/degraded_reasons": ["errors 9 > 5"]},
            "memusage_exceeded; errors 9 > 5",
        ),
        ("running", {}, ""),
    ],
)  # fmt: skip
def test_why(status: str, stats: dict[str, Any], expected: str) -> None:
    assert why(status, stats) == expected
