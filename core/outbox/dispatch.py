"""Claim due outbox rows, send them through the platform senders, record what happened."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.events import Delivery, PermanentFailure, Sender
from core.models import OutboxMessage, OutboxStatus, PlatformIdentity, utcnow
from core.ui import message_from_dict

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class RetryLater(Exception):
    """Raised by a sender when the platform asks us to slow down (HTTP 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


def _group_user_ids(session: Session, row: OutboxMessage) -> tuple[str, ...] | None:
    ids = []
    for person_id in row.group_person_ids or []:
        identity = session.scalar(
            select(PlatformIdentity).where(PlatformIdentity.person_id == person_id,
                                           PlatformIdentity.platform == row.platform)
            .order_by(PlatformIdentity.id.desc()).limit(1))
        if identity is None:
            return None
        ids.append(identity.user_id)
    return tuple(ids)


def _to_delivery(session: Session, row: OutboxMessage) -> Delivery | None:
    identity = None
    group: tuple[str, ...] = ()
    if row.group_person_ids:
        found = _group_user_ids(session, row)
        if found is None:
            return None
        group = found
    if row.person_id is not None:
        identity = session.scalar(
            select(PlatformIdentity)
            .where(
                PlatformIdentity.person_id == row.person_id,
                PlatformIdentity.platform == row.platform,
            )
            .order_by(PlatformIdentity.id.desc())
            .limit(1)
        )
        if identity is None:
            return None
    return Delivery(
        outbox_id=row.id,
        platform=row.platform.value,
        tenant_id=identity.tenant_id if identity else "",
        user_id=identity.user_id if identity else "",
        channel_id=row.channel_id or "",
        conversation_ref=identity.conversation_ref if identity else None,
        message=message_from_dict(row.payload),
        group_user_ids=group,
    )


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 3600))


# A claimed row is hidden this long; a worker that dies mid-send has it retried after that.
LEASE = timedelta(minutes=2)


def claim_due(factory: sessionmaker[Session], platforms: list[str], *,
              now: datetime, batch: int = 50) -> list[Delivery]:
    """Claim due rows for sending in one short transaction, leasing them to this worker."""
    with factory() as session, session.begin():
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                OutboxMessage.platform.in_(platforms),
            )
            .order_by(OutboxMessage.id)
            .limit(batch)
        )
        if session.get_bind().dialect.name == "postgresql":
            # Two workers never claim the same row.
            query = query.with_for_update(skip_locked=True)
        deliveries = []
        for row in session.scalars(query).all():
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            delivery = _to_delivery(session, row)
            if delivery is None:
                row.status = OutboxStatus.FAILED
                row.last_error = "recipient has no identity on this platform"
            else:
                deliveries.append(delivery)
        return deliveries


def record_outcome(factory: sessionmaker[Session], outbox_id: int, error: Exception | None,
                   *, now: datetime, platform_message_id: str | None = None) -> None:
    """Mark a claimed row sent, or schedule its retry (a rate limit waits as long as asked)."""
    with factory() as session, session.begin():
        row = session.get(OutboxMessage, outbox_id)
        if row is None:
            return
        if error is None:
            row.status = OutboxStatus.SENT
            row.sent_at = utcnow()
            row.platform_message_id = platform_message_id
        elif isinstance(error, PermanentFailure):
            row.status = OutboxStatus.FAILED
            row.last_error = f"permanent: {error}"[:1000]
            log.warning("outbox %s failed for good: %s", outbox_id, error)
        elif isinstance(error, RetryLater):
            row.attempts -= 1  # a rate limit is not the message's fault
            row.next_attempt_at = now + timedelta(seconds=error.seconds)
            row.last_error = str(error)
        else:
            row.last_error = repr(error)[:1000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxStatus.FAILED
            else:
                row.next_attempt_at = now + _backoff(row.attempts)


async def deliver_due(
    factory: sessionmaker[Session],
    senders: dict[str, Sender],
    *,
    now: datetime | None = None,
    batch: int = 50,
) -> int:
    """Send every due pending row through its platform's sender; returns how many were sent.

    Database work runs in threads and no transaction stays open across a send, so a slow
    platform never stalls the event loop or holds row locks.
    """
    now = now or utcnow()
    deliveries = await asyncio.to_thread(claim_due, factory, list(senders), now=now, batch=batch)
    sent = 0
    for delivery in deliveries:
        error: Exception | None = None
        message_id: str | None = None
        try:
            message_id = await senders[delivery.platform].deliver(delivery)
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then parked
            log.warning("outbox %s failed: %r", delivery.outbox_id, exc)
            error = exc
        await asyncio.to_thread(record_outcome, factory, delivery.outbox_id, error, now=now,
                                platform_message_id=message_id)
        sent += error is None
    return sent
