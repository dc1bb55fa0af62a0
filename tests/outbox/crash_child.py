"""Child process for the crash-recovery test: claim due rows, then hang before sending.

Run as ``python -m tests.outbox.crash_child DB_URL NOW`` (NOW in ISO 8601: the test's clock);
the test kills it with SIGKILL once the claim is committed, so the row is left leased and
unsent, as after a real crash.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from core.clock import FakeClock
from core.db import make_engine, make_session_factory
from core.events import Delivery
from core.outbox.dispatch import Dispatcher


class HangingSender:
    """Never returns: the process dies while "sending"."""

    supports_group_chat = True

    async def deliver(self, delivery: Delivery) -> str | None:
        """Block forever."""
        await asyncio.Event().wait()
        return None


def main(db_url: str, now: str) -> None:
    """Claim one batch through a sender that hangs, at the test's instant ``now``."""
    factory = make_session_factory(make_engine(db_url), FakeClock(datetime.fromisoformat(now)))
    asyncio.run(Dispatcher(factory, {"slack": HangingSender()}).run_once())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
