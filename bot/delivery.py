"""Runs the outbox: right after each event, and on a scheduler tick for retries."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import Session, sessionmaker

from core.events import Sender
from core.outbox import deliver_due

log = logging.getLogger(__name__)


class OutboxWorker:
    """Delivers due outbox rows through the registered platform senders, one flush at a time."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.senders: dict[str, Sender] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    def register(self, platform: str, sender: Sender) -> None:
        self.senders[platform] = sender

    async def flush(self) -> int:
        """Deliver everything that is due; returns how many messages went out."""
        if not self.senders:
            return 0
        async with self._lock:
            total = 0
            while True:
                sent = await deliver_due(self.sessions, self.senders)
                total += sent
                if sent == 0:
                    return total

    async def kick(self) -> None:
        """Called by adapters after an event: start delivering now, without making them wait.

        A slow platform must not hold up the HTTP answer (Teams resends after 15 s).
        """
        task = asyncio.create_task(self._safe_flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _safe_flush(self) -> None:
        try:
            await self.flush()
        except Exception:  # noqa: BLE001 - the scheduler tick retries; nobody is blocked
            log.exception("outbox flush failed; will retry on the next tick")

    async def drain(self) -> None:
        """Wait for every kicked flush to finish (shutdown, and tests that read the outbox)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
