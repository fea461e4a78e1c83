"""The shared Redis queue holds JSON requests: a pickle put under its key is never executed."""

from __future__ import annotations

import os
import pickle
import uuid
from pathlib import Path

import pytest
import redis
import scrapy
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from crawler import redis_json
from crawler.scaleout import SiteRunScheduler
from settings import redis as redis_profile

REDIS_URL = "redis://127.0.0.1:6379/0"


class _Spider(scrapy.Spider):
    name = "urls"

    def parse_article(self, response):  # pragma: no cover - never called
        yield from ()

    def article_failed(self, failure):  # pragma: no cover - never called
        yield from ()


class _Payload:
    """What an attacker would put in Redis; here it only creates a directory."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def _request() -> scrapy.Request:
    spider = _Spider()
    return scrapy.Request(
        "https://exemple.sn/actualite/2024/11/05/kaffrine.html?x=é",
        callback=spider.parse_article,
        errback=spider.article_failed,
        headers={"If-None-Match": '"abc"', "Accept-Language": "fr"},
        body=b"\x00\xffbinary",
        priority=3,
        meta={
            "site_key": "demo",
            "hints": {"feed_title": "Kaffrine : la campagne", "feed_tags": ["Économie", "Sénégal"]},
            "article": True,
            "redirect_urls": ["http://exemple.sn/a"],
            "depth": 2,
        },
    )


def test_a_request_round_trips_through_json():
    spider = _Spider()
    request = _request()
    data = redis_json.dumps(request.to_dict(spider=spider))
    assert b"\x80" not in data[:2]  # not a pickle: JSON text
    back = request_from_dict(redis_json.loads(data), spider=spider)
    assert back.url == request.url
    assert back.body == request.body
    assert back.headers.getlist("If-None-Match") == [b'"abc"']
    assert back.meta == request.meta
    assert back.priority == 3
    assert back.callback.__name__ == "parse_article"
    assert back.errback.__name__ == "article_failed"


@pytest.mark.parametrize(
    "entry",
    [
        b"\x80\x04K\x01.",  # a pickle
        b"[1, 2]",
        b'{"url": "https://exemple.sn/", "_class": "os.system"}',
        b'{"url": "https://exemple.sn/", "callback": {"__bytes__": "AA=="}}',
        b'{"no": "url"}',
        b"\xff\xfe",
    ],
)
def test_anything_else_is_refused(entry):
    with pytest.raises(ValueError):
        redis_json.loads(entry)


def test_a_pickle_under_the_request_key_is_not_executed(tmp_path):
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # the scale-out profile's own queue settings (settings/redis.py)
    profile = {
        name: getattr(redis_profile, name)
        for name in (
            "SCHEDULER",
            "SCHEDULER_QUEUE_CLASS",
            "DUPEFILTER_CLASS",
            "SCHEDULER_SERIALIZER",
        )
        if hasattr(redis_profile, name)
    }
    run_id = f"test-{uuid.uuid4().hex[:8]}"
    crawler = get_crawler(_Spider, {**profile, "REDIS_URL": REDIS_URL, "DEPECHES_RUN_ID": run_id})
    spider = _Spider.from_crawler(crawler)
    crawler.spider = spider
    scheduler = SiteRunScheduler.from_crawler(crawler)
    scheduler.open(spider)
    marker = tmp_path / "pickle-ran"
    payload = pickle.dumps(_Payload(marker))
    try:
        # the payload is live: unpickling it (what scrapy-redis does by default) runs it
        pickle.loads(payload)
        assert marker.exists()
        marker.rmdir()

        client.zadd(scheduler.queue_key, {payload: 0})
        assert scheduler.enqueue_request(_request().replace(dont_filter=True))
        popped = [scheduler.next_request() for _ in range(3)]
        # the real request (priority 3) first, then the pickle: refused, logged, dropped
        assert popped[0] is not None and popped[0].url.startswith("https://exemple.sn/actualite/")
        assert popped[1:] == [None, None]
        assert not marker.exists()
        assert crawler.stats.get_value("depeches/redis/dropped_entries") == 1
        assert client.zcard(scheduler.queue_key) == 0
    finally:
        client.delete(scheduler.queue_key, f"{scheduler.queue_key.rsplit(':', 1)[0]}:dupefilter")
        client.close()
