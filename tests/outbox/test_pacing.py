"""Pure unit tests: backoff with jitter, and the pacer's token buckets on a fake clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from core.clock import FakeClock
from core.events import Delivery
from core.outbox.pace import ARRIVAL_MARGIN, Pacer, slack_limits
from core.outbox.record import BACKOFF_CAP_SECONDS, backoff, backoff_bounds
from core.ui import Message

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def dm(user: str, tenant: str = "T1", group: tuple[str, ...] = ()) -> Delivery:
    return Delivery(1, "slack", tenant, user, "", None, Message("hi"), group_user_ids=group)


def test_backoff_stays_within_its_bounds_and_jitters() -> None:
    for attempts in range(1, 40):
        low, high = backoff_bounds(attempts)
        assert high == min(BACKOFF_CAP_SECONDS, 2.0 * 2 ** (attempts - 1))
        assert low == high / 2
        rng = random.Random(attempts)
        picks = [backoff(attempts, rng).total_seconds() for _ in range(200)]
        assert all(low <= p <= high for p in picks)
        assert len(set(picks)) > 100  # really jittered, not a constant
    assert backoff_bounds(10_000)[1] == BACKOFF_CAP_SECONDS  # no overflow past the cap


def test_backoff_is_reproducible_with_a_seed() -> None:
    first = [backoff(3, random.Random(42)) for _ in range(5)]
    again = [backoff(3, random.Random(42)) for _ in range(5)]
    assert first == again


def test_burst_to_one_channel_is_spread_a_second_apart() -> None:
    clock = FakeClock(T0)
    pacer = Pacer(clock)
    slots = [pacer.reserve(dm("U1")) for _ in range(10)]
    assert slots[0] == T0
    gaps = [(b - a).total_seconds() for a, b in zip(slots, slots[1:], strict=False)]  # type: ignore[operator]
    assert all(gap >= 1.0 for gap in gaps)
    assert slots[-1] - T0 < timedelta(seconds=9 * 1.05)  # spaced, not stalled
    # Other channels, and the same user id in another workspace, are not held up.
    assert pacer.reserve(dm("U2")) == T0
    assert pacer.reserve(dm("U1", tenant="T2")) == T0


def test_slots_free_up_as_time_passes() -> None:
    clock = FakeClock(T0)
    pacer = Pacer(clock)
    pacer.reserve(dm("U1"))
    clock.advance(timedelta(seconds=5))
    assert pacer.reserve(dm("U1")) == clock.now()


def test_hold_after_429_keeps_the_target_quiet() -> None:
    clock = FakeClock(T0)
    pacer = Pacer(clock)
    pacer.hold(dm("U1"), 30)
    assert pacer.reserve(dm("U1")) == T0 + timedelta(seconds=30)
    assert pacer.reserve(dm("U2")) == T0


def test_reserve_refuses_a_slot_past_the_deadline_without_booking() -> None:
    clock = FakeClock(T0)
    pacer = Pacer(clock)
    pacer.reserve(dm("U1"))
    assert pacer.reserve(dm("U1"), not_after=T0 + timedelta(seconds=0.5)) is None
    assert pacer.next_slot(dm("U1")) < T0 + timedelta(seconds=1.1)  # nothing was booked


def test_conversations_open_stays_under_tier_3_in_any_minute() -> None:
    clock = FakeClock(T0)
    pacer = Pacer(clock, {"slack": slack_limits()})
    slots = [pacer.reserve(dm("", group=(f"U{i}", f"V{i}"))) for i in range(120)]
    times = [s.timestamp() for s in slots]  # type: ignore[union-attr]
    worst = max(sum(1 for t in times if start <= t < start + 60) for start in times)
    assert worst <= 50
    assert times[4] == T0.timestamp()  # a small burst goes at once


def test_a_slow_answer_does_not_slow_the_conversation_when_slack_says_when_it_took_it() -> None:
    clock = FakeClock(T0)
    pacer = Pacer(clock, {"slack": slack_limits(margin=0.0)})
    assert pacer.reserve(dm("U1")) == T0
    clock.advance(timedelta(seconds=0.3))  # Slack took it at once, then answered 300 ms late
    pacer.settle(dm("U1"), started=T0, arrived=T0 + timedelta(seconds=0.01))
    assert pacer.next_slot(dm("U1")) == T0 + timedelta(seconds=1.01 + ARRIVAL_MARGIN)


def test_without_slacks_word_on_the_arrival_the_next_send_waits_for_the_answer() -> None:
    clock = FakeClock(T0)
    pacer = Pacer(clock, {"slack": slack_limits(margin=0.0)})
    pacer.reserve(dm("U1"))
    clock.advance(timedelta(seconds=0.3))
    pacer.settle(dm("U1"), started=T0)
    assert pacer.next_slot(dm("U1")) == T0 + timedelta(seconds=1.3)


def test_an_arrival_time_outside_the_request_is_not_trusted() -> None:
    # Slack's clock far behind or ahead of ours: the next send waits for the answer, as when
    # nothing was reported, rather than trust a time the arrival cannot have had.
    clock = FakeClock(T0)
    pacer = Pacer(clock, {"slack": slack_limits(margin=0.0)})
    for user, arrived in (("U1", T0 - timedelta(seconds=5)), ("U2", T0 + timedelta(seconds=60))):
        pacer.reserve(dm(user))
        clock.advance(timedelta(seconds=0.3))
        pacer.settle(dm(user), started=clock.now() - timedelta(seconds=0.3), arrived=arrived)
        assert pacer.next_slot(dm(user)) == clock.now() + timedelta(seconds=1)


def test_ten_unsure_sends_are_looked_for_at_once_and_reads_stay_under_tier_3() -> None:
    # A dead replica's sends under way, each to someone whose DM channel is stored: each is
    # looked for in its conversation's history before it goes again.
    clock = FakeClock(T0)
    pacer = Pacer(clock)

    def unsure(i: int) -> Delivery:
        return Delivery(i, "slack", "T1", f"U{i}", "", {"channel": f"D{i}"}, Message("hi"),
                        maybe_sent=True)

    first = [pacer.reserve(unsure(i)) for i in range(10)]
    assert first == [T0] * 10  # none waits for another's read
    later = [pacer.reserve(unsure(i)) for i in range(10, 200)]
    reads = sorted(s for s in first + later if s is not None)
    for i, start in enumerate(reads):
        in_a_minute = [r for r in reads[i:] if r < start + timedelta(seconds=60)]
        assert len(in_a_minute) <= 50
