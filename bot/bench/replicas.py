"""Delivery by several real ``mentorbot serve`` processes sharing one PostgreSQL.

A fake Slack with Slack's limits (``bot.bench.fake_slack``) records every message it accepts;
the outbox is filled before the replicas start, and the figures come from what the fake saw:
the ratio to the allowed rate, duplicates, lost messages, 429s, and pairs of messages to one
person that arrived out of queue order. Faults on request: ``kill_every`` (kill -9 a replica
and start it again), ``slow_ms`` (Slack answers late), ``db_outage`` (every database
connection cut, new ones refused, for that long).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url

from bot.bench.delivery import _enqueue
from bot.bench.fake_slack import SlackLimitsFake
from bot.bench.report import _database
from bot.bench.tcp_proxy import OutageProxy
from core.clock import SystemClock
from core.db import make_session_factory
from core.models import OutboxMessage, OutboxStatus

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _replica_env(database_url: str, slack_url: str,
                 tick_seconds: float | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "WEBCHAT_", "TEAMS_", "DATABASE_URL"))}
    env = {k: v for k, v in env.items() if k != "TICK_SECONDS"}
    return env | ({"TICK_SECONDS": str(tick_seconds)} if tick_seconds else {}) | {
        "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-secret", "SLACK_API_URL": slack_url,
        "WEBCHAT_ENABLED": "false", "TEAMS_ENABLED": "false", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc); 0.0 where unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class _Replicas:
    """N ``mentorbot serve`` processes; one can be killed with SIGKILL and started again."""

    def __init__(self, count: int, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.ports = [_free_port() for _ in range(count)]
        self.procs: list[subprocess.Popen[bytes]] = [self._start(i) for i in range(count)]
        self.kills = 0
        self.restarts = 0
        self._cpu_of_dead = 0.0

    def cpu_seconds(self) -> float:
        """CPU every replica has used so far, the killed ones included (up to their kill)."""
        return self._cpu_of_dead + sum(_cpu_seconds(p.pid) for p in self.procs)

    def _start(self, i: int) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"replica-{i}.log", "ab")  # noqa: SIM115 - the process owns it
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port",
                                 str(self.ports[i])], env=self.env, cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT)

    def kill_and_restart(self, rng: random.Random) -> None:
        i = rng.randrange(len(self.procs))
        self._cpu_of_dead += _cpu_seconds(self.procs[i].pid)
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait(timeout=10)
        self.kills += 1
        self.procs[i] = self._start(i)

    def restart_exited(self) -> None:
        """Start again any replica that exited on its own, as Kubernetes would (a replica
        that cannot reach the database at start-up exits)."""
        for i, proc in enumerate(self.procs):
            if proc.poll() is not None:
                self.restarts += 1
                self.procs[i] = self._start(i)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _pending(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING)).scalar() or 0)


def _cpu_between(samples: list[tuple[float, float]], start: float, end: float) -> float:
    """CPU used between two instants, from (time, cumulative CPU) samples around them."""
    before = [cpu for at, cpu in samples if at <= start]
    after = [cpu for at, cpu in samples if at >= end]
    first = before[-1] if before else samples[0][1]
    last = after[0] if after else samples[-1][1]
    return max(last - first, 0.0)


def _longest_gap(fake: SlackLimitsFake) -> float:
    """The longest wait between two messages to one person: what a stall (a killed replica's
    rows waiting for their lease to end, an outage) looks like to the people waiting."""
    gaps = [b.at - a.at for accepted in fake.by_channel().values()
            for a, b in zip(accepted, accepted[1:], strict=False)]
    return max(gaps, default=0.0)


def _out_of_order(fake: SlackLimitsFake, order: dict[str, int]) -> int:
    """Consecutive arrivals to one person whose queue order is reversed."""
    bad = 0
    for accepted in fake.by_channel().values():
        seen = [order[a.text] for a in accepted if a.text in order]
        bad += sum(1 for a, b in zip(seen, seen[1:], strict=False) if b < a)
    return bad


def run_replicas_benchmark(database_url: str, *, replicas: int = 3, messages: int = 3000,
                           channels: int = 100, seed: int = 0, kill_every: float | None = None,
                           slow_ms: int = 0, db_outage: float | None = None,
                           outage_after: float = 5.0, tick_seconds: float | None = None,
                           deadline: float = 900.0,
                           note: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fill an outbox, let ``replicas`` serve processes deliver it, and return the figures.

    ``tick_seconds`` None runs the replicas with the production scheduler tick (15 s).
    """
    if not database_url.startswith("postgresql"):
        raise ValueError("several replicas need PostgreSQL: pass --database-url "
                         "postgresql+psycopg://…")
    say = note or (lambda _text: None)
    rng = random.Random(seed)
    with ExitStack() as stack:
        engine = stack.enter_context(_database(database_url))
        keys = _enqueue(make_session_factory(engine, SystemClock()), messages, channels, seed)
        with engine.connect() as conn:
            order = {k: i for k, i in conn.execute(
                select(OutboxMessage.idempotency_key, OutboxMessage.id))}
        url = make_url(engine.url.render_as_string(hide_password=False))
        if db_outage:
            proxy = stack.enter_context(OutageProxy(url.host or "127.0.0.1", url.port or 5432))
            url = url.set(host="127.0.0.1", port=proxy.port)
        fake = stack.enter_context(SlackLimitsFake())
        fake.answer_delay = slow_ms / 1000
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mentorbot-replicas-")))
        env = _replica_env(url.render_as_string(hide_password=False), fake.url, tick_seconds)
        say(f"Starting {replicas} replicas on one PostgreSQL…")
        started = time.monotonic()
        pool = _Replicas(replicas, env, logs)
        stack.callback(pool.stop)
        next_kill = started + kill_every if kill_every else None
        outage_done = not db_outage
        left = messages
        cpu: list[tuple[float, float]] = []  # (monotonic time, CPU of all replicas so far)
        while (left := _pending(engine)) and time.monotonic() - started < deadline:
            now = time.monotonic()
            cpu.append((now, pool.cpu_seconds()))
            if next_kill is not None and now >= next_kill:
                pool.kill_and_restart(rng)
                next_kill = now + (kill_every or 0)
            pool.restart_exited()
            # The outage starts once delivery is under way (replicas start slowly on a busy
            # machine, and one that can't migrate at start-up only exits).
            if not outage_done and fake.accepted and \
                    now - fake.accepted[0].at >= outage_after:
                say(f"Database outage for {db_outage:g} s…")
                proxy.outage(db_outage or 0)
                outage_done = True
            time.sleep(0.2)
        total = time.monotonic() - started
        cpu.append((time.monotonic(), pool.cpu_seconds()))
        with engine.connect() as conn:
            statuses = dict(conn.execute(select(OutboxMessage.status, func.count())
                                         .group_by(OutboxMessage.status)).tuples().all())
        received = set(fake.texts())
        times = [a.at for a in fake.accepted]
        sending = (max(times) - min(times)) if len(times) > 1 else 0.0
        sending_cpu = _cpu_between(cpu, min(times), max(times)) if times else 0.0
        busiest = -(-messages // channels)
        fastest = float(busiest - 1)  # one message a second per channel; the first goes at once
        rejected = sum(fake.rejected.values())
        return {
            "replicas": replicas, "messages": messages, "channels": channels,
            "kill_every_s": kill_every, "kills": pool.kills, "restarts": pool.restarts,
            "slow_ms": slow_ms,
            "db_outage_s": db_outage, "total_s": round(total, 2),
            "sending_s": round(sending, 2), "fastest_legal_s": fastest,
            "ratio_to_allowed": round(fastest / sending, 3) if sending else 0.0,
            "duplicates": fake.duplicates(), "lost": sum(1 for k in keys if k not in received),
            "rate_limited_429": rejected,
            "per_100_messages_429": round(100 * rejected / max(len(fake.accepted), 1), 2),
            "out_of_order_pairs": _out_of_order(fake, order),
            "rows_sent": statuses.get(OutboxStatus.SENT, 0),
            "rows_failed": statuses.get(OutboxStatus.FAILED, 0),
            "rows_pending": left, "history_reads": fake.history_reads,
            "longest_gap_s": round(_longest_gap(fake), 2),
            # Machine-independent: the replicas' CPU while messages were going out, per message.
            "replica_cpu_ms_per_message": round(1000 * sending_cpu / max(len(times), 1), 2),
        }
