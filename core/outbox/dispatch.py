"""Claim due outbox rows, send them through the platform senders, record what happened.

Delivery is at least once: a row is leased when claimed, sent outside any transaction, then
marked. A worker that dies between claim and mark loses its lease and another worker sends the
row again after ``LEASE``. To stay under platform rate limits instead of provoking 429s, every
send first asks a :class:`Pacer` (token buckets per workspace, target and Slack method tier).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, FakeClock, SystemClock
from core.db import clock_for
from core.events import Delivery, PermanentFailure, Sender
from core.models import ChannelRef, OutboxMessage, OutboxStatus, PlatformIdentity
from core.ui import message_from_dict

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8

# A claimed row is hidden this long; a worker that dies mid-send has it retried after that.
LEASE = timedelta(minutes=2)
# Never start a send this close to the end of our lease: another worker may reclaim the row
# the moment it ends, and a send that overlaps that is a duplicate.
LEASE_SAFETY = timedelta(seconds=10)

# Backoff after an ordinary failure: base * 2**(attempts-1) seconds, capped, with jitter.
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0
# A platform that says "retry after 0" would otherwise be hammered in a tight loop.
MIN_RETRY_SECONDS = 0.5


class RetryLater(Exception):
    """Raised by a sender when the platform asks us to slow down (HTTP 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


# --- backoff -------------------------------------------------------------------------------

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


# --- pacing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A token bucket: ``burst`` sends at once, then one every ``interval`` seconds."""

    interval: float
    burst: int = 1


@dataclass(frozen=True)
class PlatformLimits:
    """How fast one platform may be sent to, per workspace (tenant).

    ``per_target`` paces each channel, DM or group chat on its own; ``open_conversation``
    paces opening group conversations (Slack conversations.open, a Tier 3 method).
    """

    per_target: Rate | None = None
    open_conversation: Rate | None = None


def slack_limits(per_channel_per_second: float = 1.0, margin: float = 0.01) -> PlatformLimits:
    """Slack's documented limits, with ``margin`` headroom (a fraction of the interval).

    chat.postMessage: about one message per second per channel. conversations.open: Tier 3,
    50 per minute per workspace; a burst of 5 plus 44 per minute stays under 50 in any minute.
    """
    return PlatformLimits(
        per_target=Rate(interval=(1.0 + margin) / per_channel_per_second, burst=1),
        open_conversation=Rate(interval=60.0 / 44, burst=5),
    )


DEFAULT_LIMITS: dict[str, PlatformLimits] = {
    "slack": slack_limits(),
    # Bot Framework: 7 per second, 8 per 2 s and 60 per 30 s per conversation; 5 at once then
    # one per 0.6 s stays under all three. Web chat is in-process and needs no pacing.
    "teams": PlatformLimits(per_target=Rate(interval=0.6, burst=5)),
}

PaceKey = tuple[str, ...]


def _target(delivery: Delivery) -> PaceKey:
    """Who receives ``delivery``: rows to one target are sent in order, one at a time."""
    who = ("group:" + ",".join(sorted(delivery.group_user_ids)) if delivery.group_user_ids
           else delivery.user_id or delivery.channel_id)
    return (delivery.platform, delivery.tenant_id, who)


def pace_buckets(delivery: Delivery,
                 limits: Mapping[str, PlatformLimits]) -> list[tuple[PaceKey, Rate]]:
    """The buckets one delivery draws from: its target, and opening a group chat if any."""
    platform_limits = limits.get(delivery.platform)
    if platform_limits is None:
        return []
    tenant = delivery.tenant_id
    buckets: list[tuple[PaceKey, Rate]] = []
    target = _target(delivery)[2]
    if delivery.group_user_ids:
        if platform_limits.open_conversation is not None:
            # Conservative: the sender may have the chat cached, but core cannot know that.
            buckets.append(((delivery.platform, tenant, "conversations.open"),
                            platform_limits.open_conversation))
    if platform_limits.per_target is not None:
        buckets.append(((delivery.platform, tenant, "post", target), platform_limits.per_target))
    return buckets


class Pacer:
    """Per-key token buckets (GCRA) on a :class:`Clock`; slots are reserved, never waited on.

    ``reserve`` books the earliest slot every bucket allows and returns it, so concurrent
    callers to one key are spread ``interval`` apart while other keys are not held up. It is
    meant for one event loop (no locking): one pacer per dispatcher process.
    """

    def __init__(self, clock: Clock | None = None,
                 limits: Mapping[str, PlatformLimits] | None = None) -> None:
        self.clock = clock or SystemClock()
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        # Theoretical arrival time per key, in POSIX seconds.
        self._tat: dict[PaceKey, float] = {}

    def _slot(self, buckets: Sequence[tuple[PaceKey, Rate]], now: float) -> float:
        slot = now
        for key, rate in buckets:
            tat = self._tat.get(key, now)
            slot = max(slot, tat - (rate.burst - 1) * rate.interval)
        return slot

    def reserve_buckets(self, buckets: Sequence[tuple[PaceKey, Rate]], *,
                        not_after: datetime | None = None) -> datetime | None:
        """Book the earliest slot all ``buckets`` allow; None (nothing booked) if after
        ``not_after``."""
        now = self.clock.now().timestamp()
        slot = self._slot(buckets, now)
        if not_after is not None and slot > not_after.timestamp():
            return None
        for key, rate in buckets:
            self._tat[key] = max(self._tat.get(key, now), slot) + rate.interval
        return datetime.fromtimestamp(slot, UTC)

    def reserve(self, delivery: Delivery, *,
                not_after: datetime | None = None) -> datetime | None:
        """Book a send slot for ``delivery`` (now, or later if its target is busy)."""
        return self.reserve_buckets(pace_buckets(delivery, self.limits), not_after=not_after)

    def next_slot(self, delivery: Delivery) -> datetime:
        """When ``delivery`` could go, without booking it."""
        now = self.clock.now().timestamp()
        return datetime.fromtimestamp(self._slot(pace_buckets(delivery, self.limits), now), UTC)

    def settle(self, delivery: Delivery) -> None:
        """A send to ``delivery``'s target just got its answer: next one not before now plus
        one interval.

        The platform counts arrivals, and ours vary with network latency; the slot booked at
        send time alone could land two arrivals closer than the limit. The answer comes after
        the arrival, so spacing from it is safe whatever the latency.
        """
        now = self.clock.now().timestamp()
        for key, rate in pace_buckets(delivery, self.limits):
            self._tat[key] = max(self._tat.get(key, now), now + rate.interval)

    def hold(self, delivery: Delivery, seconds: float) -> None:
        """The platform said 429: send nothing more to this delivery's target for a while."""
        until = self.clock.now().timestamp() + seconds
        for key, rate in pace_buckets(delivery, self.limits):
            # The first slot is tat - (burst-1)*interval: push tat so that lands on ``until``.
            held = until + (rate.burst - 1) * rate.interval
            self._tat[key] = max(self._tat.get(key, held), held)


# --- claiming and recording ----------------------------------------------------------------


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


def _holds_lease(row: OutboxMessage, lease_until: datetime | None) -> bool:
    if lease_until is None:
        return True
    if row.status is not OutboxStatus.PENDING:
        return False
    return abs(_utc(row.next_attempt_at) - _utc(lease_until)) < timedelta(milliseconds=1)


def _lock_for_write(session: Session) -> str:
    """On SQLite, take the database write lock first; returns the dialect name.

    SQLite has no row locks, and a transaction that reads and then writes while another
    connection writes fails at once with "database is locked" (its snapshot is stale, so the
    busy timeout cannot help). Writing first makes concurrent claims and outcomes queue on
    the busy timeout instead, and stops two processes from claiming the same rows.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("UPDATE outbox SET id = id WHERE 0 = 1"))
    return dialect


def claim_leased(factory: sessionmaker[Session], platforms: Sequence[str], *, now: datetime,
                 batch: int = 50, lease: timedelta = LEASE) -> tuple[list[Delivery], datetime]:
    """Claim up to ``batch`` due rows in one short transaction; returns them and the lease end.

    Claiming bumps ``attempts`` and hides the row until the lease ends; the lease end doubles
    as the claim's fencing token for :func:`record_outcome`.
    """
    lease_until = now + lease
    with factory() as session, session.begin():
        dialect = _lock_for_write(session)
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                OutboxMessage.platform.in_(list(platforms)),
            )
            .order_by(OutboxMessage.id)
            .limit(batch)
        )
        if dialect == "postgresql":
            # Two workers never claim the same row, and neither waits for the other.
            query = query.with_for_update(skip_locked=True)
        deliveries = []
        for row in session.scalars(query).all():
            row.attempts += 1
            row.next_attempt_at = lease_until
            delivery = _to_delivery(session, row)
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


def record_outcome(factory: sessionmaker[Session], outbox_id: int, error: Exception | None,
                   *, now: datetime, platform_message_id: str | None = None,
                   lease_until: datetime | None = None,
                   rng: random.Random | None = None) -> bool:
    """Mark a claimed row sent, failed for good, or due again; returns whether it was applied.

    A rate limit waits as long as asked and does not count as an attempt; other errors back
    off with jitter until ``MAX_ATTEMPTS``. With ``lease_until`` the outcome is dropped if the
    lease was lost (another worker reclaimed the row), so a late worker cannot overwrite it.
    """
    with factory() as session, session.begin():
        _lock_for_write(session)
        row = session.get(OutboxMessage, outbox_id)
        if row is None:
            return False
        if not _holds_lease(row, lease_until):
            log.warning("outbox %s: lease lost, outcome %r dropped", outbox_id, error)
            return False
        if error is None:
            row.status = OutboxStatus.SENT
            row.sent_at = now
            row.platform_message_id = platform_message_id
            row.last_error = None
        elif isinstance(error, PermanentFailure):
            row.status = OutboxStatus.FAILED
            row.last_error = f"permanent: {error}"[:1000]
            log.warning("outbox %s failed for good: %s", outbox_id, error)
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


def release(factory: sessionmaker[Session], outbox_id: int, *, when: datetime,
            lease_until: datetime | None = None) -> bool:
    """Hand a claimed, unsent row back, due at ``when``, without counting the attempt."""
    with factory() as session, session.begin():
        _lock_for_write(session)
        row = session.get(OutboxMessage, outbox_id)
        if row is None or not _holds_lease(row, lease_until):
            return False
        row.attempts -= 1
        row.next_attempt_at = when
        return True


# --- the dispatcher ------------------------------------------------------------------------


@dataclass
class BatchResult:
    """What one claim-and-send round did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    deferred: int = 0


@dataclass
class _Run:
    """The state of one dispatcher run: per-target lanes of claimed rows, and their tasks."""

    result: BatchResult
    in_flight: asyncio.Semaphore
    progress: asyncio.Event
    lanes: dict[PaceKey, deque[tuple[Delivery, datetime]]] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    backlog: int = 0  # claimed rows not yet sent, failed, or handed back
    errors: list[Exception] = field(default_factory=list)


class Dispatcher:
    """Claims batches of due rows and sends them, paced, through the platform senders.

    Rows for one target go out one after another in id order (so a person reads them in
    order); different targets go out concurrently, at most ``max_in_flight`` sends at once.
    Database work runs in threads and no transaction stays open across a send.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        senders: Mapping[str, Sender],
        *,
        clock: Clock | None = None,
        pacer: Pacer | None = None,
        limits: Mapping[str, PlatformLimits] | None = None,
        lease: timedelta = LEASE,
        batch: int = 50,
        max_in_flight: int = 16,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.factory = factory
        # Kept by reference: OutboxWorker registers senders after building its dispatcher.
        self.senders = senders
        self.clock = clock_for(factory, clock)
        self.pacer = pacer or Pacer(self.clock, limits)
        self.lease = lease
        self.batch = batch
        self.rng = rng or random.Random()
        self.max_in_flight = max_in_flight
        self._sleep = sleep

    async def run_once(self) -> BatchResult:
        """Claim one batch of due rows and deliver all of it; returns what happened."""
        return await self._run(refill=False)

    async def run_until_idle(self) -> BatchResult:
        """Deliver until nothing is due: returns the totals once every lane has drained.

        Claims more rows whenever fewer than half a batch are still waiting to be sent, so a
        target that is free is never idle while a slow one finishes a batch. Every claimed row
        ends sent, failed, or due strictly later, so this terminates.
        """
        return await self._run(refill=True)

    async def _run(self, *, refill: bool) -> BatchResult:
        result = BatchResult()
        if not self.senders:
            return result
        run = _Run(result, asyncio.Semaphore(self.max_in_flight), asyncio.Event())
        try:
            while True:
                deliveries = await self._claim_into(run)
                if not refill or (not deliveries and not run.lanes):
                    break
                # Wait until the backlog runs low (or, when nothing was due, runs out), then
                # claim again; rows due meanwhile (a 429's retry) are picked up then.
                low_water = self.batch // 2 if deliveries else 0
                while run.backlog > low_water and not run.errors:
                    run.progress.clear()
                    await run.progress.wait()
                if run.errors:
                    break
        finally:
            # Let every lane finish (each records its own outcomes), so nothing keeps
            # sending in the background after we return.
            await asyncio.gather(*run.tasks, return_exceptions=True)
        if run.errors:
            raise run.errors[0]
        return result

    async def _claim_into(self, run: _Run) -> list[Delivery]:
        deliveries, lease_until = await asyncio.to_thread(
            claim_leased, self.factory, list(self.senders), now=self.clock.now(),
            batch=self.batch, lease=self.lease)
        run.result.claimed += len(deliveries)
        run.backlog += len(deliveries)
        for delivery in deliveries:
            target = _target(delivery)
            queue = run.lanes.get(target)
            if queue is None:
                queue = run.lanes[target] = deque()
                task = asyncio.create_task(self._lane(target, queue, run))
                run.tasks.add(task)
                task.add_done_callback(run.tasks.discard)
            queue.append((delivery, lease_until))
        return deliveries

    async def _lane(self, target: PaceKey, queue: deque[tuple[Delivery, datetime]],
                    run: _Run) -> None:
        """Send one target's rows in order, each when the pacer allows."""
        try:
            while queue:
                delivery, lease_until = queue.popleft()
                try:
                    await self._pace_and_send(delivery, lease_until, run)
                finally:
                    run.backlog -= 1
                    run.progress.set()
        except Exception as exc:  # noqa: BLE001 - the database failed: stop the whole run
            run.errors.append(exc)
            run.progress.set()
        finally:
            # Checked and removed without an await in between: no row is left behind.
            del run.lanes[target]

    async def _pace_and_send(self, delivery: Delivery, lease_until: datetime,
                             run: _Run) -> None:
        # A short lease (tests) keeps a proportionate safety margin, not none at all.
        last_start = lease_until - min(LEASE_SAFETY, self.lease / 4)
        slot = self.pacer.reserve(delivery, not_after=last_start)
        if slot is None:
            # Waiting for the pacer would outlast our lease: hand the row back, due when the
            # target is free, rather than send it after another worker may have taken it.
            await asyncio.to_thread(release, self.factory, delivery.outbox_id,
                                    when=self.pacer.next_slot(delivery), lease_until=lease_until)
            run.result.deferred += 1
            return
        wait = (slot - self.clock.now()).total_seconds()
        if wait > 0:
            await self._sleep(wait)
        await self._send_one(delivery, lease_until, run.result, run.in_flight)

    async def _send_one(self, delivery: Delivery, lease_until: datetime,
                        result: BatchResult, in_flight: asyncio.Semaphore) -> None:
        error: Exception | None = None
        message_id: str | None = None
        async with in_flight:
            try:
                message_id = await self.senders[delivery.platform].deliver(delivery)
            except Exception as exc:  # noqa: BLE001 - any failure is retried, then parked
                log.warning("outbox %s failed: %r", delivery.outbox_id, exc)
                error = exc
        self.pacer.settle(delivery)
        if isinstance(error, RetryLater):
            # Keep the rest of this lane (and other rows to this target) off it meanwhile.
            self.pacer.hold(delivery, error.seconds)
            result.retrying += 1
        elif isinstance(error, PermanentFailure):
            result.failed += 1
        elif error is not None:
            result.retrying += 1
        else:
            result.sent += 1
        await asyncio.to_thread(record_outcome, self.factory, delivery.outbox_id, error,
                                now=self.clock.now(), platform_message_id=message_id,
                                lease_until=lease_until, rng=self.rng)


async def deliver_due(
    factory: sessionmaker[Session],
    senders: dict[str, Sender],
    *,
    now: datetime | None = None,
    batch: int = 50,
    clock: Clock | None = None,
    pacer: Pacer | None = None,
) -> int:
    """Send one batch of due pending rows; returns how many were sent.

    ``now`` freezes the dispatcher's time (tests that jump past a retry). Without a ``pacer``
    pacing only spans this one batch: long-running callers keep a :class:`Dispatcher`.
    """
    if now is not None:
        clock = FakeClock(now)
    dispatcher = Dispatcher(factory, senders, clock=clock, pacer=pacer, batch=batch)
    return (await dispatcher.run_once()).sent
