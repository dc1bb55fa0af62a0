"""Pacing shared by every replica: the token buckets live in the database, not in memory.

Three replicas pacing on their own each send one message a second to the same channel, so
the platform sees three and answers 429. Here each reservation reads and moves the bucket's
theoretical arrival time under a row lock, in one short transaction, so all replicas together
keep to one platform limit, and a Retry-After one replica hears holds the others back too.
A claimed row's slot is booked only while its lease is still ours (:meth:`SharedPacer.book`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from core.db import clock_for
from core.events import Delivery
from core.models import DeliveryPace
from core.outbox.lease import bound_transaction, still_held
from core.outbox.pace import (
    PaceKey,
    Pacer,
    PlatformLimits,
    Rate,
    _seconds,
    next_allowed,
    pace_buckets,
)

# A booking: the slot, None if the target is not free in time, False if the lease was lost.
Booked = datetime | None | Literal[False]


def _key(key: PaceKey) -> str:
    return "|".join(key)[:255]


class SharedPacer(Pacer):
    """A :class:`Pacer` whose buckets are rows of ``delivery_pace``; every call is one short
    transaction, so call it from a worker thread (``blocking`` says so)."""

    blocking = True

    def __init__(self, factory: sessionmaker[Session], clock: Clock | None = None,
                 limits: Mapping[str, PlatformLimits] | None = None) -> None:
        super().__init__(clock or clock_for(factory, None), limits)
        self.factory = factory

    @staticmethod
    def _insert(session: Session):  # type: ignore[no-untyped-def]
        dialect = session.get_bind().dialect.name
        return postgresql.insert if dialect == "postgresql" else sqlite.insert

    def _lock_tats(self, session: Session, keys: Sequence[str], now: float) -> dict[str, float]:
        """The buckets' tats, created when missing, locked in key order (no deadlocks): one
        round trip a key, since an upsert whose update changes nothing still locks and
        returns the row. One row per statement, so SQLAlchemy compiles it once and caches."""
        table = DeliveryPace.__table__
        statement = self._insert(session)(table).values(
            key=bindparam("key"), tat=bindparam("tat"))
        statement = statement.on_conflict_do_update(
            index_elements=["key"], set_={"tat": table.c.tat}).returning(table.c.tat)
        connection = session.connection()
        return {key: float(connection.execute(statement, {"key": key, "tat": now}).scalar_one())
                for key in sorted(set(keys))}

    def lock_keys(self, session: Session, keys: Sequence[PaceKey]) -> None:
        """Lock these buckets' rows for the caller's transaction, in key order (see
        ``_lock_tats``), before it books several deliveries one after another."""
        self._lock_tats(session, [_key(k) for k in keys], self.clock.now().timestamp())

    def _write_tats(self, session: Session, tats: dict[str, float]) -> None:
        """Move each bucket's tat up to at least the given value (one round trip a key; the
        row is created when missing)."""
        table = DeliveryPace.__table__
        statement = self._insert(session)(table).values(
            key=bindparam("key"), tat=bindparam("tat"))
        higher = (func.greatest if session.get_bind().dialect.name == "postgresql"
                  else func.max)(table.c.tat, statement.excluded.tat)
        statement = statement.on_conflict_do_update(index_elements=["key"],
                                                    set_={"tat": higher})
        connection = session.connection()
        for key, tat in sorted(tats.items()):
            connection.execute(statement, {"key": key, "tat": tat})

    def reserve_in(self, session: Session, delivery: Delivery, *,
                   not_after: datetime | None = None,
                   fence: Callable[[], bool] | None = None) -> Booked:
        """:meth:`reserve` inside the caller's transaction (booked only if it commits).

        ``fence`` runs once a slot is found, before it is booked; if it answers False nothing
        is booked and False is returned (the caller's lease was lost).
        """
        return self._reserve_in(session, pace_buckets(delivery, self.limits), not_after, fence)

    def _reserve_in(self, session: Session, buckets: Sequence[tuple[PaceKey, Rate]],
                    not_after: datetime | None,
                    fence: Callable[[], bool] | None = None) -> Booked:
        now = self.clock.now().timestamp()
        keyed = [(_key(k), rate) for k, rate in buckets]
        if not keyed:
            return False if fence is not None and not fence() else \
                datetime.fromtimestamp(now, UTC)
        tats = self._lock_tats(session, [k for k, _ in keyed], now)
        slot = now
        for key, rate in keyed:
            slot = max(slot, tats[key] - (rate.burst - 1) * rate.interval)
        if not_after is not None and slot > not_after.timestamp():
            return None
        if fence is not None and not fence():
            return False
        self._write_tats(session, {key: max(tats[key], slot) + rate.interval
                                   for key, rate in keyed})
        return datetime.fromtimestamp(slot, UTC)

    def reserve_buckets(self, buckets: Sequence[tuple[PaceKey, Rate]], *,
                        not_after: datetime | None = None) -> datetime | None:
        with self.factory() as session, session.begin():
            slot = self._reserve_in(session, buckets, not_after)
        return slot or None

    def next_slot(self, delivery: Delivery) -> datetime:
        now = self.clock.now().timestamp()
        buckets = pace_buckets(delivery, self.limits)
        with self.factory() as session:
            tats = dict(session.execute(select(DeliveryPace.key, DeliveryPace.tat).where(
                DeliveryPace.key.in_([_key(k) for k, _ in buckets]))).tuples().all())
        slot = now
        for key, rate in buckets:
            slot = max(slot, tats.get(_key(key), now) - (rate.burst - 1) * rate.interval)
        return datetime.fromtimestamp(slot, UTC)

    def _push_in(self, session: Session, at_least: dict[str, float]) -> None:
        self._write_tats(session, at_least)

    def _push(self, at_least: dict[str, float]) -> None:
        with self.factory() as session, session.begin():
            self._push_in(session, at_least)

    def _settled(self, delivery: Delivery, started: datetime | None = None,
                 arrived: datetime | None = None) -> dict[str, float]:
        now = self.clock.now().timestamp()
        reported = _seconds(started, arrived)
        return {_key(k): next_allowed(now, rate.interval, *reported)
                for k, rate in pace_buckets(delivery, self.limits)}

    def _held(self, delivery: Delivery, seconds: float) -> dict[str, float]:
        until = self.clock.now().timestamp() + seconds
        return {_key(k): until + (rate.burst - 1) * rate.interval
                for k, rate in pace_buckets(delivery, self.limits)}

    def settle(self, delivery: Delivery, started: datetime | None = None,
               arrived: datetime | None = None) -> None:
        self._push(self._settled(delivery, started, arrived))

    def hold(self, delivery: Delivery, seconds: float) -> None:
        self._push(self._held(delivery, seconds))

    def after_answer(self, delivery: Delivery, hold: float | None = None,
                     started: datetime | None = None,
                     arrived: datetime | None = None) -> Callable[[Session], None]:
        """Settle (and hold) inside the transaction that records the outcome."""
        pushes = self._settled(delivery, started, arrived)
        if hold is not None:
            for key, value in self._held(delivery, hold).items():
                pushes[key] = max(pushes.get(key, value), value)
        return lambda session: self._push_in(session, pushes)

    def book(self, session: Session, delivery: Delivery, *, lease_until: datetime,
             last_start: datetime) -> Booked:
        """Book a send slot for a claimed row, no later than ``last_start``, in the caller's
        transaction: the pace rows are locked first (the order an outcome's transaction takes
        them in), and the slot is booked only if the row is still ours (checked, and locked,
        once a slot is free in time). The send's mark, the last fence on the lease, comes
        later, just before the slot."""
        return self.reserve_in(session, delivery, not_after=last_start, fence=lambda: (
            still_held(session, delivery.outbox_id, lease_until=lease_until)))

    def book_alone(self, delivery: Delivery, *, lease_until: datetime,
                   last_start: datetime) -> Booked:
        """:meth:`book` in a transaction of its own."""
        with self.factory() as session, session.begin():
            bound_transaction(session)
            return self.book(session, delivery, lease_until=lease_until, last_start=last_start)

    def book_heads(self, heads: Sequence[tuple[Delivery, datetime, datetime]],
                   ) -> dict[int, Booked]:
        """Book the first row of every new lane (delivery, lease end, last start) in one
        transaction; returns each booking by outbox id.

        A claim opens a lane for each of up to hundreds of conversations at once; one booking
        transaction each, through the outbox's few threads, spread their first sends over
        two seconds. All their pace rows are locked first, in key order, as every other
        pacing transaction takes its own: no deadlock.
        """
        keys = [key for delivery, _, _ in heads for key, _ in pace_buckets(delivery, self.limits)]
        with self.factory() as session, session.begin():
            bound_transaction(session)
            self.lock_keys(session, keys)
            return {delivery.outbox_id: self.book(session, delivery, lease_until=lease_until,
                                                  last_start=last_start)
                    for delivery, lease_until, last_start in heads}
