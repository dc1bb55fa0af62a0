"""A retry whose first try may have landed looks for it before posting again (Slack)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from adapters.slack.sender import SlackSender, make_client
from bot.bench.fake_slack import SlackLimitsFake
from core.clock import FakeClock
from core.models import OutboxStatus, PlatformIdentity
from core.outbox.dispatch import Dispatcher
from core.outbox.lease import claim_leased, release
from tests.conftest import TEST_NOW
from tests.outbox.helpers import advancing_sleep, queue_dms, rows, slack_people


async def _deliver_until_done(dispatcher: Dispatcher, clock: FakeClock,
                              sessions: sessionmaker[Session]) -> None:
    for _ in range(10):
        await dispatcher.run_until_idle()
        if all(r.status is not OutboxStatus.PENDING for r in rows(sessions)):
            return
        clock.advance(timedelta(minutes=5))  # past any backoff


async def test_a_message_that_landed_while_we_timed_out_is_not_posted_again(
        sessions: sessionmaker[Session], slack: SlackLimitsFake, sender: SlackSender) -> None:
    [key] = queue_dms(sessions, slack_people(sessions, 1))
    slack.answer_delay = 1.5  # Slack takes the message, then answers after we gave up
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock,
                            lease=timedelta(seconds=1.2), sleep=advancing_sleep(clock))
    first = await dispatcher.run_once()
    assert (first.sent, first.retrying) == (0, 1) and [a.text for a in slack.accepted] == [key]
    slack.answer_delay = 0
    await _deliver_until_done(dispatcher, clock, sessions)
    [row] = rows(sessions)
    assert row.status is OutboxStatus.SENT
    assert [a.text for a in slack.accepted] == [key]  # found in the history, not sent twice
    assert row.platform_message_id == slack.accepted[0].ts
    assert slack.history_reads == 1


async def test_a_message_slack_refused_is_sent_again_without_looking_back(
        sessions: sessionmaker[Session], slack: SlackLimitsFake, sender: SlackSender) -> None:
    [key] = queue_dms(sessions, slack_people(sessions, 1))
    slack.errors["U1"] = "internal_error"  # refused: nothing was posted
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock,
                            sleep=advancing_sleep(clock))
    assert (await dispatcher.run_once()).retrying == 1
    del slack.errors["U1"]
    await _deliver_until_done(dispatcher, clock, sessions)
    assert [a.text for a in slack.accepted] == [key]
    assert slack.accepted[0].metadata == {"event_type": "mentorbot_outbox",
                                          "event_payload": {"key": key}}
    assert slack.history_reads == 0  # Slack answered the first time: nothing to look for


async def test_a_row_that_may_have_landed_still_looks_first_after_being_handed_back(
        sessions: sessionmaker[Session]) -> None:
    [key] = queue_dms(sessions, slack_people(sessions, 1))
    with SlackLimitsFake(per_channel_per_second=1000) as slack:  # no rate limit in the way
        await _hand_back_and_deliver(sessions, slack, key)


async def _hand_back_and_deliver(sessions: sessionmaker[Session], slack: SlackLimitsFake,
                                 key: str) -> None:
    sender = SlackSender(make_client("xoxb-test", slack.url))
    slack.answer_delay = 1.5  # it lands, but the answer comes too late
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock,
                            lease=timedelta(seconds=1.2), sleep=advancing_sleep(clock))
    await dispatcher.run_once()
    slack.answer_delay = 0
    # The next holder can't send it in time (its conversation is held back) and hands it
    # back: the mark that an earlier send may have landed must survive that.
    clock.advance(timedelta(minutes=5))
    [claimed], lease_until = claim_leased(sessions, ["slack"], now=clock.now(),
                                          lease=timedelta(seconds=30))
    assert claimed.maybe_sent
    assert release(sessions, claimed.outbox_id, when=clock.now(), lease_until=lease_until,
                   keep_mark=claimed.maybe_sent)
    await _deliver_until_done(dispatcher, clock, sessions)
    assert [a.text for a in slack.accepted] == [key]  # looked, found, not sent twice
    assert [r.status for r in rows(sessions)] == [OutboxStatus.SENT]


async def test_an_unsure_dm_is_looked_for_without_opening_the_conversation(
        sessions: sessionmaker[Session]) -> None:
    # conversations.open is Tier 3: after a crash every unsure row would spend one on it.
    with SlackLimitsFake(per_channel_per_second=1000) as slack:  # no rate limit in the way
        await _unsure_dm(sessions, slack)


async def _unsure_dm(sessions: sessionmaker[Session], slack: SlackLimitsFake) -> None:
    people = slack_people(sessions, 1)
    [first] = queue_dms(sessions, people, tag="first")
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    dispatcher = Dispatcher(sessions, {"slack": SlackSender(make_client("xoxb", slack.url))},
                            clock=clock, lease=timedelta(seconds=1.2),
                            sleep=advancing_sleep(clock))
    assert (await dispatcher.run_once()).sent == 1  # Slack answered with the DM's channel
    with sessions() as s:
        assert s.scalars(select(PlatformIdentity.conversation_ref)).one() == {"channel": "DU1"}
    [second] = queue_dms(sessions, people, tag="second")
    slack.answer_delay = 1.5  # it lands, but the answer comes after we gave up
    clock.advance(timedelta(seconds=5))
    assert (await dispatcher.run_once()).retrying == 1
    slack.answer_delay = 0
    # A replica that never sent to them (a fresh sender: nothing in memory) retries it.
    dispatcher.senders["slack"] = SlackSender(make_client("xoxb", slack.url))
    await _deliver_until_done(dispatcher, clock, sessions)
    assert [a.text for a in slack.accepted] == [first, second]  # found, not sent twice
    assert slack.history_reads == 1 and slack.opens == []


async def test_an_answer_heard_while_the_database_was_away_is_recorded_when_it_is_back(
        sessions: sessionmaker[Session], slack: SlackLimitsFake, sender: SlackSender,
        monkeypatch: pytest.MonkeyPatch) -> None:
    [key] = queue_dms(sessions, slack_people(sessions, 1))
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock,
                            sleep=advancing_sleep(clock))

    def outage(*_args: object, **_kwargs: object) -> bool:
        raise OperationalError("UPDATE outbox", {}, Exception("server closed the connection"))

    with monkeypatch.context() as patch:
        patch.setattr("core.outbox.dispatch.record_outcome", outage)
        with pytest.raises(OperationalError):
            await dispatcher.run_until_idle()
    assert [a.text for a in slack.accepted] == [key]
    await dispatcher.run_until_idle()  # the database is back
    [row] = rows(sessions)
    assert row.status is OutboxStatus.SENT and row.platform_message_id == slack.accepted[0].ts
    assert row.sending_since is None  # known to have landed: nobody needs to look for it
    assert slack.history_reads == 0 and len(slack.accepted) == 1
