"""A static test site on 127.0.0.1: serves a fixture folder for the tests and the benchmarks.

`{{BASE}}` in served .html/.xml/.txt files becomes the server's origin, so feeds and sitemaps
can hold absolute URLs while the port is chosen at run time. A path ending in "/" serves its
index.html. Every requested path is kept (and optionally appended to a log file), so tests
can assert what was fetched and what never was.

Hostile replies for the reliability tests are `Route`s (`server.routes[path] = Route(...)`),
answered every time: raw bytes with any headers (Content-Encoding gzip/deflate/br included, the
body is sent as given), a body streamed from a file, a Content-Length larger than what is sent,
no Content-Length at all, a stall before the headers or in the middle of the body, a trickle,
and redirects anywhere (`Route.redirect`). Every sleep is bounded (`MAX_SLEEP`) and ends when
the server stops. `server.hold(path)` keeps the requests for a path waiting until the test
releases them (a crawl that must still be running at a given moment, however long it takes).
"""

from __future__ import annotations

import argparse
import contextlib
import mimetypes
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TEMPLATED = {".html", ".htm", ".xml", ".txt", ".rss", ".atom"}


Reply = tuple[int, dict[str, str], bytes]

MAX_SLEEP = 30.0  # no scripted sleep lasts longer, whatever a test asks
# a held request is answered after this many seconds even if the test never released it:
# under the crawl's DOWNLOAD_TIMEOUT (30 s), so a forgotten hold cannot fail a fetch
MAX_HOLD = 20.0
CHUNK = 64 * 1024


@dataclass
class Route:
    """A scripted reply answered every time its path is requested.

    Attributes:
        status: HTTP status.
        headers: sent as given; Content-Type defaults to text/html, and a value of None
            leaves the header out.
        body: bytes, or a file streamed in chunks (for bodies of tens of megabytes).
        content_length: the Content-Length to declare; None declares the real length.
        send_length: False sends no Content-Length (the body ends when the connection closes).
        send_bytes: send only the first n bytes of the body, then close (data loss).
        delay: seconds to wait before the status line (a server that never answers).
        stall_after: bytes of body sent before stalling `stall` seconds (a stalled download).
        stall: seconds of the stall.
        trickle: (chunk size, pause): a slow but steady body.
        hang_up: after the delay or the stall, close the connection instead of going on (a
            server that never answers, whatever the client's patience).
    """

    status: int = 200
    headers: dict[str, str | None] = field(default_factory=dict)
    body: bytes | Path = b""
    content_length: int | None = None
    send_length: bool = True
    send_bytes: int | None = None
    delay: float = 0.0
    stall_after: int | None = None
    stall: float = 0.0
    trickle: tuple[int, float] | None = None
    hang_up: bool = False

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Route:
        """A redirect to any location: another host, another scheme, a loop."""
        return cls(status=status, headers={"Location": location}, body=b"")

    def size(self) -> int:
        return self.body.stat().st_size if isinstance(self.body, Path) else len(self.body)

    def chunks(self) -> Iterator[bytes]:
        """The body in pieces, at most `send_bytes` bytes in all."""
        budget = self.size() if self.send_bytes is None else min(self.send_bytes, self.size())
        step = self.trickle[0] if self.trickle else CHUNK
        if isinstance(self.body, Path):
            with self.body.open("rb") as stream:
                while budget > 0 and (chunk := stream.read(min(step, budget))):
                    budget -= len(chunk)
                    yield chunk
            return
        for start in range(0, budget, step):
            yield self.body[start : min(start + step, budget)]


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a cancelled download, a timeout) is not a server error."""

    request_queue_size = 128  # a crawl opens many connections at once; 5 makes them time out

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class FixtureServer:
    """Static files plus scripted replies: `overrides[path]` is a list of (status, headers,
    body) answered in turn (then the file, if any), for robots.txt outages, 429s and the like.
    """

    def __init__(
        self,
        root: Path | str,
        port: int = 0,
        log_path: Path | str | None = None,
        overrides: dict[str, list[Reply]] | None = None,
        routes: dict[str, Route] | None = None,
        keep_alive: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.root = Path(root).resolve()
        # HTTP/1.1 persistent connections, as real news sites serve (the benchmark); off by
        # default so that scripted replies without a Content-Length end with the connection.
        self.keep_alive = keep_alive
        self.overrides = {path: list(replies) for path, replies in (overrides or {}).items()}
        self.routes: dict[str, Route] = dict(routes or {})
        self.holds: dict[str, threading.Event] = {}
        self._stopping = threading.Event()
        self.requests: list[str] = []
        self.request_times: list[tuple[float, str]] = []
        self.log_path = Path(log_path) if log_path else None
        self._lock = threading.Lock()
        self.host = host  # another loopback address (127.0.0.2) stands for a second machine
        self.httpd = _QuietServer((host, port), self._handler())
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.httpd.server_address[1]}"

    def _record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)
            self.request_times.append((time.monotonic(), path))
            if self.log_path:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(path + "\n")

    def _scripted(self, raw_path: str) -> Reply | None:
        path = urlsplit(raw_path).path
        with self._lock:
            replies = self.overrides.get(path)
            return replies.pop(0) if replies else None

    def hold(self, path: str) -> threading.Event:
        """Requests for `path` wait (at most MAX_HOLD seconds) until the event returned is set,
        then are answered as usual; the request is logged when it arrives."""
        self.holds[path] = threading.Event()
        return self.holds[path]

    def sleep(self, seconds: float) -> bool:
        """Sleep at most MAX_SLEEP seconds; False when the server stopped meanwhile."""
        return not self._stopping.wait(min(max(seconds, 0.0), MAX_SLEEP))

    def _resolve(self, raw_path: str) -> Path | None:
        path = unquote(urlsplit(raw_path).path)
        candidate = (self.root / path.lstrip("/")).resolve()
        if self.root not in candidate.parents and candidate != self.root:
            return None
        if path.endswith("/") or candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if server.keep_alive else "HTTP/1.0"

            def do_GET(self) -> None:
                server._record(self.path)
                held = server.holds.get(urlsplit(self.path).path)
                if held is not None:
                    held.wait(MAX_HOLD)
                scripted = server._scripted(self.path)
                if scripted is not None:
                    status, headers, body = scripted
                    self.send_response(status)
                    for name, value in {"Content-Type": "text/html", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                route = server.routes.get(urlsplit(self.path).path)
                if route is not None:
                    self.close_connection = True  # stalls and missing lengths end the connection
                    with contextlib.suppress(ConnectionError, TimeoutError):
                        self._send_route(route)
                    return
                target = server._resolve(self.path)
                if target is None:
                    body = b"<html><body><h1>404 Page introuvable</h1></body></html>"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                body = target.read_bytes()
                if target.suffix in TEMPLATED:
                    body = body.replace(b"{{BASE}}", server.base_url.encode("ascii"))
                content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if target.suffix in (".rss", ".atom"):
                    content_type = "application/xml"
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _send_route(self, route: Route) -> None:
                if route.delay and (not server.sleep(route.delay) or route.hang_up):
                    return
                self.send_response(route.status)
                headers: dict[str, str | None] = {"Content-Type": "text/html", **route.headers}
                for name, value in headers.items():
                    if value is not None:
                        self.send_header(name, value)
                if route.send_length:
                    length = route.size() if route.content_length is None else route.content_length
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                sent = 0
                stalled = route.stall_after is None
                for chunk in route.chunks():
                    if not stalled and sent + len(chunk) > (route.stall_after or 0):
                        cut = (route.stall_after or 0) - sent
                        self.wfile.write(chunk[:cut])
                        self.wfile.flush()
                        sent, chunk, stalled = sent + cut, chunk[cut:], True
                        if not server.sleep(route.stall) or route.hang_up:
                            return
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    if route.trickle:
                        self.wfile.flush()
                        if not server.sleep(route.trickle[1]):
                            return
                if not stalled:  # the body ended before the stall point: stall at the end
                    self.wfile.flush()
                    server.sleep(route.stall)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def start(self) -> FixtureServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        for held in self.holds.values():
            held.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--keep-alive", action="store_true", help="HTTP/1.1 persistent connections")
    args = parser.parse_args()
    server = FixtureServer(args.root, args.port, args.log, keep_alive=args.keep_alive)
    print(f"serving {args.root} at {server.base_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.httpd.serve_forever()


if __name__ == "__main__":
    main()
