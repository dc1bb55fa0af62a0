"""A fake Bot Connector: a real HTTP server on 127.0.0.1 that records what the bot sends."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote


@dataclass
class Recorded:
    """One request the bot made."""

    method: str
    path: str
    body: Any


@dataclass
class FakeConnector:
    """Answers the v3 conversation endpoints with ``{"id": "activity-N"}``."""

    requests: list[Recorded] = field(default_factory=list)
    status: int | None = None  # force every answer to this status, e.g. 429
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """The service URL to put in activities."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> FakeConnector:
        """Listen on a free port in a background thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        # A short poll interval keeps shutdown, and so every test's teardown, fast.
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def activities(self) -> list[Recorded]:
        """Every activity the bot posted or updated, in order."""
        with self._lock:
            return [r for r in self.requests if "/activities" in r.path]

    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards in every activity the bot sent, in order."""
        return [a["content"] for r in self.activities() for a in r.body.get("attachments") or []]

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(Recorded(method, path, body))
            if self.status is not None:
                return self.status, {"error": {"code": "Throttled", "message": "slow down"}}
            if path.startswith("/v3/conversations/") and "/activities" in path:
                return (200 if method == "PUT" else 201), {"id": f"activity-{next(self._ids)}"}
            return 404, {"error": {"code": "NotFound", "message": path}}


def _handler(fake: FakeConnector) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            status, answer = fake._answer(self.command, unquote(self.path), body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "30")
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_PUT = do_DELETE = do_GET = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            pass

    return Handler
