"""Degraded-run detection against the recent median, table-driven."""

from __future__ import annotations

import pytest

from crawler.monitoring import assess_run


def run(new=0, unchanged=0, updated=0, errors=0, articles=0, date=0, agency=0, body=0):
    return {
        "depeches/articles/new": new,
        "depeches/articles/unchanged": unchanged,
        "depeches/articles/updated": updated,
        "depeches/rejected/fetch_failed": errors,
        "depeches/coverage/articles": articles,
        "depeches/coverage/date": date,
        "depeches/coverage/agency": agency,
        "depeches/coverage/body": body,
    }


NORMAL = [run(new=2, unchanged=38, errors=1, articles=40, date=39, agency=20, body=40)] * 5


@pytest.mark.parametrize(
    ("current", "history", "expected"),
    [
        # nothing new but everything seen again: the normal cron case
        (run(unchanged=40, errors=1, articles=40, date=40, agency=21, body=40), NORMAL, []),
        # no baseline yet
        (run(), NORMAL[:2], []),
        # far fewer articles seen
        (run(unchanged=10, articles=10, date=10, agency=5, body=10), NORMAL,
         ["saw 10 articles, the recent median is 40"]),
        # far more errors (median 1 → more than 2*1+5)
        (run(unchanged=40, errors=8, articles=40, date=40, agency=20, body=40), NORMAL,
         ["8 errors, the recent median is 1"]),
        (run(unchanged=40, errors=7, articles=40, date=40, agency=20, body=40), NORMAL, []),
        # dates suddenly missing (a layout change)
        (run(unchanged=40, errors=1, articles=40, date=4, agency=20, body=40), NORMAL,
         ["date found on 10% of articles, the recent median is 98%"]),
    ],
)  # fmt: skip
def test_assess_run(current, history, expected):
    assert assess_run(current, history) == expected
