"""A static test site on 127.0.0.1: serves a fixture folder for `make demo`, tests and benchmarks.

`{{BASE}}` in served .html/.xml/.txt files becomes the server's origin, so feeds and sitemaps
can hold absolute URLs while the port is chosen at run time. A path ending in "/" serves its
index.html. Every requested path is kept (and optionally appended to a log file), so tests
can assert what was fetched and what never was.
"""

from __future__ import annotations

import argparse
import contextlib
import mimetypes
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TEMPLATED = {".html", ".htm", ".xml", ".txt", ".rss", ".atom"}


Reply = tuple[int, dict[str, str], bytes]


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
    ) -> None:
        self.root = Path(root).resolve()
        self.overrides = {path: list(replies) for path, replies in (overrides or {}).items()}
        self.requests: list[str] = []
        self.request_times: list[tuple[float, str]] = []
        self.log_path = Path(log_path) if log_path else None
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

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
            def do_GET(self) -> None:
                server._record(self.path)
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

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def start(self) -> FixtureServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
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
    args = parser.parse_args()
    server = FixtureServer(args.root, args.port, args.log)
    print(f"serving {args.root} at {server.base_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.httpd.serve_forever()


if __name__ == "__main__":
    main()
