"""Pacing shared by every replica: the token buckets live in the database, not in memory.

Three replicas pacing on their own each send one message a second to the same channel, so
the platform sees three and answers 429. Here each reservation reads and moves the bucket's
theoretical arrival time under a row lock, in one short transaction, so all replicas together
keep to one platform limit, and a Retry-After one replica hears holds the others back too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from core.db import clock_for
from core.events import Delivery
from core.models import DeliveryPace
from core.outbox.pace import PaceKey, Pacer, PlatformLimits, Rate, pace_buckets


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

    def _locked(self, session: Session, keys: Sequence[str], now: float) -> dict[str, DeliveryPace]:
        """The buckets' rows, created when missing, locked in key order (no deadlocks)."""
        dialect = session.get_bind().dialect.name
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        for key in sorted(set(keys)):
            session.execute(make(DeliveryPace).values(key=key, tat=now)
                            .on_conflict_do_nothing(index_elements=["key"]))
        rows = session.scalars(select(DeliveryPace).where(DeliveryPace.key.in_(keys))
                               .order_by(DeliveryPace.key).with_for_update()).all()
        return {row.key: row for row in rows}

    def reserve_buckets(self, buckets: Sequence[tuple[PaceKey, Rate]], *,
                        not_after: datetime | None = None) -> datetime | None:
        now = self.clock.now().timestamp()
        keyed = [(_key(k), rate) for k, rate in buckets]
        if not keyed:
            return datetime.fromtimestamp(now, UTC)
        with self.factory() as session, session.begin():
            rows = self._locked(session, [k for k, _ in keyed], now)
            slot = now
            for key, rate in keyed:
                slot = max(slot, rows[key].tat - (rate.burst - 1) * rate.interval)
            if not_after is not None and slot > not_after.timestamp():
                return None
            for key, rate in keyed:
                rows[key].tat = max(rows[key].tat, slot) + rate.interval
        return datetime.fromtimestamp(slot, UTC)

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
        if at_least:
            rows = self._locked(session, list(at_least), self.clock.now().timestamp())
            for key, value in at_least.items():
                rows[key].tat = max(rows[key].tat, value)

    def _push(self, at_least: dict[str, float]) -> None:
        with self.factory() as session, session.begin():
            self._push_in(session, at_least)

    def _settled(self, delivery: Delivery) -> dict[str, float]:
        now = self.clock.now().timestamp()
        return {_key(k): now + rate.interval for k, rate in pace_buckets(delivery, self.limits)}

    def _held(self, delivery: Delivery, seconds: float) -> dict[str, float]:
        until = self.clock.now().timestamp() + seconds
        return {_key(k): until + (rate.burst - 1) * rate.interval
                for k, rate in pace_buckets(delivery, self.limits)}

    def settle(self, delivery: Delivery) -> None:
        self._push(self._settled(delivery))

    def hold(self, delivery: Delivery, seconds: float) -> None:
        self._push(self._held(delivery, seconds))

    def after_answer(self, delivery: Delivery,
                     hold: float | None = None) -> Callable[[Session], None]:
        """Settle (and hold) inside the transaction that records the outcome."""
        pushes = self._settled(delivery)
        if hold is not None:
            for key, value in self._held(delivery, hold).items():
                pushes[key] = max(pushes.get(key, value), value)
        return lambda session: self._push_in(session, pushes)
