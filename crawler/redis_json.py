"""JSON for the shared Redis queue (SCHEDULER_SERIALIZER): a queued request is data, never code.

scrapy-redis stores requests with pickle by default, and unpickling runs whatever the bytes say:
anyone who can write to the Redis of a scale-out crawl could run code on every worker. Here a
request's dict (`Request.to_dict`) becomes JSON, with bytes (headers, body) and datetimes
tagged; reading it back accepts only plain Request classes, and anything else (a pickle, a
foreign class, a malformed entry) is a ValueError that the scheduler logs and drops.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

# The only classes a queued request may name (`_class` of Request.to_dict): a class path from
# Redis is otherwise imported and called.
ALLOWED_CLASSES = frozenset(
    {
        "scrapy.http.request.Request",
        "scrapy.http.Request",
        "scrapy.Request",
        "scrapy.http.request.form.FormRequest",
        "scrapy.http.request.json_request.JsonRequest",
    }
)
MAX_ENTRY_BYTES = 1024 * 1024


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            if "__bytes__" in value or "__datetime__" in value or "__items__" in value:
                return {"__items__": [[key, _encode(item)] for key, item in value.items()]}
            return {key: _encode(item) for key, item in value.items()}
        return {"__items__": [[_encode(key), _encode(item)] for key, item in value.items()]}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a queued request cannot hold a {type(value).__name__}: {value!r:.80}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"__bytes__"}:
        return base64.b64decode(value["__bytes__"], validate=True)
    if set(value) == {"__datetime__"}:
        return datetime.fromisoformat(value["__datetime__"])
    if set(value) == {"__items__"}:
        return {_hashable(_decode(key)): _decode(item) for key, item in value["__items__"]}
    return {key: _decode(item) for key, item in value.items()}


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def dumps(request: dict[str, Any]) -> bytes:
    return json.dumps(_encode(request), ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes | str) -> dict[str, Any]:
    """The request dict of a queue entry; ValueError for anything that is not one."""
    if len(data) > MAX_ENTRY_BYTES:
        raise ValueError(f"queue entry of {len(data)} bytes (at most {MAX_ENTRY_BYTES})")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        request = _decode(json.loads(text))
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise ValueError(f"not a JSON request ({type(exc).__name__}): {data[:40]!r}") from None
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        raise ValueError(f"not a request: {data[:80]!r}")
    cls = request.get("_class")
    if cls is not None and cls not in ALLOWED_CLASSES:
        raise ValueError(f"request class {str(cls)[:80]!r} is not allowed")
    for name in ("callback", "errback"):
        if request.get(name) is not None and not isinstance(request[name], str):
            raise ValueError(f"{name} must be a spider method's name")
    return request
