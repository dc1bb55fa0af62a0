"""The outbox: every outgoing message is a row first, then a delivery, retried until it lands."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.events import Delivery, Sender
from core.models import OutboxMessage, OutboxStatus, Person, PlatformIdentity, utcnow
from core.ui import Message, message_from_dict, message_to_dict

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class RetryLater(Exception):
    """Raised by a sender when the platform asks us to slow down (HTTP 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


def enqueue_dm(
    session: Session, person: Person, message: Message, key: str
) -> OutboxMessage | None:
    """Queue a DM to ``person`` unless a message with ``key`` was queued before."""
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
        return None
    identity = _latest_identity(session, person.id)
    if identity is None:
        log.info("person %s has no platform identity; DM not queued", person.id)
        return None
    row = OutboxMessage(
        idempotency_key=key,
        person_id=person.id,
        platform=identity.platform,
        payload=message_to_dict(message),
    )
    session.add(row)
    session.flush()
    return row


def _latest_identity(session: Session, person_id: int) -> PlatformIdentity | None:
    return session.scalar(
        select(PlatformIdentity)
        .where(PlatformIdentity.person_id == person_id)
        .order_by(PlatformIdentity.id.desc())
        .limit(1)
    )


def _to_delivery(session: Session, row: OutboxMessage) -> Delivery | None:
    identity = None
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
    )


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 3600))


async def deliver_due(
    factory: sessionmaker[Session],
    senders: dict[str, Sender],
    *,
    now: datetime | None = None,
    batch: int = 50,
) -> int:
    """Send every due pending row through its platform's sender; returns how many were sent."""
    now = now or utcnow()
    sent = 0
    with factory() as session, session.begin():
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                OutboxMessage.platform.in_(list(senders)),
            )
            .order_by(OutboxMessage.id)
            .limit(batch)
        )
        if session.get_bind().dialect.name == "postgresql":
            # Two workers never claim the same row; the lock is held until the status is written.
            query = query.with_for_update(skip_locked=True)
        for row in session.scalars(query).all():
            delivery = _to_delivery(session, row)
            row.attempts += 1
            if delivery is None:
                row.status = OutboxStatus.FAILED
                row.last_error = "recipient has no identity on this platform"
                continue
            try:
                await senders[row.platform.value].deliver(delivery)
            except RetryLater as exc:
                row.attempts -= 1  # a rate limit is not the message's fault
                row.next_attempt_at = now + timedelta(seconds=exc.seconds)
                row.last_error = str(exc)
            except Exception as exc:  # noqa: BLE001 - any failure is retried, then parked
                log.warning("outbox %s failed (attempt %s): %s", row.id, row.attempts, exc)
                row.last_error = repr(exc)[:1000]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = OutboxStatus.FAILED
                else:
                    row.next_attempt_at = now + _backoff(row.attempts)
            else:
                row.status = OutboxStatus.SENT
                row.sent_at = utcnow()
                sent += 1
    return sent
