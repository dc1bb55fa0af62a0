"""A real HTTP server that plays the Slack Web API and response_url endpoints, recording calls."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from bot.bench.local_server import LocalServer, QuietHandler


@dataclass
class Call:
    """One request: the API method (or ``response/<id>``) and its parsed body."""

    method: str
    body: dict[str, Any]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    text = raw.decode("utf-8") if raw else ""
    if not text:
        return {}
    if "json" in content_type or text.startswith("{"):
        return json.loads(text)
    body: dict[str, Any] = dict(parse_qsl(text, keep_blank_values=True))
    for key in ("blocks", "view"):  # form-encoded clients send these as JSON strings
        if isinstance(body.get(key), str):
            body[key] = json.loads(body[key])
    return body


class FakeSlackApi(LocalServer):
    """Start with ``with FakeSlackApi() as fake``; point slack_sdk at ``fake.url``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.rate_limit_seconds: int | None = None
        self.directory: dict[str, str] = {}  # email -> Slack user id, for users.lookupByEmail
        self.names: dict[str, str] = {}  # Slack user id -> real name, for users.info
        self.locales: dict[str, str] = {}  # Slack user id -> locale, for users.info
        # OAuth: code -> the oauth.v2.access answer (an install of one workspace or org).
        self.installs: dict[str, dict[str, Any]] = {}
        # bot token -> auth.test's answer; a token not listed is the T1 workspace's.
        self.auth: dict[str, dict[str, Any]] = {}
        self.revoked: set[str] = set()  # tokens Slack answers with token_revoked
        self._held: tuple[str, threading.Event, float] | None = None
        self.answered_while_held = 0
        self._lock = threading.Lock()
        self._start_server(self._handler_class())

    def rate_limit(self, seconds: int | None) -> None:
        """Answer chat.postMessage with 429 and Retry-After ``seconds``; None to stop."""
        self.rate_limit_seconds = seconds

    @contextmanager
    def holding(self, prefix: str, limit: float = 10.0) -> Iterator[None]:
        """Keep calls to methods starting with ``prefix`` unanswered until the block ends.

        A caller that waits for such a call gets its answer after ``limit`` seconds, counted in
        ``answered_while_held``; that is how a test sees an ack that waited on Slack.
        """
        release = threading.Event()
        self._held, self.answered_while_held = (prefix, release, limit), 0
        try:
            yield
        finally:
            self._held = None
            release.set()

    def _wait_if_held(self, method: str) -> None:
        held = self._held
        if held is not None and method.startswith(held[0]) and not held[1].wait(held[2]):
            with self._lock:
                self.answered_while_held += 1

    def token_of(self, call: Call) -> str:
        """The bearer token a call was made with."""
        return (call.headers.get("Authorization") or "").removeprefix("Bearer ")

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Poll until ``count`` calls to ``method`` arrived; listeners finish after the ack."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls_to(method)
            if len(calls) >= count:
                return calls
            await asyncio.sleep(0.02)
        raise AssertionError(f"expected {count} call(s) to {method}, got "
                             f"{[c.method for c in self.calls]}")

    def _answer(self, method: str, body: dict[str, Any],
                token: str = "") -> tuple[int, dict[str, str], Any]:
        if method.startswith("response/"):
            return 200, {}, "ok"
        if token in self.revoked:
            return 200, {}, {"ok": False, "error": "token_revoked"}
        if method == "oauth.v2.access":
            found = self.installs.get(str(body.get("code", "")))
            if found is None:
                return 200, {}, {"ok": False, "error": "invalid_code"}
            return 200, {}, {"ok": True, **found}
        if method == "auth.test":
            if token in self.auth:
                return 200, {}, {"ok": True, **self.auth[token]}
            return 200, {}, {"ok": True, "team_id": "T1", "team": "Acme", "user_id": "UBOT",
                             "user": "mentorbot", "bot_id": "B1", "url": "https://acme.test/"}
        if method == "chat.postMessage":
            if self.rate_limit_seconds is not None:
                return (429, {"Retry-After": str(self.rate_limit_seconds)},
                        {"ok": False, "error": "ratelimited"})
            return 200, {}, {"ok": True, "channel": body.get("channel"), "ts": "1.1"}
        if method.startswith("views."):
            return 200, {}, {"ok": True, "view": {"id": "V1"}}
        if method == "users.info":
            user = str(body.get("user", ""))
            email = next((e for e, u in self.directory.items() if u == user), "")
            found: dict = {"id": user, "profile": {
                "email": email, "real_name": self.names.get(user, "")}}
            if str(body.get("include_locale", "")).lower() in ("1", "true"):
                found["locale"] = self.locales.get(user, "en-US")
            return 200, {}, {"ok": True, "user": found}
        if method == "users.lookupByEmail":
            user = self.directory.get(str(body.get("email", "")).lower())
            if user is None:
                return 200, {}, {"ok": False, "error": "users_not_found"}
            return 200, {}, {"ok": True, "user": {"id": user}}
        if method == "conversations.open":
            return 200, {}, {"ok": True, "channel": {"id": f"D{body.get('users', 'X')}"}}
        if method == "files.getUploadURLExternal":
            # files_upload_v2 then POSTs the bytes to this URL: the fake records that call too.
            return 200, {}, {"ok": True, "upload_url": f"{self.url}upload/F1", "file_id": "F1"}
        if method.startswith("upload/"):
            return 200, {}, "OK - 1"
        if method == "files.completeUploadExternal":
            return 200, {}, {"ok": True, "files": [{"id": "F1", "title": body.get("files")}]}
        return 200, {}, {"ok": True}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                method = self.path.split("?", 1)[0].strip("/")
                if method.startswith("upload/"):  # file bytes, not an API call
                    body: dict[str, Any] = {"raw": raw.decode("utf-8", "replace"),
                                            "bytes": raw}
                else:
                    body = _parse(raw, self.headers.get("Content-Type") or "")
                    # slack_sdk sends some methods' arguments as query parameters.
                    query = self.path.partition("?")[2]
                    body = {**dict(parse_qsl(query, keep_blank_values=True)), **body}
                bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                fake._wait_if_held(method)
                status, headers, answer = fake._answer(method, body, bearer)
                with fake._lock:
                    fake.calls.append(Call(method, body, status, dict(self.headers)))
                self.answer(status, headers, answer)

            # Some Web API methods (users.lookupByEmail) are read with GET and a query.
            do_GET = do_POST  # noqa: N815

        return Handler
