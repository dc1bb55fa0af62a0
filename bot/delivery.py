"""Runs the outbox: right after each event, and on a scheduler tick for retries."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from core.db import clock_for
from core.events import Sender
from core.outbox.dispatch import LEASE, Dispatcher, PlatformLimits
from core.outbox.shared_pace import SharedPacer

log = logging.getLogger(__name__)
# Flushes started by kicks are at least this many seconds apart.
KICK_GAP = 0.1


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
                                     rng=random.Random(seed))
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._wanted = False

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

    async def drain(self) -> None:
        """Wait for every kicked flush to finish (shutdown, and tests that read the outbox)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
