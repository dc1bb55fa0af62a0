"""The outbox's own threads for its database work, each call bounded in time."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# Threads for the outbox's database work, its own pool: every send costs two short
# transactions (book and record) and a claim now and then, and on the event loop's default
# pool (5 + cores threads, shared with admin pages and Slack lookups) a hundred busy
# conversations queued a second behind each other per transaction. Below SQLAlchemy's 15
# pooled connections, so these threads never wait for one.
DB_THREADS = 10
# An outbox transaction is milliseconds of work; one that has not answered in this long
# (seconds) waits on a connection nobody will answer (seen after a database outage: a reply
# that never came kept a flush, and so all delivery on that replica, waiting for good). The
# run fails and the next flush starts afresh; whatever the stuck call did is safe to have
# done or not (a late claim or mark expires with its lease, a late outcome is found written).
DB_CALL_TIMEOUT = 30.0
_threads: ThreadPoolExecutor | None = None
_threads_lock = threading.Lock()


def _db_threads() -> ThreadPoolExecutor:
    global _threads
    with _threads_lock:
        if _threads is None:
            _threads = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="outbox-db")
        return _threads


async def in_db_thread(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run database work on the outbox's own threads (see ``DB_THREADS``), giving up on it
    after ``DB_CALL_TIMEOUT`` (the thread is left to finish or fail on its own)."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    return await asyncio.wait_for(loop.run_in_executor(_db_threads(), functools.partial(
        context.run, call, *args, **kwargs)), DB_CALL_TIMEOUT)
