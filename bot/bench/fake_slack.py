"""A fake Slack Web API that enforces Slack's rate limits and records every accepted message.

chat.postMessage: at most ``per_channel`` messages per ``window`` seconds per channel (Slack:
one per second), else 429 with Retry-After. conversations.open: Tier 3, at most
``open_per_minute`` calls in any 60 s. Accepted messages are kept with their text so tests and
the benchmark can count duplicates and losses. Run with ``with SlackLimitsFake() as fake``
and point slack_sdk's ``base_url`` at ``fake.url``.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from bot.bench.local_server import LocalServer, QuietHandler


@dataclass(frozen=True)
class Accepted:
    """One message Slack would have shown: where, what, its ts and when it arrived."""

    channel: str
    text: str
    ts: str
    at: float
    metadata: dict[str, Any] | None = None


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    text = raw.decode("utf-8") if raw else ""
    if not text:
        return {}
    if "json" in content_type or text.startswith("{"):
        return dict(json.loads(text))
    return dict(parse_qsl(text, keep_blank_values=True))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Kept-alive connections park a thread each until the client goes: never wait for them
    # when the fake stops.
    block_on_close = False
    connections = 0  # TCP connections accepted: a sender that keeps them alive opens few

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)
    # The default backlog of 5 drops connections when many sends arrive at once.
    request_queue_size = 128


class SlackLimitsFake(LocalServer):
    """The limit-enforcing fake Slack Web API, on 127.0.0.1 and an ephemeral port."""

    server_class = _Server

    def __init__(self, *, per_channel_per_second: float = 1.0, open_per_minute: int = 50,
                 clock: Callable[[], float] = time.monotonic) -> None:
        # One message per channel per ``1 / per_channel_per_second`` seconds, measured
        # between accepted messages (rejected calls do not count, as at Slack).
        self.min_gap = 1.0 / per_channel_per_second
        self.retry_after = max(1, math.ceil(self.min_gap))
        self.open_per_minute = open_per_minute
        self.clock = clock
        self.accepted: list[Accepted] = []
        self.rejected: Counter[str] = Counter()  # method -> 429s answered
        self.opens: list[str] = []  # users= of every accepted conversations.open
        self.forced_429 = 0  # answer this many next chat.postMessage calls with 429
        self.forced_retry_after = 1
        self.history_reads = 0
        self.errors: dict[str, str] = {}  # channel -> Slack error code to answer with
        self.replies: list[dict[str, Any]] = []  # bodies posted to a response_url (response/…)
        self._last_post: dict[str, float] = {}
        self._open_times: deque[float] = deque()
        self._history_times: deque[float] = deque()
        self._last_us = 0
        # Seconds to wait before answering chat.postMessage, after the message is accepted:
        # a slow Slack whose answer may come after the sender gave up.
        self.answer_delay = 0.0
        self._lock = threading.Lock()
        self._start_server(self._handler_class())

    # --- what tests read ---------------------------------------------------------------

    def connections(self) -> int:
        """How many TCP connections callers have opened so far."""
        return self._server.connections

    def texts(self) -> list[str]:
        """The text of every accepted message, in arrival order."""
        with self._lock:
            return [a.text for a in self.accepted]

    def duplicates(self) -> int:
        """How many accepted messages repeated an earlier one's (channel, text)."""
        with self._lock:
            counts = Counter((a.channel, a.text) for a in self.accepted)
        return sum(n - 1 for n in counts.values())

    def by_channel(self) -> dict[str, list[Accepted]]:
        """Accepted messages per channel, in arrival order."""
        out: dict[str, list[Accepted]] = defaultdict(list)
        with self._lock:
            for a in self.accepted:
                out[a.channel].append(a)
        return dict(out)

    # --- the API ------------------------------------------------------------------------

    def _answer(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        now = self.clock()
        with self._lock:
            if method.startswith("response/"):  # a response_url: Slack answers "ok"
                self.replies.append(body)
                return 200, {}, "ok"
            if method == "chat.postMessage":
                return self._post(body, now)
            if method == "conversations.open":
                return self._open(body, now)
            if method == "conversations.history":
                return self._history(body, now)
            if method == "auth.test":
                return 200, {}, {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "B1"}
        return 200, {}, {"ok": False, "error": "unknown_method"}

    def _post(self, body: dict[str, Any], now: float) -> tuple[int, dict[str, str], Any]:
        channel = str(body.get("channel", ""))
        if not channel:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if self.forced_429 > 0:
            self.forced_429 -= 1
            self.rejected["chat.postMessage"] += 1
            return (429, {"Retry-After": str(self.forced_retry_after)},
                    {"ok": False, "error": "ratelimited"})
        if channel in self.errors:
            return 200, {}, {"ok": False, "error": self.errors[channel]}
        last = self._last_post.get(channel)
        if last is not None and now - last < self.min_gap:
            self.rejected["chat.postMessage"] += 1
            return (429, {"Retry-After": str(self.retry_after)},
                    {"ok": False, "error": "ratelimited"})
        self._last_post[channel] = now
        # When Slack took it, by the wall clock, unique and ordered, like Slack's.
        self._last_us = max(time.time_ns() // 1000, self._last_us + 1)
        ts = f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"
        metadata = body.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        self.accepted.append(Accepted(channel, str(body.get("text", "")), ts, now, metadata))
        # Posted to a user id, Slack answers with the DM's channel id.
        landed = f"D{channel}" if channel.startswith("U") else channel
        return 200, {}, {"ok": True, "channel": landed, "ts": ts}

    def _open(self, body: dict[str, Any], now: float) -> tuple[int, dict[str, str], Any]:
        while self._open_times and now - self._open_times[0] >= 60.0:
            self._open_times.popleft()
        if len(self._open_times) >= self.open_per_minute:
            self.rejected["conversations.open"] += 1
            wait = 60.0 - (now - self._open_times[0])
            return (429, {"Retry-After": str(max(1, math.ceil(wait)))},
                    {"ok": False, "error": "ratelimited"})
        self._open_times.append(now)
        users = str(body.get("users", ""))
        self.opens.append(users)
        ids = sorted(users.split(","))
        # A DM with one person is a D… channel; several people share one G… conversation.
        channel = f"D{ids[0]}" if len(ids) == 1 else "G" + "".join(ids)
        return 200, {}, {"ok": True, "channel": {"id": channel}}

    def _history(self, body: dict[str, Any], now: float) -> tuple[int, dict[str, str], Any]:
        """Newest first, as Slack answers; a DM's history holds what was posted to the user.
        Tier 3, like conversations.open: at most ``open_per_minute`` reads in any 60 s."""
        while self._history_times and now - self._history_times[0] >= 60.0:
            self._history_times.popleft()
        if len(self._history_times) >= self.open_per_minute:
            self.rejected["conversations.history"] += 1
            wait = 60.0 - (now - self._history_times[0])
            return (429, {"Retry-After": str(max(1, math.ceil(wait)))},
                    {"ok": False, "error": "ratelimited"})
        self._history_times.append(now)
        channel = str(body.get("channel", ""))
        names = {channel, channel[1:]} if channel.startswith("D") else {channel}
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [a for a in self.accepted if a.channel in names][::-1]
        limit = int(body.get("limit") or 100)
        messages = [{"type": "message", "ts": a.ts, "text": a.text,
                     **({"metadata": a.metadata} if with_metadata and a.metadata else {})}
                    for a in found[:limit]]
        self.history_reads += 1
        return 200, {}, {"ok": True, "messages": messages, "has_more": len(found) > limit}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            # Slack keeps connections alive, so a sender that reuses one is measured fairly.
            protocol_version = "HTTP/1.1"
            timeout = 60

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                method = self.path.split("?", 1)[0].strip("/")
                body = _parse(raw, self.headers.get("Content-Type") or "")
                # slack_sdk sends some methods' arguments as query parameters.
                query = self.path.partition("?")[2]
                body = {**dict(parse_qsl(query, keep_blank_values=True)), **body}
                status, headers, answer = fake._answer(method, body)
                if method == "chat.postMessage" and fake.answer_delay:
                    time.sleep(fake.answer_delay)
                self.answer(status, headers, answer)

            # conversations.history is read with GET and a query.
            do_GET = do_POST  # noqa: N815

        return Handler
