"""A send never outlives its lease: another worker may take the row the moment it ends."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.clock import FakeClock
from core.events import Delivery
from core.models import OutboxStatus
from core.outbox.dispatch import Dispatcher
from tests.conftest import TEST_NOW
from tests.outbox.helpers import advancing_sleep, queue_dms, rows, slack_people


class SilentPlatform:
    """Takes the message and never answers."""

    supports_group_chat = True

    async def deliver(self, delivery: Delivery) -> str | None:
        await asyncio.Event().wait()
        return None


async def test_a_send_with_no_answer_is_cut_off_within_the_lease_and_retried(
        sessions: sessionmaker[Session]) -> None:
    queue_dms(sessions, slack_people(sessions, 1))
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    dispatcher = Dispatcher(sessions, {"slack": SilentPlatform()}, clock=clock,
                            lease=timedelta(seconds=0.8), sleep=advancing_sleep(clock))
    result = await asyncio.wait_for(dispatcher.run_once(), timeout=10)
    assert (result.sent, result.retrying) == (0, 1)
    [row] = rows(sessions)
    assert row.status is OutboxStatus.PENDING and row.attempts == 1
    assert "OutcomeUnknown" in (row.last_error or "")


class SlowSlot:
    """Answers at once, but the dispatcher's only send slot is busy until the lease is gone."""

    supports_group_chat = True

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.got: list[str] = []

    async def deliver(self, delivery: Delivery) -> str | None:
        self.got.append(delivery.message.text)
        self.clock.advance(timedelta(seconds=5))  # this send took the whole lease
        return "ts"


async def test_a_row_whose_lease_ran_out_waiting_for_a_send_slot_is_handed_back(
        sessions: sessionmaker[Session]) -> None:
    queue_dms(sessions, slack_people(sessions, 2))
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    sender = SlowSlot(clock)
    dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock, max_in_flight=1,
                            lease=timedelta(seconds=4), sleep=advancing_sleep(clock))
    result = await dispatcher.run_once()
    assert (result.sent, result.deferred) == (1, 1)
    assert len(sender.got) == 1  # the second was not sent after its lease had ended
    waiting = [r for r in rows(sessions) if r.status is OutboxStatus.PENDING]
    assert len(waiting) == 1 and waiting[0].attempts == 0
