"""Slack messages go out over a kept-alive connection, not a new one (and, on real Slack, a
new TLS handshake) per message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from adapters.slack.sender import SlackSender, make_client
from bot.bench.fake_slack import SlackLimitsFake
from core.clock import FakeClock
from core.models import OutboxStatus
from core.outbox.dispatch import Dispatcher
from tests.conftest import TEST_NOW
from tests.outbox.helpers import advancing_sleep, queue_dms, rows, slack_people


@pytest.fixture
def slack() -> Iterator[SlackLimitsFake]:
    """A fake without the per-second limit: the test's clock is fixed, Slack's is not."""
    with SlackLimitsFake(per_channel_per_second=1000) as fake:
        yield fake


@pytest.fixture
def sender(slack: SlackLimitsFake) -> SlackSender:
    return SlackSender(make_client("xoxb-test", slack.url))


async def test_a_run_of_messages_shares_one_connection_until_the_sender_closes(
        sessions: sessionmaker[Session], slack: SlackLimitsFake, sender: SlackSender) -> None:
    people = slack_people(sessions, 6)
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock,
                            sleep=advancing_sleep(clock))
    queue_dms(sessions, people)
    await dispatcher.run_until_idle()
    for round_ in range(2):
        clock.advance(timedelta(seconds=2))  # past each conversation's pacing
        queue_dms(sessions, people, tag=f"again{round_}")
        await dispatcher.run_until_idle()
    assert [r.status for r in rows(sessions)] == [OutboxStatus.SENT] * 18
    assert len(slack.accepted) == 18
    # Sends to six people may overlap, so up to six connections are open at once; a
    # connection per message would be eighteen.
    opened = slack.connections()
    assert opened <= len(people)
    await sender.close()
    clock.advance(timedelta(seconds=2))
    queue_dms(sessions, people, tag="after")
    await dispatcher.run_until_idle()
    assert len(slack.accepted) == 24  # a closed sender opens a new session when used again
    assert slack.connections() > opened
    await sender.close()
