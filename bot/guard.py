"""An ASGI guard in front of every route: size and shape limits before parsing or auth.

It reads the body once (refusing it past the limit without buffering the rest), then checks
what would otherwise crash deep inside a framework or a database: JSON nested deeper than any
real payload, lone UTF-16 surrogates (FastAPI cannot even render its 422 for them) and NUL
characters (PostgreSQL refuses them in text). The checks are the same for every adapter, so
none of them can be forgotten on a new route. It also stamps the security headers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Slack, Teams, SCIM and the web chat send a few KB; a generous ceiling for everything but
# the admin page's HRIS upload, which has its own (its route also checks the file's size).
MAX_BODY = 1024 * 1024
UPLOAD_PATHS = ("/admin/import",)
MAX_UPLOAD_BODY = 21 * 1024 * 1024
# Block Kit views and Adaptive Card values nest about ten deep; nothing real needs 64.
MAX_JSON_DEPTH = 64
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_NUL_ESCAPE = re.compile(r"\\u0000")


class Refused(Exception):
    """A request the guard answers itself, with ``status`` and a short reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def json_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in JSON text, ignoring brackets inside strings.

    A single pass without recursion, so a hostile document costs its length and nothing more.
    """
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _has_unencodable(value: Any) -> bool:
    """True when any string in a parsed JSON value holds a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def check_json_text(text: str) -> None:
    """Refuse JSON text that is too deep, names a NUL, or escapes a lone surrogate."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise Refused(400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if "\x00" in text or _NUL_ESCAPE.search(text):
        raise Refused(400, "text must not contain NUL characters")
    if _SURROGATE_ESCAPE.search(text):
        try:
            parsed = json.loads(text)
        except ValueError:
            return  # not JSON after all: the route says so in its own words
        if _has_unencodable(parsed):
            raise Refused(400, "text must be valid Unicode (a lone surrogate was sent)")


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise Refused(400, "text must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(400, "text must be valid Unicode") from None


def check_query(raw: bytes) -> None:
    """Refuse a query string carrying NUL or bytes that are not UTF-8."""
    if not raw:
        return
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        for part in (key, value):
            if "\x00" in unquote_to_bytes(part).decode("latin-1"):
                raise Refused(400, "query must not contain NUL characters")
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "query must be UTF-8") from None


def check_body(body: bytes, content_type: str) -> None:
    """Refuse a body whose JSON (plain, or inside a form field) is hostile."""
    if not body:
        return
    kind = content_type.split(";")[0].strip().lower()
    if kind.startswith("multipart/"):
        # A file upload: only NUL is checked (no CSV holds one; PostgreSQL would refuse it).
        if b"\x00" in body:
            raise Refused(400, "the upload must not contain NUL bytes")
        return
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the body must be UTF-8") from None
    if kind == "application/x-www-form-urlencoded":
        if _plain_form(body):
            return
        # Slack sends its JSON inside a "payload" field: check every field that looks like JSON.
        for _, value in parse_qsl(text, keep_blank_values=True):
            _check_text(value)
            if value.lstrip()[:1] in ("{", "["):
                check_json_text(value)
        return
    if "json" in kind or text.lstrip()[:1] in ("{", "["):
        check_json_text(text)
    elif "\x00" in text:
        raise Refused(400, "the body must not contain NUL characters")


# A form field can start a JSON value only with one of these (raw or percent-encoded).
_JSON_OPENERS = (b"{", b"[", b"%7B", b"%7b", b"%5B", b"%5b")


def _plain_form(body: bytes) -> bool:
    """True when no field of this form body can hold NUL or JSON, so there is nothing to
    check field by field (a slash command's body; Slack's JSON payloads still are).

    Decoding cannot produce a lone surrogate (errors are replaced), so NUL is the only text
    a plain field could carry that we refuse. Parsing every field of every command was the
    guard's largest cost."""
    return (b"%00" not in body and b"\x00" not in body
            and not any(opener in body for opener in _JSON_OPENERS))


async def _answer(send: Send, refused: Refused, headers: list[tuple[bytes, bytes]],
                  *, plain: bool = False) -> None:
    # The admin page is read by a person in a browser: a sentence, not JSON.
    body = (f"Mentorbot refused this request: {refused.reason}.".encode() if plain
            else json.dumps({"error": refused.reason}).encode())
    kind = b"text/plain; charset=utf-8" if plain else b"application/json"
    await send({"type": "http.response.start", "status": refused.status,
                "headers": [(b"content-type", kind),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class GuardMiddleware:
    """Limit body size and JSON shape before any route parses or authenticates a request."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        # Strict-Transport-Security only means something when browsers arrive over https.
        self.headers: list[tuple[bytes, bytes]] = [(b"x-content-type-options", b"nosniff")]
        if hsts:
            self.headers.append((b"strict-transport-security",
                                 b"max-age=31536000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *[(k, v) for k, v in extra if k not in names]]
            await send(message)

        path: str = scope.get("path", "")
        limit = MAX_UPLOAD_BODY if path.startswith(UPLOAD_PATHS) else MAX_BODY
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        try:
            check_query(scope.get("query_string", b""))
            declared = headers.get("content-length")
            if declared is not None:
                if not declared.strip().isascii() or not declared.strip().isdecimal():
                    raise Refused(400, "malformed Content-Length")
                if int(declared) > limit:
                    raise Refused(413, f"the body is larger than {limit} bytes")
            body = await _read_body(receive, limit)
            check_body(body, headers.get("content-type", ""))
        except Refused as refused:
            await _answer(send, refused, extra, plain=path.startswith("/admin"))
            return

        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_headers)


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, refused as soon as it passes ``limit`` (the rest is never buffered)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refused(400, "the client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
