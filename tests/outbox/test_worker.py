"""The app's outbox worker: between ticks, rows that fall due without a kick still go out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from adapters.slack.sender import SlackSender
from bot.bench.fake_slack import SlackLimitsFake
from bot.delivery import OutboxWorker
from core.clock import FakeClock
from core.models import OutboxMessage
from tests.conftest import TEST_NOW
from tests.outbox.helpers import queue_dms, slack_people


async def test_an_idle_worker_sends_a_row_that_falls_due_without_a_kick(
        sessions: sessionmaker[Session], slack: SlackLimitsFake, sender: SlackSender) -> None:
    # Another replica handed it back, due in a minute: nothing here kicks when that comes.
    [key] = queue_dms(sessions, slack_people(sessions, 1))
    clock = FakeClock(TEST_NOW)
    with sessions() as s, s.begin():
        s.execute(update(OutboxMessage).values(next_attempt_at=TEST_NOW + timedelta(minutes=1)))
    worker = OutboxWorker(sessions, clock=clock)
    worker.register("slack", sender)
    worker.watch(every=0.01)
    try:
        await asyncio.sleep(0.2)
        assert slack.accepted == []  # not due yet
        clock.advance(timedelta(minutes=1))
        for _ in range(500):
            if slack.accepted:
                break
            await asyncio.sleep(0.01)
        assert [a.text for a in slack.accepted] == [key]
    finally:
        await worker.drain()
    assert worker._watcher is None  # drained: no task left looking
