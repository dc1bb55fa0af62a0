"""`mentorbot bench acks`: signed slash commands against the project and a bare Bolt app.

Both are served the same way (uvicorn, one process each, FastAPI + Bolt's request handler at
/slack/events) and get the same open-loop load, interleaved, in one run: R commands a second
each, for S seconds. A recording fake Slack Web API on 127.0.0.1 notes when each reply
(response_url) and each `views.open` arrives. Absolute times on shared cores mean little;
the ratios to the bare app are the figures to read.

The bare app is started with ``python -m bot.bench.acks PORT`` (ack only, nothing else).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request, Response

from bot.bench.local_server import LocalServer, QuietHandler

SECRET = "bench-secret"
ROOT = Path(__file__).resolve().parents[2]
USERS = 200
# The command mix: mostly quick answers, one in ten opens the enrollment form.
MIX = ("status", "help", "status", "help", "status", "help", "status", "help", "status", "join")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that drops a kept-alive connection is no news


class RecordingSlack(LocalServer):
    """Answers the Web API calls both apps make and notes when replies and modals arrive."""

    server_class = _Server

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._views = itertools.count(1)
        self._lock = threading.Lock()
        self._start_server(self._handler())

    def _answer(self, method: str, fields: dict[str, Any]) -> Any:
        if method.startswith("response/"):
            self._note(method)
            return "ok"
        if method == "views.open":
            trigger = str(fields.get("trigger_id", ""))
            self._note(f"open/{trigger}")
            return {"ok": True, "view": {"id": f"V{next(self._views)}"}}
        if method == "auth.test":
            return {"ok": True, "team_id": "T1", "team": "Bench", "user_id": "UBOT",
                    "user": "mentorbot", "bot_id": "B1", "url": "https://bench.test/"}
        if method == "users.info":
            user = str(fields.get("user", ""))
            return {"ok": True, "user": {"id": user, "profile": {
                "email": f"{user.lower()}@bench.test", "real_name": f"Person {user}"}}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D1"}}
        if method == "chat.postMessage":
            return {"ok": True, "ts": f"{time.time():.6f}", "channel": "D1"}
        return {"ok": True, "view": {"id": "V0"}}

    def _note(self, key: str) -> None:
        with self._lock:
            self.arrived.setdefault(key, time.monotonic())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                if self.path == "/_arrived":  # the load generator reads the arrivals
                    with fake._lock:
                        self.answer(200, {}, dict(fake.arrived))
                    return
                if self.path == "/_clear":
                    with fake._lock:
                        fake.arrived.clear()
                    self.answer(200, {}, "ok")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                method = self.path.split("?", 1)[0].strip("/")
                query = self.path.partition("?")[2]
                with fake._lock:
                    fake.calls[method] = fake.calls.get(method, 0) + 1
                self.answer(200, {}, fake._answer(method, _fields(body, query)))

            do_GET = do_POST  # noqa: N815

        return Handler


def _fields(body: str, query: str) -> dict[str, Any]:
    """A JSON or form body's fields, with the query string's."""
    fields: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    text = body.strip()
    if text.startswith("{"):
        try:
            fields.update(json.loads(text))
        except ValueError:
            pass
    else:
        fields.update(parse_qsl(text, keep_blank_values=True))
    return fields


# --- the two servers -------------------------------------------------------------------------


def bare_app() -> Any:
    """A bare Bolt AsyncApp that only acks /mentor, behind FastAPI like the project's."""
    from fastapi import FastAPI
    from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(
        token="xoxb-bench", base_url=os.environ.get("SLACK_API_URL", "http://127.0.0.1:9/")))

    @bolt.command("/mentor")
    async def mentor(ack: AsyncAck) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(bolt)
    web = FastAPI()

    @web.post("/slack/events")
    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return web


def _env(database_url: str, slack_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "WEBCHAT_", "TEAMS_", "DATABASE_URL"))}
    return env | {
        "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack_url, "WEBCHAT_ENABLED": "false",
        "TEAMS_ENABLED": "false", "TICK_SECONDS": "3600", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    }


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(engine: Any) -> None:
    """The Slack workspace T1 with one open program, so /mentor join opens the form."""
    from core.db import make_session_factory
    from core.models import Platform, Program, ProgramKind, ProgramStatus, Workspace

    sessions = make_session_factory(engine)
    with sessions() as s, s.begin():
        ws = Workspace(platform=Platform("slack"), external_id="T1", name="Bench")
        s.add(ws)
        s.flush()
        s.add(Program(workspace_id=ws.id, name="Leadership 1:1", kind=ProgramKind.ONE_ON_ONE,
                      status=ProgramStatus.OPEN,
                      skills=["Negotiation", "Public speaking", "Coaching", "Strategy"]))


@contextmanager
def _servers(database_url: str | None, slack_url: str) -> Iterator[dict[str, Any]]:
    from bot.bench.report import _database

    with _database(database_url) as engine, tempfile.TemporaryDirectory() as logs:
        _seed(engine)
        url = engine.url.render_as_string(hide_password=False)
        env = _env(url, slack_url)
        ports = {"project": _free_port(), "bare": _free_port()}
        commands = {
            "project": [sys.executable, "-m", "bot.cli", "serve", "--port",
                        str(ports["project"])],
            "bare": [sys.executable, "-m", "bot.bench.acks", str(ports["bare"])],
        }
        procs = {}
        try:
            for name, argv in commands.items():
                out = open(Path(logs) / f"{name}.log", "ab")  # noqa: SIM115 - process owns it
                procs[name] = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out,
                                               stderr=subprocess.STDOUT)
            yield {"ports": ports, "procs": procs, "logs": logs, "backend": engine.dialect.name}
        finally:
            for proc in procs.values():
                proc.terminate()
            for proc in procs.values():
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None  # gone meanwhile


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and every process under it, live or ended
    (Linux /proc): a server that hands work to processes of its own is charged for them."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdecimal() and (fields := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    family, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    ticks = 0
    for member in family:
        fields = _stat(member)
        if fields is not None:  # its own time, and that of its children it has waited for
            ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Sent:
    target: str
    key: str
    text: str
    at: float
    acked: float | None = None
    status: int = 0


@dataclass
class Result:
    rate: float
    seconds: float
    backend: str
    sent: list[Sent] = field(default_factory=list)
    arrived: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    # The machine's 1-minute load average as the measured load began and ended: both apps
    # share two cores with whatever else runs, and CPU per command grows with that.
    load: tuple[float, float] = (float("nan"), float("nan"))


def _body(text: str, user: str, key: str, slack_url: str) -> str:
    return urlencode({
        "token": "legacy", "team_id": "T1", "team_domain": "bench", "channel_id": "C1",
        "channel_name": "general", "user_id": user, "user_name": user.lower(),
        "command": "/mentor", "text": text, "api_app_id": "A1",
        "response_url": f"{slack_url}response/{key}", "trigger_id": key})


def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(),
                           hashlib.sha256).hexdigest()
    return {"Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}


async def _wait_ready(session: Any, ports: dict[str, int]) -> None:
    import aiohttp

    deadline = time.monotonic() + 60
    for port in ports.values():
        while True:
            try:
                async with session.post(f"http://127.0.0.1:{port}/slack/events", data=b"",
                                        headers={"X-Slack-Request-Timestamp": "1"}) as r:
                    await r.read()
                    break
            except aiohttp.ClientError:
                if time.monotonic() > deadline:
                    raise RuntimeError("a server did not start; see its log") from None
                await asyncio.sleep(0.2)


async def _one(session: Any, port: int, sent: Sent, body: str) -> None:
    try:
        async with session.post(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                headers=_signed(body)) as response:
            await response.read()
            sent.status = response.status
    except Exception:  # noqa: BLE001 - a refused or dropped request counts as a failure
        sent.status = -1
    sent.acked = time.monotonic()


async def _arrived(session: Any, slack_url: str, clear: bool = False) -> dict[str, float]:
    async with session.post(f"{slack_url}{'_clear' if clear else '_arrived'}") as response:
        return {} if clear else dict(await response.json())


async def _drive(result: Result, ports: dict[str, int], slack_url: str,
                 procs: dict[str, Any]) -> None:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        await _wait_ready(session, ports)
        # Warm-up: every user's first contact (users.info, a new person) before measuring.
        warm = [_one(session, ports[name], Sent(name, f"w-{name}-{u}", "help", 0.0),
                     _body("help", f"U{u}", f"w-{name}-{u}", slack_url))
                for u in range(USERS) for name in ports]
        for chunk in range(0, len(warm), 20):
            await asyncio.gather(*warm[chunk:chunk + 20])
        # The project's first contacts must be done before the CPU clock starts: on a busy
        # machine their work would otherwise be counted against the measured commands.
        ready_by = time.monotonic() + 60
        while time.monotonic() < ready_by and sum(
                k.startswith("response/w-project-")
                for k in await _arrived(session, slack_url)) < USERS:
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)
        await _arrived(session, slack_url, clear=True)
        before = {name: _cpu_seconds(p.pid) for name, p in procs.items()}
        load_before = _load()
        tasks = []
        start = time.monotonic()
        total = int(result.rate * result.seconds)
        for i in range(total):
            due = start + i / result.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            text = MIX[i % len(MIX)]
            user = f"U{i % USERS}"
            order = ("project", "bare") if i % 2 == 0 else ("bare", "project")
            for name in order:
                key = f"{name}-{i}"
                sent = Sent(name, key, text, time.monotonic())
                result.sent.append(sent)
                tasks.append(asyncio.create_task(
                    _one(session, ports[name], sent, _body(text, user, key, slack_url))))
        await asyncio.gather(*tasks)
        # Let the project finish the work that follows its acks.
        expected = sum(1 for s in result.sent if s.target == "project")
        quiet_until = time.monotonic() + 30
        while time.monotonic() < quiet_until and \
                len(await _arrived(session, slack_url)) < expected:
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)
        after = {name: _cpu_seconds(p.pid) for name, p in procs.items()}
        result.cpu = {name: after[name] - before[name] for name in procs}
        result.load = (load_before, _load())
        result.arrived = await _arrived(session, slack_url)


def run_acks_benchmark(rate: float, seconds: float, database_url: str | None = None) -> Result:
    """Run the side-by-side load once; returns what was sent and when everything arrived.

    The fake Slack runs in a process of its own, so neither it nor the load generator takes
    the other's CPU (CLOCK_MONOTONIC is shared by every process, so their times compare).
    """
    port = _free_port()
    slack_url = f"http://127.0.0.1:{port}/"
    fake = subprocess.Popen([sys.executable, "-m", "bot.bench.acks", "fake", str(port)],
                            env=_env("sqlite://", slack_url), cwd=ROOT)
    try:
        with _servers(database_url, slack_url) as servers:
            result = Result(rate, seconds, servers["backend"])
            try:
                asyncio.run(_drive(result, servers["ports"], slack_url, servers["procs"]))
            except RuntimeError:
                for name in servers["procs"]:
                    log = Path(servers["logs"]) / f"{name}.log"
                    sys.stderr.write(f"--- {name} ---\n{log.read_text()[-3000:]}\n")
                raise
    finally:
        fake.terminate()
        fake.wait(timeout=15)
    return result


# --- the figures --------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def figures(result: Result) -> dict[str, Any]:
    """Percentiles (ms), CPU per command and the ratios to the bare app."""
    acks = {name: [(s.acked - s.at) * 1000 for s in result.sent
                   if s.target == name and s.acked is not None and s.status == 200]
            for name in ("project", "bare")}
    failed = {name: sum(1 for s in result.sent if s.target == name and s.status != 200)
              for name in ("project", "bare")}
    project = [s for s in result.sent if s.target == "project"]
    opens = [(result.arrived[f"open/{s.key}"] - s.at) * 1000 for s in project
             if f"open/{s.key}" in result.arrived]
    replies = [(result.arrived[f"response/{s.key}"] - s.at) * 1000 for s in project
               if f"response/{s.key}" in result.arrived]
    count = {name: sum(1 for s in result.sent if s.target == name) for name in acks}
    cpu_ms = {name: result.cpu.get(name, 0.0) * 1000 / max(count[name], 1) for name in acks}
    out: dict[str, Any] = {"backend": result.backend, "rate": result.rate,
                           "seconds": result.seconds, "commands_each": count["project"],
                           "failed": failed, "joins": sum(1 for s in project if s.text == "join"),
                           "views_open_arrived": len(opens), "replies_arrived": len(replies)}
    for q in (0.5, 0.95, 0.99):
        tag = f"p{round(q * 100)}"
        out[f"ack_{tag}_ms"] = {name: _pct(v, q) for name, v in acks.items()}
        out[f"views_open_{tag}_ms"] = _pct(opens, q)
        out[f"reply_{tag}_ms"] = _pct(replies, q)
    out["cpu_ms_per_command"] = cpu_ms
    out["load_average_1min"] = result.load
    bare99 = out["ack_p99_ms"]["bare"]
    out["ack_p99_ratio"] = out["ack_p99_ms"]["project"] / bare99 if bare99 else float("nan")
    out["cpu_ratio"] = cpu_ms["project"] / cpu_ms["bare"] if cpu_ms["bare"] else float("nan")
    return out


def _serve_fake(port: int) -> None:
    fake = RecordingSlack.__new__(RecordingSlack)
    fake.arrived, fake.calls = {}, {}
    fake._views = itertools.count(1)
    fake._lock = threading.Lock()
    server = _Server(("127.0.0.1", port), fake._handler())
    server.serve_forever(0.05)


if __name__ == "__main__":  # python -m bot.bench.acks PORT (the bare app) | fake PORT
    if sys.argv[1] == "fake":
        _serve_fake(int(sys.argv[2]))
    else:
        import uvicorn

        uvicorn.run(bare_app(), host="127.0.0.1", port=int(sys.argv[1]), log_config=None)
