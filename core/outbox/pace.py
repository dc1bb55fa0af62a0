"""Pacing: token buckets per workspace, target and Slack method tier, so sends stay under the
platforms' rate limits instead of provoking 429s."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.clock import Clock, SystemClock
from core.events import Delivery


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
    # Reading a conversation's recent history before re-sending a row whose first try may
    # have landed (Slack conversations.history, Tier 3 like conversations.open).
    read_history: Rate | None = None


def slack_limits(per_channel_per_second: float = 1.0, margin: float = 0.01) -> PlatformLimits:
    """Slack's documented limits, with ``margin`` headroom (a fraction of the interval).

    chat.postMessage: about one message per second per channel. conversations.open: Tier 3,
    50 per minute per workspace; a burst of 5 plus 44 per minute stays under 50 in any minute.
    conversations.history, Tier 3 too, is read in bursts: after a replica dies, each of the
    sends it had under way is looked for at once (about ten at a hundred messages a second),
    and with a burst of 5 the last waited its turn 8 s longer. A burst of 10 plus 39 a
    minute also stays under 50 in any minute.
    """
    return PlatformLimits(
        per_target=Rate(interval=(1.0 + margin) / per_channel_per_second, burst=1),
        open_conversation=Rate(interval=60.0 / 44, burst=5),
        read_history=Rate(interval=60.0 / 39, burst=10),
    )


# The platform counts arrivals, and an arrival can lag its request's start by anything from
# 1 ms to 400 ms on a busy machine (measured: the event loop, connecting, the scheduler), so
# the next send cannot be paced from the previous one's start with any small margin. Slack
# says when it took a message (its ts). The next send to that conversation may start one
# interval after that arrival plus this margin, for the two clocks' difference (NTP keeps
# it to milliseconds); and never before the previous answer (one request in flight per
# conversation). Pacing from the answer alone adds the whole answer time to every
# interval: a Slack answering in 300 ms got 1.3 s between messages, not 1.
ARRIVAL_MARGIN = 0.03


def next_allowed(answered: float, interval: float, started: float | None = None,
                 arrived: float | None = None) -> float:
    """When the next send to a target may start (POSIX seconds), after a request that went
    out at ``started`` reached the platform at ``arrived`` (by the platform's clock) and was
    answered at ``answered``.

    One interval after the answer is always safe (the arrival came before it). With the
    request's start and the platform's arrival time, one interval after the arrival plus
    ``ARRIVAL_MARGIN``, when that is sooner; but only if the arrival falls between our start
    and our answer, where it really happened: one outside says the clocks disagree, and the
    answer is the only safe bound left.
    """
    by_answer = answered + interval
    if started is None or arrived is None or not started <= arrived <= answered:
        return by_answer
    return min(by_answer, arrived + interval + ARRIVAL_MARGIN)


DEFAULT_LIMITS: dict[str, PlatformLimits] = {
    "slack": slack_limits(),
    # Bot Framework: 7 per second, 8 per 2 s and 60 per 30 s per conversation; 5 at once then
    # one per 0.6 s stays under all three. Web chat is in-process and needs no pacing.
    "teams": PlatformLimits(per_target=Rate(interval=0.6, burst=5)),
}

PaceKey = tuple[str, ...]


def _seconds(*moments: datetime | None) -> tuple[float | None, ...]:
    return tuple(m.timestamp() if m is not None else None for m in moments)


def target_of(delivery: Delivery) -> PaceKey:
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
    target = target_of(delivery)[2]
    # A group chat is opened before posting, and so is a DM whose earlier try may have landed
    # when its channel is not stored yet (history is read by channel id): both draw on the
    # rate-limited open method. Conservative: the sender may have the chat cached.
    known_channel = bool((delivery.conversation_ref or {}).get("channel"))
    needs_open = bool(delivery.group_user_ids) or (
        delivery.maybe_sent and bool(delivery.user_id) and not known_channel)
    if needs_open and platform_limits.open_conversation is not None:
        buckets.append(((delivery.platform, tenant, "conversations.open"),
                        platform_limits.open_conversation))
    if delivery.maybe_sent and platform_limits.read_history is not None:
        buckets.append(((delivery.platform, tenant, "conversations.history"),
                        platform_limits.read_history))
    if platform_limits.per_target is not None:
        buckets.append(((delivery.platform, tenant, "post", target), platform_limits.per_target))
    return buckets


class Pacer:
    """Per-key token buckets (GCRA) on a :class:`Clock`; slots are reserved, never waited on.

    ``reserve`` books the earliest slot every bucket allows and returns it, so concurrent
    callers to one key are spread ``interval`` apart while other keys are not held up. It is
    meant for one event loop (no locking): one pacer per dispatcher process.
    """

    blocking = False  # its calls are in memory; SharedPacer's go to the database

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

    def settle(self, delivery: Delivery, started: datetime | None = None,
               arrived: datetime | None = None) -> None:
        """A send to ``delivery``'s target just got its answer: the next one not before
        :func:`next_allowed` (``started``, ``arrived``: what the sender reported, if it did).

        The platform counts arrivals, and ours vary with latency: the slot booked before the
        send alone could land two arrivals closer than the limit.
        """
        now = self.clock.now().timestamp()
        for key, rate in pace_buckets(delivery, self.limits):
            self._tat[key] = max(self._tat.get(key, now),
                                 next_allowed(now, rate.interval, *_seconds(started, arrived)))

    def after_answer(self, delivery: Delivery, hold: float | None = None,
                     started: datetime | None = None,
                     arrived: datetime | None = None) -> Callable[[Any], None] | None:
        """The platform answered ``delivery`` (with a 429 asking to wait ``hold`` seconds):
        settle, and hold. Returns work for the outcome's transaction, if any (none here)."""
        self.settle(delivery, started, arrived)
        if hold is not None:
            self.hold(delivery, hold)
        return None

    def hold(self, delivery: Delivery, seconds: float) -> None:
        """The platform said 429: send nothing more to this delivery's target for a while."""
        until = self.clock.now().timestamp() + seconds
        for key, rate in pace_buckets(delivery, self.limits):
            # The first slot is tat - (burst-1)*interval: push tat so that lands on ``until``.
            held = until + (rate.burst - 1) * rate.interval
            self._tat[key] = max(self._tat.get(key, held), held)
