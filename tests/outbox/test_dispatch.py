"""The dispatcher against the limit-enforcing fake Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from adapters.slack.sender import SlackSender, make_client
from bot.bench.fake_slack import SlackLimitsFake
from core.clock import FakeClock
from core.events import Delivery
from core.models import OutboxMessage, OutboxStatus, Person
from core.outbox import enqueue_group
from core.outbox.dispatch import Dispatcher, backoff_bounds, slack_limits
from core.ui import Message
from tests.conftest import TEST_NOW
from tests.outbox.helpers import (
    advancing_sleep,
    as_utc,
    pending,
    queue_dms,
    rows,
    slack_people,
    texts_once,
)


def start() -> datetime:
    """A fake "now" just after the rows were queued (the sessions stamp them at TEST_NOW)."""
    return TEST_NOW + timedelta(seconds=1)


async def test_429s_delay_but_never_lose_double_or_burn_attempts(
        sessions: sessionmaker[Session], slack: SlackLimitsFake, sender: SlackSender) -> None:
    keys = queue_dms(sessions, slack_people(sessions, 5))
    slack.forced_429 = 7  # the first seven posts are refused, whatever the channel
    clock = FakeClock(start())
    dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock, sleep=advancing_sleep(clock))
    for _ in range(10):
        result = await dispatcher.run_once()
        if result.claimed == 0:
            if not pending(sessions):
                break
            clock.advance(timedelta(seconds=1))  # Retry-After: 1
    assert slack.rejected["chat.postMessage"] == 7
    assert texts_once(slack.texts(), keys)
    ts = {a.text: a.ts for a in slack.accepted}
    for row in rows(sessions):
        assert row.status is OutboxStatus.SENT
        assert row.attempts == 1  # two refusals did not count as attempts
        assert row.platform_message_id == ts[row.payload["text"]]


async def test_pacer_keeps_us_under_the_limit_and_without_it_we_get_429s(
        sessions: sessionmaker[Session]) -> None:
    people = slack_people(sessions, 4)
    others = {u: p for u, p in people.items() if u != "U1"}
    keys = queue_dms(sessions, {"U1": people["U1"]}, per_person=6) + queue_dms(sessions, others)
    with SlackLimitsFake(per_channel_per_second=20) as fake:  # 50 ms per channel: fast test
        sender = SlackSender(make_client("xoxb-test", fake.url))
        paced = Dispatcher(sessions, {"slack": sender},
                           limits={"slack": slack_limits(per_channel_per_second=20)})
        assert (await paced.run_until_idle()).sent == 9
        assert fake.rejected["chat.postMessage"] == 0
        assert texts_once(fake.texts(), keys)
        u1 = [a.at for a in fake.by_channel()["U1"]]
        assert all(b - a >= 0.05 for a, b in zip(u1, u1[1:], strict=False))
        # Other people's messages did not queue behind U1's six.
        assert max(fake.by_channel()[u][0].at for u in others) < u1[-1]

        # Control: the same burst unpaced provokes the 429s the pacer avoided.
        queue_dms(sessions, {"U1": people["U1"]}, per_person=6, tag="burst")
        await Dispatcher(sessions, {"slack": sender}, limits={}).run_once()
        assert fake.rejected["chat.postMessage"] > 0


async def test_permanent_failure_fails_that_row_and_the_rest_go_out(
        sessions: sessionmaker[Session], slack: SlackLimitsFake, sender: SlackSender) -> None:
    keys = queue_dms(sessions, slack_people(sessions, 3))
    slack.errors["U2"] = "account_inactive"
    dispatcher = Dispatcher(sessions, {"slack": sender})
    assert (await dispatcher.run_until_idle()).sent == 2
    assert texts_once(slack.texts(), [k for k in keys if ":U2:" not in k])
    by_key = {r.idempotency_key: r for r in rows(sessions)}
    failed = by_key["dm:U2:0"]
    assert failed.status is OutboxStatus.FAILED and failed.attempts == 1
    assert failed.last_error == "permanent: account_inactive"
    for key in ("dm:U1:0", "dm:U3:0"):
        assert by_key[key].status is OutboxStatus.SENT and by_key[key].platform_message_id


async def test_group_message_opens_one_conversation_and_posts_once(
        sessions: sessionmaker[Session]) -> None:
    people = slack_people(sessions, 3)
    with sessions() as s, s.begin():
        members = [s.get(Person, pid) for pid in people.values()]
        for key in ("intro:1", "intro:2"):
            [row] = enqueue_group(s, members, Message(key), key,  # type: ignore[arg-type]
                                  group_platforms={"slack"})
            assert row.group_person_ids == list(people.values())
    clock = FakeClock(start())
    # The fake enforces its limits on the same fake clock the dispatcher paces by.
    with SlackLimitsFake(clock=lambda: clock.now().timestamp()) as fake:
        sender = SlackSender(make_client("xoxb-test", fake.url))
        dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock,
                                sleep=advancing_sleep(clock))
        assert (await dispatcher.run_until_idle()).sent == 2
    # The second message reuses the cached conversation: one conversations.open in all.
    assert fake.opens == ["U1,U2,U3"]
    assert [(a.channel, a.text) for a in fake.accepted] == [("GU1U2U3", "intro:1"),
                                                            ("GU1U2U3", "intro:2")]
    assert fake.accepted[1].at - fake.accepted[0].at >= 1.0  # paced as one channel
    assert not fake.rejected
    assert all(r.status is OutboxStatus.SENT and r.platform_message_id for r in rows(sessions))


class FlakySender:
    """Fails the first call with a network-ish error, then succeeds."""

    supports_group_chat = False

    def __init__(self) -> None:
        self.calls = 0

    async def deliver(self, delivery: Delivery) -> str | None:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("reset by peer")
        return f"id-{delivery.outbox_id}"


async def test_transient_failure_backs_off_within_jitter_bounds(
        sessions: sessionmaker[Session]) -> None:
    queue_dms(sessions, slack_people(sessions, 1))
    clock = FakeClock(t0 := start())
    flaky = FlakySender()
    dispatcher = Dispatcher(sessions, {"slack": flaky}, clock=clock, rng=random.Random(1),
                            sleep=advancing_sleep(clock))
    result = await dispatcher.run_once()
    assert (result.claimed, result.sent, result.retrying) == (1, 0, 1)
    [row] = rows(sessions)
    assert row.status is OutboxStatus.PENDING and row.attempts == 1
    assert "reset by peer" in (row.last_error or "")
    low, high = backoff_bounds(1)
    due = as_utc(row.next_attempt_at) - t0
    assert timedelta(seconds=low) <= due <= timedelta(seconds=high)
    assert (await dispatcher.run_once()).claimed == 0  # not due yet
    clock.advance(timedelta(seconds=high))
    assert (await dispatcher.run_once()).sent == 1
    [row] = rows(sessions)
    assert row.status is OutboxStatus.SENT and row.attempts == 2
    assert row.platform_message_id == f"id-{row.id}"


class RecordingSender:
    """Notes the (fake) time of every send; never fails."""

    supports_group_chat = True

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sent: list[tuple[str, datetime]] = []

    async def deliver(self, delivery: Delivery) -> str | None:
        self.sent.append((delivery.message.text, self.clock.now()))
        return f"id-{delivery.outbox_id}"


async def test_a_burst_longer_than_the_lease_goes_out_paced_with_its_lease_renewed(
        sessions: sessionmaker[Session]) -> None:
    keys = queue_dms(sessions, slack_people(sessions, 1), per_person=10)
    clock = FakeClock(t0 := start())
    recorder = RecordingSender(clock)
    dispatcher = Dispatcher(sessions, {"slack": recorder}, clock=clock,
                            lease=timedelta(seconds=4), sleep=advancing_sleep(clock))
    result = await dispatcher.run_once()
    # Ten seconds of paced work on a 4 s lease: the lane renews what it still holds.
    assert (result.claimed, result.sent, result.deferred) == (10, 10, 0)
    assert [text for text, _ in recorder.sent] == keys  # in order, none twice
    times = [at for _, at in recorder.sent]
    assert times[0] == t0
    assert all(b - a >= timedelta(seconds=1) for a, b in zip(times, times[1:], strict=False))
    assert all(r.status is OutboxStatus.SENT and r.attempts == 1 for r in rows(sessions))


def _take_over(sessions: sessionmaker[Session], now: datetime) -> None:
    """Another worker claims the rows nobody is sending, as it would once their lease ran out."""
    with sessions() as s, s.begin():
        s.execute(update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING,
                                              OutboxMessage.sending_since.is_(None))
                  .values(next_attempt_at=now + timedelta(seconds=30)))


async def test_a_lane_whose_lease_was_taken_over_sends_nothing_more(
        sessions: sessionmaker[Session]) -> None:
    keys = queue_dms(sessions, slack_people(sessions, 1), per_person=4)
    clock = FakeClock(start())
    recorder = RecordingSender(clock)
    dispatcher = Dispatcher(sessions, {"slack": recorder}, clock=clock,
                            lease=timedelta(seconds=4), sleep=advancing_sleep(clock))

    class Stalled(RecordingSender):
        async def deliver(self, delivery: Delivery) -> str | None:
            # This worker stalls past its whole lease; another worker takes the rest over.
            clock.advance(timedelta(seconds=6))
            await asyncio.to_thread(_take_over, sessions, clock.now())
            return await super().deliver(delivery)

    dispatcher.senders["slack"] = Stalled(clock)
    result = await dispatcher.run_once()
    assert result.sent == 1 and [t for t, _ in dispatcher.senders["slack"].sent] == keys[:1]
    taken = [r for r in rows(sessions) if r.status is OutboxStatus.PENDING]
    assert len(taken) == 3  # left to the worker that holds them now, untouched by this one
