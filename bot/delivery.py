"""Runs the outbox: right after each event, and on a scheduler tick for retries."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from core.db import clock_for
from core.events import Sender
from core.models import OutboxMessage, OutboxStatus, Platform
from core.outbox.dispatch import LEASE, Dispatcher, PlatformLimits
from core.outbox.shared_pace import SharedPacer
from core.outbox.threads import DB_CALL_TIMEOUT

log = logging.getLogger(__name__)
# Flushes started by kicks are at least this many seconds apart.
KICK_GAP = 0.1
# While the app runs, an idle worker looks this often (seconds) for rows that became due
# without a kick here: a retry's time came, another replica handed rows back or died (its
# leases end), the database came back after an outage. One EXISTS query each time.
POLL_SECONDS = 1.0
# Sends in flight at once. Enough that every conversation can have its one message out
# while Slack takes its time answering: 100 conversations at one message a second with
# 300 ms answers keep about 30 in flight, and 16 capped them at half the allowed rate.
MAX_IN_FLIGHT = 128


class OutboxWorker:
    """Delivers due outbox rows through the registered platform senders, one flush at a time.

    One :class:`Dispatcher` lives as long as the worker, so its pacer remembers what was sent
    to each channel across flushes and the next flush does not provoke a 429. On PostgreSQL the
    pacer's buckets live in the database, shared with every other replica.
    """

    # A big batch: claims take turns across replicas and a claimed conversation's later rows
    # wait for its lane, so each claim should carry several seconds of every conversation's
    # work (at Slack's one message a second, 500 rows stay well inside the 30 s lease).
    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock | None = None,
                 limits: Mapping[str, PlatformLimits] | None = None, batch: int = 500,
                 lease: timedelta = LEASE, seed: int | None = None) -> None:
        self.sessions = sessions
        self.clock = clock_for(sessions, clock)
        self.senders: dict[str, Sender] = {}
        shared = sessions.kw["bind"].dialect.name == "postgresql"
        pacer = SharedPacer(sessions, self.clock, limits) if shared else None
        self.dispatcher = Dispatcher(sessions, self.senders, clock=self.clock, limits=limits,
                                     pacer=pacer, batch=batch, lease=lease,
                                     max_in_flight=MAX_IN_FLIGHT, rng=random.Random(seed))
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._wanted = False
        self._watcher: asyncio.Task[None] | None = None

    def register(self, platform: str, sender: Sender) -> None:
        """Deliver ``platform``'s rows through ``sender`` from now on."""
        self.senders[platform] = sender

    async def flush(self) -> int:
        """Deliver everything that is due; returns how many messages went out."""
        if not self.senders:
            return 0
        async with self._lock:
            return (await self.dispatcher.run_until_idle()).sent

    async def kick(self) -> None:
        """Called by adapters after an event: start delivering now, without making them wait.

        A slow platform must not hold up the HTTP answer (Teams resends after 15 s). Kicks
        coalesce: while a flush runs, any number of kicks add one more flush after it (which
        sees every row they queued), not one flush each.
        """
        self._wanted = True
        runner = self._runner
        if runner is not None and not runner.done() and \
                runner.get_loop() is asyncio.get_running_loop():
            return
        task = asyncio.create_task(self._flush_while_wanted())
        self._runner = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_while_wanted(self) -> None:
        while self._wanted:
            self._wanted = False
            started = asyncio.get_running_loop().time()
            await self._safe_flush()
            if self._wanted:
                # Under a burst, flushes start at most every KICK_GAP: each one claims every
                # row the burst queued, and the claims stay off the acks' CPU in between.
                gap = KICK_GAP - (asyncio.get_running_loop().time() - started)
                if gap > 0:
                    await asyncio.sleep(gap)

    async def _safe_flush(self) -> None:
        try:
            await self.flush()
        except Exception:  # noqa: BLE001 - the scheduler tick retries; nobody is blocked
            log.exception("outbox flush failed; will retry on the next tick")

    def watch(self, every: float = POLL_SECONDS) -> None:
        """From now until :meth:`drain`, kick a flush whenever a row is due and none runs,
        looking every ``every`` seconds (the app starts this; tests call flush or kick)."""
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.create_task(self._watch(every))

    async def _watch(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            runner = self._runner
            if runner is not None and not runner.done():
                continue  # a flush is running: it claims again by itself
            try:
                if self.senders and await asyncio.wait_for(
                        asyncio.to_thread(self._anything_due), DB_CALL_TIMEOUT):
                    await self.kick()
            except Exception:  # noqa: BLE001 - the database is away: look again later
                log.debug("outbox watch: database not answering", exc_info=True)

    def _anything_due(self) -> bool:
        known = {platform.value for platform in Platform}
        platforms = [Platform(name) for name in self.senders if name in known]
        with self.sessions() as session:
            return bool(session.scalar(select(exists().where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= self.clock.now(),
                OutboxMessage.platform.in_(platforms)))))

    async def drain(self) -> None:
        """Stop watching, and wait for every kicked flush to finish (shutdown, and tests that
        read the outbox)."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
