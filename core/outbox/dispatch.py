"""Claim due outbox rows, send them through the platform senders, record what happened.

Delivery is at least once: a row is leased when claimed, sent outside any transaction, then
marked. A worker that dies between claim and mark loses its lease and another worker sends the
row again after ``LEASE``. To stay under platform rate limits instead of provoking 429s, every
send first asks a :class:`Pacer` (token buckets per workspace, target and Slack method tier).

This module only orchestrates: how rows are leased is in ``lease``, paced and booked in
``pace`` and ``shared_pace``, sent in ``send``, and recorded in ``record``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, FakeClock
from core.db import clock_for
from core.events import Delivery, PermanentFailure, Sender
from core.outbox.lease import (
    LEASE,
    Held,
    apply_renewals,
    claim_due,
    claim_leased,
    last_start,
    release,
    renew,
    renewals_due,
    start_sending,
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
    StoredReferences,
    Unrecorded,
    backoff,
    backoff_bounds,
    record_outcome,
)
from core.outbox.send import begin as begin_notes
from core.outbox.send import send
from core.outbox.shared_pace import Booked, SharedPacer
from core.outbox.threads import in_db_thread

log = logging.getLogger(__name__)
T = TypeVar("T")

# How many of one conversation's next rows a lane claims when it runs dry: ten seconds of
# its paced work (the lane renews their leases as it goes), so a claim, which waits its turn
# behind every replica's, delays one send in ten.
CONVERSATION_BATCH = 10


class _NotBooked:
    """No slot was booked ahead for this row: book one before sending it."""


_NOT_BOOKED = _NotBooked()
# What an outcome's transaction booked for the lane's next row: its id and the booking.
_Booking = tuple[int, Booked] | _NotBooked


# A send is marked as starting (``outbox.sending_since``, in its own transaction) this long
# before its slot (seconds): enough for the round trip, short enough that a replica killed
# while waiting leaves almost no row that looks as if it may have gone out.
MARK_AHEAD = 0.05

# A run that has lanes going claims again at least this often (seconds, real time).
CLAIM_EVERY = 2.0

__all__ = ["DEFAULT_LIMITS", "LEASE", "MAX_ATTEMPTS", "BatchResult",
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

    def count(self, error: Exception | None) -> None:
        """Count one send's answer: sent, failed for good, or to be tried again."""
        if error is None:
            self.sent += 1
        elif isinstance(error, PermanentFailure):
            self.failed += 1
        else:
            self.retrying += 1


@dataclass
class _Run:
    """The state of one dispatcher run: per-target lanes of claimed rows, and their tasks."""

    result: BatchResult
    in_flight: asyncio.Semaphore
    progress: asyncio.Event
    refill: bool = False  # keep claiming until nothing is due (run_until_idle)
    lanes: dict[PaceKey, Held] = field(default_factory=dict)
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
        # The pacer whose buckets are in the database books in transactions, fenced by the
        # lease; the in-memory one books at once.
        self._shared = self.pacer if isinstance(self.pacer, SharedPacer) else None
        self.lease = lease
        self.batch = batch
        self.rng = rng or random.Random()
        self.max_in_flight = max_in_flight
        self._sleep = sleep
        self._unrecorded: list[Unrecorded] = []
        self._references = StoredReferences()

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
        """Write the outcomes an outage kept us from writing (raises while it lasts)."""
        while self._unrecorded:
            await self._db(self._unrecorded[0].write, self.factory, self.rng)
            self._unrecorded.pop(0)

    async def _claim_into(self, run: _Run) -> list[Delivery]:
        deliveries, lease_until = await self._db(
            claim_leased, self.factory, list(self.senders), now=self.clock.now(),
            batch=self.batch, lease=self.lease)
        run.result.claimed += len(deliveries)
        run.backlog += len(deliveries)
        new: dict[PaceKey, Held] = {}
        for delivery in deliveries:
            target = target_of(delivery)
            queue = run.lanes.get(target)
            if queue is None:
                queue = run.lanes[target] = new[target] = deque()
            queue.append((delivery, lease_until))
        bookings: dict[int, Booked] = {}
        if len(new) > 1 and self._shared is not None:
            try:
                bookings = await self._db(self._shared.book_heads, [
                    (delivery, until, self._last_start(until))
                    for delivery, until in (q[0] for q in new.values())])
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

    async def _lane(self, target: PaceKey, queue: Held,
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

    async def _claim_conversation(self, conversation: str, queue: Held, run: _Run) -> None:
        deliveries, lease_until = await self._db(
            claim_leased, self.factory, list(self.senders), now=self.clock.now(),
            batch=CONVERSATION_BATCH, lease=self.lease, conversation=conversation)
        run.result.claimed += len(deliveries)
        run.backlog += len(deliveries)
        queue.extend((d, lease_until) for d in deliveries)

    async def _renew_if_due(self, queue: Held, run: _Run) -> None:
        """Renew the leases of the lane's rows that are due (see ``renewals_due``)."""
        now = self.clock.now()
        due = renewals_due(queue, lease=self.lease, now=now)
        if not due:
            return
        new = now + self.lease
        kept: set[int] = set()
        for old, ids in due.items():
            kept |= await self._db(renew, self.factory, ids, old=old, new=new)
        for _lost in apply_renewals(queue, due, kept, new):
            run.backlog -= 1
            run.progress.set()

    async def _hand_back(self, queue: Held, when: datetime, run: _Run) -> None:
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

    def _last_start(self, lease_until: datetime) -> datetime:
        return last_start(lease_until, self.lease)

    async def _pace_and_send(self, delivery: Delivery, lease_until: datetime, run: _Run,
                             booked: Booked | _NotBooked,
                             following: tuple[Delivery, datetime] | None,
                             ) -> tuple[datetime | None, _Booking]:
        """Send when the pacer allows; returns None once sent (or failed for good), else when
        the rows behind it may be tried again; and the booking made for ``following``.

        ``booked``: the slot the previous send's outcome transaction already booked for this
        row, if it did.
        """
        slot = await self._book(delivery, lease_until) \
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

    async def _book(self, delivery: Delivery, lease_until: datetime) -> Booked:
        """Book a send slot in time to start under the lease (see ``SharedPacer.book``)."""
        latest = self._last_start(lease_until)
        if self._shared is None:
            return self.pacer.reserve(delivery, not_after=latest)
        return await self._db(self._shared.book_alone, delivery, lease_until=lease_until,
                              last_start=latest)

    async def _db(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await in_db_thread(call, *args, **kwargs)

    async def _send_one(self, delivery: Delivery, lease_until: datetime, run: _Run,
                        following: tuple[Delivery, datetime] | None,
                        ) -> tuple[datetime | None, _Booking]:
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
            message_id, error = await send(self.senders[delivery.platform], delivery, budget)
        # Pace the next send from this answer (and hold the target after a 429): in memory, or
        # for the shared pacer inside the transaction that records the outcome.
        hold = error.seconds if isinstance(error, RetryLater) else None
        also = self.pacer.after_answer(delivery, hold, notes.started, notes.arrived)
        if notes.reached is not None:
            also = self._references.also(delivery, notes.reached, also)
        result.count(error)
        lane_goes_on = error is None or isinstance(error, PermanentFailure)
        booking: list[_Booking] = []
        if lane_goes_on and following is not None and also is not None and self._shared:
            # With the shared pacer, the same transaction books the next row's slot (paced
            # from this answer): no booking transaction of its own.
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
                self._unrecorded.append(Unrecorded(delivery.outbox_id, error, message_id,
                                                   answered, lease_until))
            raise
        if lane_goes_on:
            return None, booking[0] if booking else _NOT_BOOKED
        return self.clock.now(), _NOT_BOOKED

    def _and_book(self, settle: Callable[[Session], None], following: tuple[Delivery, datetime],
                  booking: list[_Booking]) -> Callable[[Session], None]:
        """``settle``, then book ``following``'s slot, in the outcome's transaction."""
        delivery, lease_until = following
        shared = self._shared
        assert shared is not None

        def also(session: Session) -> None:
            settle(session)
            booking.append((delivery.outbox_id, shared.book(
                session, delivery, lease_until=lease_until,
                last_start=self._last_start(lease_until))))

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
