"""A fake Bot Connector: a real HTTP server on 127.0.0.1 that records what the bot sends."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

# A team as Teams lists it: General has the team's id and no name.
DEFAULT_CHANNELS: list[dict[str, Any]] = [{"id": "19:team"}, {"id": "19:random", "name": "Random"}]


@dataclass
class Recorded:
    """One request the bot made."""

    method: str
    path: str
    body: Any


@dataclass
class FakeConnector:
    """Answers the v3 conversation endpoints with ``{"id": "activity-N"}``, and opens 1:1
    chats (``POST /v3/conversations``) as ``a:chat-<member id>``.

    Also the team reads an install makes: the channel list (``channels``; the General channel
    has the team's id and no name, as in Teams), the team's details (``team_name``) and the
    member list (``members``), paged in two pages joined by a continuation token.
    """

    requests: list[Recorded] = field(default_factory=list)
    status: int | None = None  # force every answer to this status, e.g. 429
    channels: list[dict[str, Any]] = field(default_factory=lambda: list(DEFAULT_CHANNELS))
    team_name: str = "Acme"
    members: list[dict[str, Any]] = field(default_factory=list)
    # A group chat's members (GET .../members) are ``members`` too.
    # createConversation bodies received, and member ids it refuses (403).
    created: list[dict[str, Any]] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)
    # Conversations the bot may no longer post in (removed from a group chat): 403.
    closed: set[str] = field(default_factory=set)
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

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        with self._lock:
            self.requests.append(Recorded(method, path, body))
            if self.status is not None:
                return self.status, {"error": {"code": "Throttled", "message": "slow down"}}
            route, _, query = path.partition("?")
            parts = route.strip("/").split("/")
            if method == "POST" and route.rstrip("/") == "/v3/conversations":
                # createConversation: a 1:1 chat per member, the same id each time (as Teams).
                member = ((body or {}).get("members") or [{}])[0].get("id", "")
                if member in self.unreachable:
                    return 403, {"error": {"code": "Forbidden", "message": "not installed"}}
                self.created.append(body)
                return 201, {"id": f"a:chat-{member}"}
            if route.startswith("/v3/conversations/") and "/activities" in route:
                if len(parts) > 2 and parts[2] in self.closed:
                    return 403, {"error": {"code": "BotNotInConversationRoster",
                                           "message": "the bot is not part of the roster"}}
                return (200 if method == "PUT" else 201), {"id": f"activity-{next(self._ids)}"}
            if method == "GET" and parts[:2] == ["v3", "teams"] and len(parts) == 4 \
                    and parts[3] == "conversations":
                return 200, {"conversations": self.channels}
            if method == "GET" and parts[:2] == ["v3", "teams"] and len(parts) == 3:
                return 200, {"id": parts[2], "name": self.team_name}
            if method == "GET" and parts[:2] == ["v3", "conversations"] and len(parts) == 4 \
                    and parts[3] == "members":
                return 200, self.members  # type: ignore[return-value] - a JSON list
            if method == "GET" and len(parts) == 4 and parts[3] == "pagedmembers":
                return 200, self._page(parse_qs(query).get("continuationToken", [""])[0])
            if method == "GET" and len(parts) == 5 and parts[3] == "members":
                for member in self.members:
                    if parts[4] in (member.get("id"), member.get("aadObjectId")):
                        return 200, member
            return 404, {"error": {"code": "NotFound", "message": path}}

    def _page(self, token: str) -> dict[str, Any]:
        # Two pages, so a caller that ignores continuationToken misses the second half.
        half = (len(self.members) + 1) // 2
        if token == "page-2":
            return {"members": self.members[half:]}
        return {"members": self.members[:half], "continuationToken": "page-2"}


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
