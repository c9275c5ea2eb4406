"""A real HTTP server on loopback for the importers' tests: each path answers from a list of
prepared answers (served in turn, the last one repeated) or from a function, and every request
is recorded with its headers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line: a server too slow to answer
    content_length: bool = True  # False: the body ends when the connection closes


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float = 0.0  # time.monotonic() on arrival


Route = Callable[[Seen], Answer]


class FakeWeb:
    def __init__(self):
        self.requests: list[Seen] = []
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(parts.path, query, headers, time.monotonic())
                with web._lock:
                    web.requests.append(seen)
                    route = web._routes.get(parts.path)
                answer = route(seen) if route else Answer(404, b"not found")
                time.sleep(answer.delay)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.content_length:
                    self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that gave up (read timeout, size cap) closed its end

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def route(self, path: str, *answers: Answer | Route) -> str:
        """Answer `path` with these answers in turn (the last one repeated), or with a function
        of the request; returns the path's full address."""
        if len(answers) == 1 and callable(answers[0]):
            self._routes[path] = answers[0]
        else:
            queue = list(answers)

            def next_answer(_: Seen) -> Answer:
                return queue.pop(0) if len(queue) > 1 else queue[0]

            self._routes[path] = next_answer
        return self.url(path)

    def seen(self, path: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.requests if seen.path == path]

    def hits(self, path: str) -> int:
        return len(self.seen(path))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
