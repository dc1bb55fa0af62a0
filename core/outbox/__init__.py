"""The outbox: every outgoing message is a row first, then a delivery, retried until it lands.

``enqueue`` writes rows inside the caller's transaction; ``dispatch`` claims and sends them.
"""

from core.outbox.dispatch import RetryLater, claim_due, deliver_due, record_outcome
from core.outbox.enqueue import enqueue_channel, enqueue_dm, enqueue_group

__all__ = ["RetryLater", "claim_due", "deliver_due", "enqueue_channel", "enqueue_dm",
           "enqueue_group", "record_outcome"]
