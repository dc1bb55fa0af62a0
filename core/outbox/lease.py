"""Leasing: claim due rows in one short transaction, hide them while they are being sent, renew
them while a lane still holds them, and hand back the ones that can't go in time. The lease end
doubles as the claim's fencing token."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, select, text, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from core import coordination
from core.events import Delivery
from core.models import ChannelRef, OutboxMessage, OutboxStatus, PlatformIdentity
from core.ui import message_from_dict

log = logging.getLogger(__name__)

# A claimed row is hidden this long; a worker that dies mid-send has it retried after that.
# Short, so a killed replica's rows go out again within seconds: a live worker renews the
# leases of the rows it still holds as it goes (``renew``), no send starts in a lease's last
# third (``safety_margin``), and every send is cut off when its lease ends. 10 s, not 15:
# one replica killed every 20 s and restarted left a person waiting 38 s for their next
# message (15 s of lease, a restart and a Tier 3 history read for each send it had under
# way); 8 s cost one replica about 0.01 of the allowed rate in renewals.
LEASE = timedelta(seconds=10)
# An outbox transaction (milliseconds of work) may sit idle, or wait for a lock, this long.
TRANSACTION_TIMEOUT_MS = 10_000

# A lane's claimed rows, in order, each with the end of the lease it holds it under.
Held = deque[tuple[Delivery, datetime]]


def safety_margin(lease: timedelta) -> timedelta:
    """How long before a lease's end no send may start (a third of it): another worker may
    reclaim the row the moment the lease ends, and a send that overlaps that is a duplicate.
    Proportionate, so a test's short lease keeps a margin too."""
    return lease / 3


def last_start(lease_until: datetime, lease: timedelta) -> datetime:
    """The last moment a send may start under a ``lease`` that ends at ``lease_until``."""
    return lease_until - safety_margin(lease)


def renewals_due(queue: Held, *, lease: timedelta, now: datetime) -> dict[datetime, list[int]]:
    """The leases among ``queue``'s that are due for renewal, each with its rows' ids.

    Once half the time a lease leaves for starting sends has passed, a lane renews the
    leases of the rows it still holds: a live worker keeps them, a dead one loses them within
    one short lease. Counted from the last start, not the lease's end: a row whose slot falls
    past its last start is handed back, and its conversation sits idle until the next claim.
    """
    usable = lease - safety_margin(lease)
    due: dict[datetime, list[int]] = {}
    for delivery, held_until in queue:
        if last_start(held_until, lease) - now <= usable / 2:
            due.setdefault(held_until, []).append(delivery.outbox_id)
    return due


def apply_renewals(queue: Held, due: dict[datetime, list[int]], kept: set[int],
                   new: datetime) -> list[Delivery]:
    """Move ``queue``'s rows that were renewed (``kept``) to the lease ending at ``new``, and
    drop those whose renewal failed; returns the dropped (another worker may hold them)."""
    lost = []
    items = list(queue)
    queue.clear()
    for delivery, held_until in items:
        if held_until not in due:
            queue.append((delivery, held_until))
        elif delivery.outbox_id in kept:
            queue.append((delivery, new))
        else:
            log.warning("outbox %s: lease lost while waiting; left to its new holder",
                        delivery.outbox_id)
            lost.append(delivery)
    return lost


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


def _latest_identities(session: Session, rows: Sequence[OutboxMessage],
                       ) -> dict[tuple[int, object], PlatformIdentity]:
    """Each DM recipient's newest identity on the row's platform, in one query for a whole
    claim (one query a row cost a claim of 500 rows a second of database time)."""
    people = {row.person_id for row in rows if row.person_id is not None}
    found: dict[tuple[int, object], PlatformIdentity] = {}
    if people:
        for identity in session.scalars(select(PlatformIdentity).where(
                PlatformIdentity.person_id.in_(people)).order_by(PlatformIdentity.id)):
            found[(identity.person_id, identity.platform)] = identity  # the newest wins
    return found


def _to_delivery(session: Session, row: OutboxMessage,
                 identities: dict[tuple[int, object], PlatformIdentity] | None = None,
                 ) -> Delivery | None:
    identity = None
    group: tuple[str, ...] = ()
    if row.group_person_ids:
        found = _group_user_ids(session, row)
        if found is None:
            return None
        group = found
    if row.person_id is not None and identities is not None:
        identity = identities.get((row.person_id, row.platform))
        if identity is None:
            return None
    elif row.person_id is not None:
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
    tenant = identity.tenant_id if identity else ""
    if not tenant and row.group_person_ids:
        # A group row has no person_id; its members share a workspace, so pace by theirs.
        tenant = session.scalar(
            select(PlatformIdentity.tenant_id).where(
                PlatformIdentity.person_id == row.group_person_ids[0],
                PlatformIdentity.platform == row.platform)
            .order_by(PlatformIdentity.id.desc()).limit(1)) or ""
    reference = identity.conversation_ref if identity else None
    if row.channel_id and identity is None:
        # A channel post: Teams needs the channel's stored reference; Slack needs only the id.
        channel = _channel_ref(session, row)
        if channel is not None:
            tenant, reference = channel.tenant_id, channel.conversation_ref
    return Delivery(
        outbox_id=row.id,
        platform=row.platform.value,
        tenant_id=tenant,
        user_id=identity.user_id if identity else "",
        channel_id=row.channel_id or "",
        conversation_ref=reference,
        message=message_from_dict(row.payload),
        group_user_ids=group,
        key=row.idempotency_key,
        # An earlier send started and its outcome was never recorded (a crash), or it got no
        # answer in time: it may have landed.
        maybe_sent=row.sending_since is not None,
        conversation=row.target or "",
    )


def _channel_ref(session: Session, row: OutboxMessage) -> ChannelRef | None:
    """The stored channel a post names, by id or by name ("#general" or "General")."""
    wanted = (row.channel_id or "").lstrip("#").lower()
    for ref in session.scalars(select(ChannelRef).where(ChannelRef.platform == row.platform)):
        if ref.channel_id.lower() == wanted or ref.name.lower() == wanted:
            return ref
    return None


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def holds_lease(row: OutboxMessage, lease_until: datetime | None) -> bool:
    if lease_until is None:
        return True
    if row.status is not OutboxStatus.PENDING:
        return False
    return abs(_utc(row.next_attempt_at) - _utc(lease_until)) < timedelta(milliseconds=1)


def lock_for_write(session: Session) -> str:
    """On SQLite, take the database write lock first; returns the dialect name.

    SQLite has no row locks, and a transaction that reads and then writes while another
    connection writes fails at once with "database is locked" (its snapshot is stale, so the
    busy timeout cannot help). Writing first makes concurrent claims and outcomes queue on
    the busy timeout instead, and stops two processes from claiming the same rows.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("UPDATE outbox SET id = id WHERE 0 = 1"))
    else:
        bound_transaction(session)
    return dialect


def bound_transaction(session: Session) -> None:
    """On PostgreSQL, end this transaction if it sits idle, or waits for a lock, longer than
    ``TRANSACTION_TIMEOUT_MS``.

    An outbox transaction is milliseconds of work. One whose client vanished without closing
    its connection (a network cut) would keep its locks (the claims' turn, pace rows, outbox
    rows) until TCP gives up, hours later, and every replica would queue behind it: seen in
    the --db-outage bench. Ended, its locks go; a transaction that waited too long fails and
    the next tick tries again.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(
            "SELECT set_config('idle_in_transaction_session_timeout', :t, true), "
            "set_config('lock_timeout', :t, true)"), {"t": f"{TRANSACTION_TIMEOUT_MS}ms"})


def claim_leased(factory: sessionmaker[Session], platforms: Sequence[str], *, now: datetime,
                 batch: int = 50, lease: timedelta = LEASE,
                 conversation: str | None = None) -> tuple[list[Delivery], datetime]:
    """Claim up to ``batch`` due rows in one short transaction; returns them and the lease end.

    Claiming bumps ``attempts`` and hides the row until the lease ends; the lease end doubles
    as the claim's fencing token for :func:`record_outcome`. At most one row per conversation
    is claimed or in flight at a time, so a person reads messages in the order they were queued.
    """
    lease_until = now + lease
    earlier = aliased(OutboxMessage)
    with factory() as session, session.begin():
        dialect = lock_for_write(session)
        # Claims take turns (they are milliseconds): a claim running alongside another would
        # not see that one's rows as leased yet, and could take a later row of the same
        # conversation. SQLite's write lock above already serialises them.
        coordination.wait_for_turn(session, coordination.CLAIMS)
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                OutboxMessage.platform.in_(list(platforms)),
                # While a conversation has a row in flight (leased) or waiting for a retry,
                # the rows after it wait too, on every replica: people read them in order.
                ~exists().where(earlier.target == OutboxMessage.target,
                                earlier.status == OutboxStatus.PENDING,
                                earlier.next_attempt_at > now,
                                earlier.id < OutboxMessage.id),
            )
            .order_by(OutboxMessage.id)
            .limit(batch)
        )
        if conversation:
            query = query.where(OutboxMessage.target == conversation)
        if dialect == "postgresql":
            # Two workers never claim the same row, and neither waits for the other.
            query = query.with_for_update(skip_locked=True)
        deliveries = []
        claimed = session.scalars(query).all()
        identities = _latest_identities(session, claimed)
        for row in claimed:
            row.attempts += 1
            row.next_attempt_at = lease_until
            delivery = _to_delivery(session, row, identities)
            if delivery is None:
                row.status = OutboxStatus.FAILED
                row.last_error = "recipient has no identity on this platform"
            else:
                deliveries.append(delivery)
        return deliveries, lease_until


def claim_due(factory: sessionmaker[Session], platforms: list[str], *,
              now: datetime, batch: int = 50, lease: timedelta = LEASE) -> list[Delivery]:
    """Claim due rows for sending in one short transaction, leasing them to this worker."""
    return claim_leased(factory, platforms, now=now, batch=batch, lease=lease)[0]


def renew(factory: sessionmaker[Session], outbox_ids: Sequence[int], *, old: datetime,
          new: datetime) -> set[int]:
    """Extend the lease of rows still held under ``old`` to ``new``; returns those renewed
    (a row missing from the answer was lost: another worker may hold it now)."""
    if not outbox_ids:
        return set()
    with factory() as session, session.begin():
        lock_for_write(session)
        renewed = session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(outbox_ids)), _held_under(old))
            .values(next_attempt_at=new)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)).all()
        return set(renewed)


def _held_under(lease_until: datetime):  # type: ignore[no-untyped-def]
    """SQL: the row is still pending under the lease that ends at ``lease_until``."""
    tolerance = timedelta(milliseconds=1)
    return (OutboxMessage.status == OutboxStatus.PENDING) & \
        OutboxMessage.next_attempt_at.between(lease_until - tolerance, lease_until + tolerance)


def mark_sending(session: Session, outbox_id: int, *, now: datetime,
                 lease_until: datetime) -> bool:
    """In the caller's transaction: note that the send starts now, if the lease is still ours
    (one round trip, the row locked until the transaction ends)."""
    if session.get_bind().dialect.name == "sqlite":
        lock_for_write(session)  # PostgreSQL: the caller bounded the transaction
    marked = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, _held_under(lease_until))
        .values(sending_since=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)).first()
    return marked is not None


def still_held(session: Session, outbox_id: int, *, lease_until: datetime) -> bool:
    """In the caller's transaction: whether the lease is still ours (the row locked until the
    transaction ends), without marking the send."""
    if session.get_bind().dialect.name == "sqlite":
        lock_for_write(session)  # PostgreSQL: the caller bounded the transaction
    held = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, _held_under(lease_until))
        .values(next_attempt_at=OutboxMessage.next_attempt_at)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)).first()
    return held is not None


def start_sending(factory: sessionmaker[Session], outbox_id: int, *, now: datetime,
                  lease_until: datetime) -> bool:
    """Note that the send starts now, if the lease is still ours (the last fence before the
    platform): a row claimed again with the note still on may already have landed."""
    with factory() as session, session.begin():
        bound_transaction(session)
        return mark_sending(session, outbox_id, now=now, lease_until=lease_until)


def release(factory: sessionmaker[Session], outbox_id: int, *, when: datetime,
            lease_until: datetime | None = None, keep_mark: bool = False) -> bool:
    """Hand a claimed, unsent row back, due at ``when``, without counting the attempt.

    ``keep_mark``: an earlier holder's send may have landed (the row was claimed with its
    send mark on), so the mark stays for whoever sends it next to look first.
    """
    with factory() as session, session.begin():
        lock_for_write(session)
        row = session.get(OutboxMessage, outbox_id)
        if row is None or not holds_lease(row, lease_until):
            return False
        row.attempts -= 1
        row.next_attempt_at = when
        if not keep_mark:
            row.sending_since = None  # handed back before it went out
        return True
