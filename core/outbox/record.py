"""Recording: what a send's answer means for its row (sent, failed for good, or due again
after a backoff or the platform's Retry-After)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from core.events import Delivery, PermanentFailure, Unreachable
from core.models import OutboxMessage, OutboxStatus, Platform, PlatformIdentity
from core.outbox.lease import holds_lease, lock_for_write

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8

# Backoff after an ordinary failure: base * 2**(attempts-1) seconds, capped, with jitter.
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0
# A platform that says "retry after 0" would otherwise be hammered in a tight loop.
MIN_RETRY_SECONDS = 0.5


class OutcomeUnknown(Exception):
    """The send got no answer in time: the platform may or may not have the message."""


class RetryLater(Exception):
    """Raised by a sender when the platform asks us to slow down (HTTP 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


_default_rng = random.Random()


def backoff_bounds(attempts: int, *, base: float = BACKOFF_BASE_SECONDS,
                   cap: float = BACKOFF_CAP_SECONDS) -> tuple[float, float]:
    """The (lowest, highest) delay in seconds :func:`backoff` may pick after ``attempts``."""
    # Clamp the exponent: 2**attempts overflows a float long before attempts does.
    ceiling = min(cap, base * 2.0 ** min(max(attempts, 1) - 1, 64))
    return ceiling / 2, ceiling


def backoff(attempts: int, rng: random.Random | None = None, *,
            base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> timedelta:
    """Exponential backoff with "equal jitter": uniform in [ceiling/2, ceiling].

    The jitter spreads retries of many rows that failed together (a platform outage) so they
    do not come back as one burst; the lower half-bound still guarantees a real pause.
    ``rng`` makes it reproducible in tests.
    """
    low, high = backoff_bounds(attempts, base=base, cap=cap)
    return timedelta(seconds=(rng or _default_rng).uniform(low, high))


def record_outcome(factory: sessionmaker[Session], outbox_id: int, error: Exception | None,
                   *, now: datetime, platform_message_id: str | None = None,
                   lease_until: datetime | None = None,
                   rng: random.Random | None = None,
                   also: Callable[[Session], None] | None = None) -> bool:
    """Mark a claimed row sent, failed for good, or due again; returns whether it was applied.

    A rate limit waits as long as asked and does not count as an attempt; other errors back
    off with jitter until ``MAX_ATTEMPTS``. With ``lease_until`` the outcome is dropped if the
    lease was lost (another worker reclaimed the row), so a late worker cannot overwrite it.
    ``also`` runs in the same transaction (the shared pacer's bookkeeping: one round trip).
    """
    with factory() as session, session.begin():
        lock_for_write(session)
        if also is not None:
            also(session)
        row = session.get(OutboxMessage, outbox_id)
        if row is None:
            return False
        if not holds_lease(row, lease_until):
            log.warning("outbox %s: lease lost, outcome %r dropped", outbox_id, error)
            return False
        if not isinstance(error, OutcomeUnknown):
            row.sending_since = None  # the platform answered: we know whether it landed
        if error is None:
            row.status = OutboxStatus.SENT
            row.sent_at = now
            row.platform_message_id = platform_message_id
            row.last_error = None
        elif isinstance(error, Unreachable):
            # Kept, not dropped: who asked and the admins are told, and it goes out again
            # once the person can be reached.
            from core.undelivered import UNREACHABLE, undeliverable  # business rules, not I/O

            row.status = OutboxStatus.FAILED
            row.last_error = f"{UNREACHABLE}: {error}"[:1000]
            undeliverable(session, row, str(error), now)
        elif isinstance(error, PermanentFailure):
            row.status = OutboxStatus.FAILED
            row.last_error = f"permanent: {error}"[:1000]
            log.warning("outbox %s failed for good: %s", outbox_id, error)
            if row.channel_id and row.match_id is not None:
                from core.undelivered import group_post_failed  # it goes 1:1 then

                group_post_failed(session, row, now)
        elif isinstance(error, RetryLater):
            row.attempts -= 1  # a rate limit is not the message's fault
            row.next_attempt_at = now + timedelta(seconds=max(error.seconds, MIN_RETRY_SECONDS))
            row.last_error = str(error)
        else:
            row.last_error = repr(error)[:1000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxStatus.FAILED
            else:
                row.next_attempt_at = now + backoff(row.attempts, rng)
        return True


def remember_reference(session: Session, platform: str, tenant_id: str, user_id: str,
                       reference: dict[str, Any]) -> None:
    """In the caller's transaction: store where a DM to this account landed (Slack: the DM's
    channel id), so a later look at its history needs no call to open the conversation."""
    session.execute(update(PlatformIdentity).where(
        PlatformIdentity.platform == Platform(platform), PlatformIdentity.tenant_id == tenant_id,
        PlatformIdentity.user_id == user_id).values(conversation_ref=reference)
        .execution_options(synchronize_session=False))


@dataclass(frozen=True)
class Unrecorded:
    """A send whose answer came while its outcome could not be written (the database was
    down): written first thing once it answers again, so nobody has to look in the
    conversation's history to learn whether it landed."""

    outbox_id: int
    error: Exception | None
    message_id: str | None
    answered: datetime
    lease_until: datetime

    def write(self, factory: sessionmaker[Session], rng: random.Random | None = None) -> bool:
        """Record it now, where the lease is still ours: a row another replica claimed since
        is checked against the conversation's history by its new holder instead."""
        return record_outcome(factory, self.outbox_id, self.error, now=self.answered,
                              platform_message_id=self.message_id,
                              lease_until=self.lease_until, rng=rng)


class StoredReferences:
    """Stores the conversation a DM landed in on its recipient's identity, in the outcome's
    transaction, once per recipient and change (a row claimed before it was stored still
    carries the old reference)."""

    def __init__(self) -> None:
        # What this process has stored per (platform, workspace, user id).
        self._stored: dict[tuple[str, str, str], dict[str, Any]] = {}

    def also(self, delivery: Delivery, reached: dict[str, Any],
             then: Callable[[Session], None] | None) -> Callable[[Session], None] | None:
        """``then`` (the outcome transaction's other work), plus storing ``reached`` if the
        identity does not have it yet."""
        if not delivery.user_id or delivery.group_user_ids:
            return then
        who = (delivery.platform, delivery.tenant_id, delivery.user_id)
        reference = {**(delivery.conversation_ref or {}), **reached}
        if reference == delivery.conversation_ref or self._stored.get(who) == reference:
            return then

        def also(session: Session) -> None:
            if then is not None:
                then(session)
            remember_reference(session, *who, reference)
            self._stored[who] = reference

        return also
