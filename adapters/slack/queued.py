"""Whether handling an event queued an outgoing message, so the outbox is kicked only then.

Most commands (help, status, a form opening) queue nothing: kicking the outbox after each
one started a flush, and its claim transaction, for nothing (at 200 commands a second that
was a tenth of a command's CPU). Core writes every outgoing message as an ``OutboxMessage``
row through the ORM, in the thread that handles the event, so counting inserts per thread
tells the adapter what its own call to core queued. A count from a transaction that rolled
back only costs one needless flush.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event

from core.models import OutboxMessage

T = TypeVar("T")
_inserted = threading.local()


@event.listens_for(OutboxMessage, "after_insert")
def _count(_mapper: Any, _connection: Any, _row: OutboxMessage) -> None:
    _inserted.count = getattr(_inserted, "count", 0) + 1


def noting_queued(fn: Callable[..., T], *args: Any) -> tuple[T, bool]:
    """Call ``fn(*args)`` here; also say whether it queued any outgoing message."""
    before = getattr(_inserted, "count", 0)
    result = fn(*args)
    return result, getattr(_inserted, "count", 0) != before
