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
        """Called by adapters after an event: deliver now, never raise into the request."""
        try:
            await self.flush()
        except Exception:  # noqa: BLE001 - the scheduler tick retries; the user is not blocked
            log.exception("outbox flush failed; will retry on the next tick")
