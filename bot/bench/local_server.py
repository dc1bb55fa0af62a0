"""The part every fake platform shares: a real HTTP server on 127.0.0.1 in a thread."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that answers JSON (or plain text) and keeps test output quiet."""

    def answer(self, status: int, headers: dict[str, str], body: Any) -> None:
        """Send ``body`` (a str as text/plain, anything else as JSON) with ``headers``."""
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type",
                         "text/plain" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class LocalServer:
    """Serve ``handler`` on a free loopback port while used as a context manager."""

    server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer

    def _start_server(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = self.server_class(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
