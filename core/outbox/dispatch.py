"""Claim due outbox rows, send them through the platform senders, record what happened.

Delivery is at least once: a row is leased when claimed, sent outside any transaction, then
marked. A worker that dies between claim and mark loses its lease and another worker sends the
row again after ``LEASE``. To stay under platform rate limits instead of provoking 429s, every
send first asks a :class:`Pacer` (token buckets per workspace, target and Slack method tier).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import random
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, TypeVar, cast

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, FakeClock
from core.db import clock_for
from core.events import Delivery, PermanentFailure, Sender
from core.outbox.lease import (
    LEASE,
    LEASE_SAFETY,
    bound_transaction,
    claim_due,
    claim_leased,
    release,
    renew,
    start_sending,
    still_held,
)
from core.outbox.pace import (
    DEFAULT_LIMITS,
    PaceKey,
    Pacer,
    PlatformLimits,
    Rate,
    pace_buckets,
    slack_limits,
    target_of,
)
from core.outbox.record import (
    MAX_ATTEMPTS,
    OutcomeUnknown,
    RetryLater,
    backoff,
    backoff_bounds,
    record_outcome,
    remember_reference,
)
from core.outbox.send import begin as begin_notes

log = logging.getLogger(__name__)
T = TypeVar("T")

# How many of one conversation's next rows a lane claims when it runs dry: ten seconds of
# its paced work (the lane renews their leases as it goes), so a claim, which waits its turn
# behind every replica's, delays one send in ten.
CONVERSATION_BATCH = 10

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


class _NotBooked:
    """No slot was booked ahead for this row: book one before sending it."""


_NOT_BOOKED = _NotBooked()
# What an outcome's transaction booked for the lane's next row: its id and the slot (None:
# not free in time; False: the lease was lost).
_Booking = tuple[int, datetime | None | Literal[False]] | _NotBooked


class _SessionPacer(Protocol):
    limits: Mapping[str, PlatformLimits]

    def lock_keys(self, session: Session, keys: Sequence[PaceKey]) -> None:
        ...

    def reserve_in(self, session: Session, delivery: Delivery, *,
                   not_after: datetime | None = None,
                   fence: Callable[[], bool] | None = None) -> datetime | None | Literal[False]:
        ...


# A send is marked as starting (``outbox.sending_since``, in its own transaction) this long
# before its slot (seconds): enough for the round trip, short enough that a replica killed
# while waiting leaves almost no row that looks as if it may have gone out.
MARK_AHEAD = 0.05

# A run that has lanes going claims again at least this often (seconds, real time).
CLAIM_EVERY = 2.0

__all__ = ["DEFAULT_LIMITS", "LEASE", "LEASE_SAFETY", "MAX_ATTEMPTS", "BatchResult",
           "Dispatcher", "Pacer", "PlatformLimits", "Rate", "RetryLater", "backoff",
           "backoff_bounds", "claim_due", "claim_leased", "deliver_due", "pace_buckets",
           "record_outcome", "release", "slack_limits"]


@dataclass
class BatchResult:
    """What one claim-and-send round did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    deferred: int = 0


@dataclass(frozen=True)
class _Unrecorded:
    """A send whose answer came while its outcome could not be written (the database was
    down): written first thing once it answers again, so nobody has to look in the
    conversation's history to learn whether it landed."""

    outbox_id: int
    error: Exception | None
    message_id: str | None
    answered: datetime
    lease_until: datetime


@dataclass
class _Run:
    """The state of one dispatcher run: per-target lanes of claimed rows, and their tasks."""

    result: BatchResult
    in_flight: asyncio.Semaphore
    progress: asyncio.Event
    refill: bool = False  # keep claiming until nothing is due (run_until_idle)
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
        self._unrecorded: list[_Unrecorded] = []
        # DM channels this dispatcher has already stored on their identity (see _remember).
        self._stored_refs: dict[tuple[str, str, str], dict[str, Any]] = {}

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
        run = _Run(result, asyncio.Semaphore(self.max_in_flight), asyncio.Event(), refill)
        await self._record_unrecorded()
        try:
            while True:
                lanes_before = len(run.lanes)
                deliveries = await self._claim_into(run)
                if not refill or (not deliveries and not run.lanes):
                    break
                if len(deliveries) == self.batch and lanes_before < len(run.lanes) < \
                        self.max_in_flight:
                    # A full claim that opened lanes may have left conversations out (a
                    # batch is the oldest rows, not some of every conversation's): claim
                    # again now, not in CLAIM_EVERY. It takes no row of a conversation
                    # already going, so it only opens the ones left out (two of a hundred
                    # started two seconds late, and the whole delivery ended two seconds
                    # later: 0.92 of the allowed rate instead of 0.95).
                    continue
                # Wait until the backlog runs low (or, when nothing was due, runs out), then
                # claim again; rows due meanwhile (a 429's retry) are picked up then. Claim
                # again after CLAIM_EVERY seconds in any case: lanes refill from their own
                # conversations and keep the backlog up, and rows nobody holds (a conversation
                # the first claim missed, a dead replica's) must not wait for the whole run.
                low_water = self.batch // 2 if deliveries else 0
                loop = asyncio.get_running_loop()
                look_again = loop.time() + CLAIM_EVERY
                while run.backlog > low_water and not run.errors:
                    left = look_again - loop.time()
                    if left <= 0:
                        break
                    run.progress.clear()
                    try:
                        await asyncio.wait_for(run.progress.wait(), left)
                    except TimeoutError:
                        break
                if run.errors:
                    break
        finally:
            # Let every lane finish (each records its own outcomes), so nothing keeps
            # sending in the background after we return.
            await asyncio.gather(*run.tasks, return_exceptions=True)
        if run.errors:
            raise run.errors[0]
        return result

    async def _record_unrecorded(self) -> None:
        """Write the outcomes an outage kept us from writing (raises while it lasts).

        Applied only where the lease is still ours: a row another replica claimed since is
        checked against the conversation's history by its new holder instead.
        """
        while self._unrecorded:
            late = self._unrecorded[0]
            await self._db(record_outcome, self.factory, late.outbox_id, late.error,
                           now=late.answered, platform_message_id=late.message_id,
                           lease_until=late.lease_until, rng=self.rng)
            self._unrecorded.pop(0)

    async def _claim_into(self, run: _Run) -> list[Delivery]:
        deliveries, lease_until = await self._db(
            claim_leased, self.factory, list(self.senders), now=self.clock.now(),
            batch=self.batch, lease=self.lease)
        run.result.claimed += len(deliveries)
        run.backlog += len(deliveries)
        new: dict[PaceKey, deque[tuple[Delivery, datetime]]] = {}
        for delivery in deliveries:
            target = target_of(delivery)
            queue = run.lanes.get(target)
            if queue is None:
                queue = run.lanes[target] = new[target] = deque()
            queue.append((delivery, lease_until))
        bookings: dict[int, datetime | None | Literal[False]] = {}
        if len(new) > 1 and self.pacer.blocking:
            try:
                bookings = await self._db(self._book_heads, [q[0] for q in new.values()])
            except Exception:
                for target in new:  # no lane runs for them: nothing would remove these
                    del run.lanes[target]
                run.backlog -= sum(len(q) for q in new.values())
                raise
        for target, queue in new.items():
            head = queue[0][0].outbox_id
            first: _Booking = (head, bookings[head]) if head in bookings else _NOT_BOOKED
            task = asyncio.create_task(self._lane(target, queue, run, first))
            run.tasks.add(task)
            task.add_done_callback(run.tasks.discard)
        return deliveries

    def _book_heads(self, heads: list[tuple[Delivery, datetime]],
                    ) -> dict[int, datetime | None | Literal[False]]:
        """Book the first row of every new lane in one transaction (the shared pacer).

        A claim opens a lane for each of up to hundreds of conversations at once; one booking
        transaction each, through the outbox's few threads, spread their first sends over
        two seconds. All their pace rows are locked first, in key order, as every other
        pacing transaction takes its own: no deadlock.
        """
        pacer = cast(_SessionPacer, self.pacer)
        keys = [key for delivery, _ in heads for key, _ in pace_buckets(delivery, pacer.limits)]
        with self.factory() as session, session.begin():
            bound_transaction(session)
            pacer.lock_keys(session, keys)
            return {delivery.outbox_id: self._book_in(session, delivery, lease_until,
                                                      self._last_start(lease_until))
                    for delivery, lease_until in heads}

    async def _lane(self, target: PaceKey, queue: deque[tuple[Delivery, datetime]],
                    run: _Run, booked: _Booking = _NOT_BOOKED) -> None:
        """Send one target's rows in order, each when the pacer allows.

        A row that does not go out (a retry, a rate limit, a lease too short) takes the rest
        of its lane back with it: they wait behind it, so the person still reads them in order.
        """
        conversation = queue[0][0].conversation if queue else ""
        # ``booked``: the slot booked for the queue's first row, if any.
        try:
            while queue:
                await self._renew_if_due(queue, run)
                if not queue:
                    break
                delivery, lease_until = queue.popleft()
                # (A booking for a row the renewal found lost is dropped with it.)
                ahead = booked[1] if isinstance(booked, tuple) and \
                    booked[0] == delivery.outbox_id else _NOT_BOOKED
                try:
                    retry_at, booked = await self._pace_and_send(
                        delivery, lease_until, run, ahead, queue[0] if queue else None)
                finally:
                    run.backlog -= 1
                    run.progress.set()
                if retry_at is not None:
                    await self._hand_back(queue, retry_at, run)
                    break
                if not queue and run.refill and conversation:
                    # Keep the conversation going: its next rows now, not after a batch.
                    await self._claim_conversation(conversation, queue, run)
        except Exception as exc:  # noqa: BLE001 - the database failed: stop the whole run
            run.errors.append(exc)
            run.progress.set()
        finally:
            # Checked and removed without an await in between: no row is left behind.
            del run.lanes[target]

    async def _claim_conversation(self, conversation: str,
                                  queue: deque[tuple[Delivery, datetime]], run: _Run) -> None:
        deliveries, lease_until = await self._db(
            claim_leased, self.factory, list(self.senders), now=self.clock.now(),
            batch=CONVERSATION_BATCH, lease=self.lease, conversation=conversation)
        run.result.claimed += len(deliveries)
        run.backlog += len(deliveries)
        queue.extend((d, lease_until) for d in deliveries)

    async def _renew_if_due(self, queue: deque[tuple[Delivery, datetime]], run: _Run) -> None:
        """Once half the time a lease leaves for starting sends has passed, a lane renews the
        leases of the rows it still holds: a live worker keeps them, a dead one loses them
        within one short lease.

        Counted from the last start, not the lease's end: a row whose slot falls past its
        last start is handed back, and its conversation sits idle until the next claim.
        """
        now = self.clock.now()
        usable = self.lease - self._margin()
        due = {lease for _, lease in queue
               if self._last_start(lease) - now <= usable / 2}
        if not due:
            return
        new = now + self.lease
        kept: dict[int, datetime] = {}
        for old in due:
            ids = [d.outbox_id for d, lease in queue if lease == old]
            for outbox_id in await self._db(renew, self.factory, ids, old=old,
                                                     new=new):
                kept[outbox_id] = new
        items = list(queue)
        queue.clear()
        for delivery, lease in items:
            if lease not in due:
                queue.append((delivery, lease))
            elif delivery.outbox_id in kept:
                queue.append((delivery, kept[delivery.outbox_id]))
            else:
                log.warning("outbox %s: lease lost while waiting; left to its new holder",
                            delivery.outbox_id)
                run.backlog -= 1
                run.progress.set()

    async def _hand_back(self, queue: deque[tuple[Delivery, datetime]], when: datetime,
                         run: _Run) -> None:
        while queue:
            delivery, lease_until = queue.popleft()
            try:
                await self._db(release, self.factory, delivery.outbox_id, when=when,
                                        lease_until=lease_until, keep_mark=delivery.maybe_sent)
                run.result.deferred += 1
            finally:
                run.backlog -= 1
                run.progress.set()

    async def _pace(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the pacer: in a worker thread when it goes to the database."""
        if self.pacer.blocking:
            return await self._db(call, *args, **kwargs)
        return call(*args, **kwargs)

    def _margin(self) -> timedelta:
        # A short lease (tests) keeps a proportionate safety margin, not none at all.
        return min(LEASE_SAFETY, self.lease / 3)

    def _last_start(self, lease_until: datetime) -> datetime:
        return lease_until - self._margin()

    async def _pace_and_send(self, delivery: Delivery, lease_until: datetime, run: _Run,
                             booked: datetime | None | Literal[False] | _NotBooked,
                             following: tuple[Delivery, datetime] | None,
                             ) -> tuple[datetime | None, _Booking]:
        """Send when the pacer allows; returns None once sent (or failed for good), else when
        the rows behind it may be tried again; and the booking made for ``following``.

        ``booked``: the slot the previous send's outcome transaction already booked (and
        marked) for this row, if it did.
        """
        last_start = self._last_start(lease_until)
        slot = await self._book(delivery, lease_until, last_start) \
            if isinstance(booked, _NotBooked) else booked
        if slot is False:
            log.warning("outbox %s: lease lost before sending; left to its new holder",
                        delivery.outbox_id)
            return None, _NOT_BOOKED
        if slot is None:
            # Waiting for the pacer would outlast our lease: hand the row back, due when the
            # target is free, rather than send it after another worker may have taken it.
            when = await self._pace(self.pacer.next_slot, delivery)
            await self._db(release, self.factory, delivery.outbox_id, when=when,
                           lease_until=lease_until, keep_mark=delivery.maybe_sent)
            run.result.deferred += 1
            return when, _NOT_BOOKED
        # Mark the send as starting just before its slot, not when booking it a second ahead:
        # a replica killed while waiting for its slots left a marked row in every conversation
        # it held, each then checked against Slack's history at Tier 3 (about 44 a minute),
        # and one kill every 20 s left conversations waiting minutes for their check.
        wait = (slot - self.clock.now()).total_seconds() - MARK_AHEAD
        if wait > 0:
            await self._sleep(wait)
        if not await self._db(start_sending, self.factory, delivery.outbox_id,
                              now=self.clock.now(), lease_until=lease_until):
            log.warning("outbox %s: lease lost before sending; left to its new holder",
                        delivery.outbox_id)
            return None, _NOT_BOOKED
        wait = (slot - self.clock.now()).total_seconds()
        if wait > 0:
            await self._sleep(wait)
        return await self._send_one(delivery, lease_until, run, following)

    async def _book(self, delivery: Delivery, lease_until: datetime,
                    last_start: datetime) -> datetime | None | Literal[False]:
        """Book a send slot no later than ``last_start``: the slot, None if the target is not
        free in time, False if the lease was lost.

        With the shared pacer this is one transaction that books a slot only for a row still
        ours; the send's mark (the last fence on the lease) goes in just before the slot.
        """
        if not self.pacer.blocking:
            return self.pacer.reserve(delivery, not_after=last_start)
        return await self._db(self._book_shared, delivery, lease_until, last_start)

    def _book_shared(self, delivery: Delivery, lease_until: datetime,
                     last_start: datetime) -> datetime | None | Literal[False]:
        with self.factory() as session, session.begin():
            bound_transaction(session)
            return self._book_in(session, delivery, lease_until, last_start)

    def _book_in(self, session: Session, delivery: Delivery, lease_until: datetime,
                 last_start: datetime) -> datetime | None | Literal[False]:
        """:meth:`_book` inside a transaction: the pace rows are locked first (the order
        record_outcome takes them in), and the slot is booked only if the row is still ours
        (checked, and locked, once a slot is free in time)."""
        pacer = cast(_SessionPacer, self.pacer)
        return pacer.reserve_in(session, delivery, not_after=last_start, fence=lambda: (
            still_held(session, delivery.outbox_id, lease_until=lease_until)))

    async def _db(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run database work on the outbox's own threads (see ``DB_THREADS``), giving up on
        it after ``DB_CALL_TIMEOUT`` (the thread is left to finish or fail on its own)."""
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        return await asyncio.wait_for(loop.run_in_executor(_db_threads(), functools.partial(
            context.run, call, *args, **kwargs)), DB_CALL_TIMEOUT)

    async def _send_one(self, delivery: Delivery, lease_until: datetime, run: _Run,
                        following: tuple[Delivery, datetime] | None,
                        ) -> tuple[datetime | None, _Booking]:
        error: Exception | None = None
        message_id: str | None = None
        result = run.result
        # The sender notes when its request really went out, and where it landed.
        notes = begin_notes(self.clock)
        async with run.in_flight:
            # Waiting for a send slot may have eaten the lease: check again, and bound the
            # send by what is left, so no other replica can take the row while it is out.
            budget = (self._last_start(lease_until) - self.clock.now()).total_seconds()
            if budget <= 0:
                now = self.clock.now()
                await self._db(release, self.factory, delivery.outbox_id, when=now,
                               lease_until=lease_until, keep_mark=delivery.maybe_sent)
                result.deferred += 1
                return now, _NOT_BOOKED
            try:
                message_id = await asyncio.wait_for(
                    self.senders[delivery.platform].deliver(delivery), timeout=budget)
            except TimeoutError:
                log.warning("outbox %s: no answer within its lease; outcome unknown",
                            delivery.outbox_id)
                error = OutcomeUnknown(f"no answer in {budget:.0f}s")
            except Exception as exc:  # noqa: BLE001 - any failure is retried, then parked
                log.warning("outbox %s failed: %r", delivery.outbox_id, exc)
                error = exc
        # Pace the next send from this answer (and hold the target after a 429): in memory, or
        # for the shared pacer inside the transaction that records the outcome.
        hold = error.seconds if isinstance(error, RetryLater) else None
        also = self.pacer.after_answer(delivery, hold, notes.started, notes.arrived)
        if notes.reached is not None:
            also = self._remember(delivery, notes.reached, also)
        if isinstance(error, RetryLater):
            result.retrying += 1
        elif isinstance(error, PermanentFailure):
            result.failed += 1
        elif error is not None:
            result.retrying += 1
        else:
            result.sent += 1
        lane_goes_on = error is None or isinstance(error, PermanentFailure)
        booking: list[_Booking] = []
        if lane_goes_on and following is not None and also is not None and self.pacer.blocking:
            # With the shared pacer, the same transaction books the next row's slot (paced
            # from this answer) and marks its send: one transaction per send, not two.
            also = self._and_book(also, following, booking)
        answered = self.clock.now()
        try:
            await self._db(record_outcome, self.factory, delivery.outbox_id, error,
                           now=answered, platform_message_id=message_id,
                           lease_until=lease_until, rng=self.rng, also=also)
        except Exception:
            # The database is gone (an outage): keep what the platform said, to write it
            # once the database is back, rather than leave the outcome unknown.
            if not isinstance(error, OutcomeUnknown):
                self._unrecorded.append(_Unrecorded(delivery.outbox_id, error, message_id,
                                                    answered, lease_until))
            raise
        if lane_goes_on:
            return None, booking[0] if booking else _NOT_BOOKED
        return self.clock.now(), _NOT_BOOKED

    def _remember(self, delivery: Delivery, reached: dict[str, Any],
                  settle: Callable[[Session], None] | None) -> Callable[[Session], None] | None:
        """Store the conversation a DM landed in on its recipient's identity, in the outcome's
        transaction, once per recipient and change (a row claimed before it was stored still
        carries the old reference)."""
        if not delivery.user_id or delivery.group_user_ids:
            return settle
        who = (delivery.platform, delivery.tenant_id, delivery.user_id)
        reference = {**(delivery.conversation_ref or {}), **reached}
        if reference == delivery.conversation_ref or self._stored_refs.get(who) == reference:
            return settle

        def also(session: Session) -> None:
            if settle is not None:
                settle(session)
            remember_reference(session, *who, reference)
            self._stored_refs[who] = reference

        return also

    def _and_book(self, settle: Callable[[Session], None], following: tuple[Delivery, datetime],
                  booking: list[_Booking]) -> Callable[[Session], None]:
        delivery, lease_until = following

        def also(session: Session) -> None:
            settle(session)
            booking.append((delivery.outbox_id, self._book_in(
                session, delivery, lease_until, self._last_start(lease_until))))

        return also


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
