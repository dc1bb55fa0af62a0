"""Replicas pace together: one platform limit for all of them, and a Retry-After heard by one
holds back every one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.clock import FakeClock
from core.events import Delivery
from core.outbox.pace import slack_limits
from core.outbox.shared_pace import SharedPacer
from core.ui import Message
from tests.conftest import TEST_NOW


def dm(user: str) -> Delivery:
    return Delivery(1, "slack", "T1", user, "", None, Message("hi"))


def _replicas(sessions: sessionmaker[Session], clock: FakeClock) -> tuple[SharedPacer, ...]:
    limits = {"slack": slack_limits(margin=0.0)}
    return tuple(SharedPacer(sessions, clock, limits) for _ in range(3))


def test_three_replicas_share_one_channel_limit(sessions: sessionmaker[Session],
                                                clock: FakeClock) -> None:
    a, b, c = _replicas(sessions, clock)
    slots = [p.reserve(dm("U1")) for p in (a, b, c, a)]
    assert slots == [TEST_NOW + timedelta(seconds=s) for s in (0, 1, 2, 3)]
    assert b.reserve(dm("U2")) == TEST_NOW  # another channel is not held up
    assert c.next_slot(dm("U1")) == TEST_NOW + timedelta(seconds=4)


def test_a_retry_after_heard_by_one_replica_holds_back_the_others(
        sessions: sessionmaker[Session], clock: FakeClock) -> None:
    a, b, _ = _replicas(sessions, clock)
    a.hold(dm("U1"), 30)
    assert b.reserve(dm("U1")) == TEST_NOW + timedelta(seconds=30)
    assert b.reserve(dm("U1"), not_after=TEST_NOW + timedelta(seconds=10)) is None


def test_pacing_from_the_answer_applies_to_every_replica(sessions: sessionmaker[Session],
                                                         clock: FakeClock) -> None:
    a, b, _ = _replicas(sessions, clock)
    assert a.reserve(dm("U1")) == TEST_NOW
    clock.advance(timedelta(seconds=3))  # the answer came late
    a.settle(dm("U1"))
    assert b.reserve(dm("U1")) == TEST_NOW + timedelta(seconds=4)
