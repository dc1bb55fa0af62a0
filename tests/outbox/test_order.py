"""A person reads messages in the order they were queued, however many workers send them."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FakeClock
from core.events import Delivery
from core.models import OutboxStatus
from core.outbox.dispatch import Dispatcher
from tests.conftest import TEST_NOW
from tests.outbox.helpers import advancing_sleep, pending, queue_dms, rows, slack_people


class GatedSender:
    """Records arrivals; holds the first send until the test opens the gate, and fails the
    sends whose text is in ``fail_once`` the first time they come."""

    supports_group_chat = True

    def __init__(self, fail_once: set[str] | None = None) -> None:
        self.got: list[str] = []
        self.gate = asyncio.Event()
        self.first_arrived = asyncio.Event()
        self.fail_once = set(fail_once or ())

    async def deliver(self, delivery: Delivery) -> str | None:
        text = delivery.message.text
        if text in self.fail_once:
            self.fail_once.discard(text)
            raise RuntimeError("Slack answered 500")
        self.first_arrived.set()
        await self.gate.wait()
        self.got.append(text)
        return f"ts-{delivery.outbox_id}"


async def test_while_one_worker_sends_to_a_person_another_takes_nothing_of_theirs(
        sessions: sessionmaker[Session]) -> None:
    people = slack_people(sessions, 2)
    ana = queue_dms(sessions, {"U1": people["U1"]}, per_person=3, tag="ana")
    ben = queue_dms(sessions, {"U2": people["U2"]}, per_person=1, tag="ben")
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    first, second = GatedSender(), GatedSender()
    second.gate.set()
    replica_a = Dispatcher(sessions, {"slack": first}, clock=clock, batch=2,
                           sleep=advancing_sleep(clock))
    replica_b = Dispatcher(sessions, {"slack": second}, clock=clock,
                           sleep=advancing_sleep(clock))
    sending = asyncio.create_task(replica_a.run_once())  # claims Ana's first two
    await first.first_arrived.wait()
    taken = await replica_b.run_once()  # Ana's third must wait behind the two in flight
    assert taken.claimed == 1 and second.got == ben
    first.gate.set()
    await sending
    for _ in range(5):
        await replica_b.run_until_idle()
        await replica_a.run_until_idle()
        if not pending(sessions):
            break
        clock.advance(timedelta(seconds=2))
    assert first.got + [t for t in second.got if t.startswith("ana")] == ana
    assert sorted(first.got + second.got) == sorted(ana + ben)


async def test_a_message_that_must_be_retried_holds_back_the_ones_after_it(
        sessions: sessionmaker[Session]) -> None:
    people = slack_people(sessions, 2)
    ana = queue_dms(sessions, {"U1": people["U1"]}, per_person=3, tag="ana")
    ben = queue_dms(sessions, {"U2": people["U2"]}, per_person=2, tag="ben")
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    sender = GatedSender(fail_once={ana[0]})
    sender.gate.set()
    dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock,
                            sleep=advancing_sleep(clock))
    first = await dispatcher.run_once()
    assert sender.got == ben  # Ben is not held up by Ana's trouble
    assert (first.retrying, first.deferred) == (1, 2)  # Ana's two others wait behind her first
    waiting = [r for r in rows(sessions) if r.payload["text"] in ana]
    assert all(r.status is OutboxStatus.PENDING and r.sent_at is None for r in waiting)
    assert [r.attempts for r in waiting] == [1, 0, 0]  # handing back costs no attempt
    for _ in range(20):
        await dispatcher.run_until_idle()
        if not pending(sessions):
            break
        clock.advance(timedelta(seconds=2))
    assert sender.got == ben + ana  # Ana's three arrive once each, in the order queued


async def test_people_a_full_claim_left_out_are_not_kept_waiting_for_the_next_claim(
        sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    people = slack_people(sessions, 2)
    ana = queue_dms(sessions, {"U1": people["U1"]}, per_person=2, tag="ana")
    ben = queue_dms(sessions, {"U2": people["U2"]}, per_person=1, tag="ben")
    # Left to the periodic claim, Ben would wait for as long as Ana's message is out.
    monkeypatch.setattr("core.outbox.dispatch.CLAIM_EVERY", 3600.0)
    clock = FakeClock(TEST_NOW + timedelta(seconds=1))
    got: list[str] = []
    ben_got = asyncio.Event()
    release_ana = asyncio.Event()

    class HoldsAna:
        supports_group_chat = True

        async def deliver(self, delivery: Delivery) -> str | None:
            if delivery.user_id == "U1":
                await release_ana.wait()
            else:
                ben_got.set()
            got.append(delivery.message.text)
            return f"ts-{delivery.outbox_id}"

    # A batch of two holds only Ana's two messages, the oldest.
    dispatcher = Dispatcher(sessions, {"slack": HoldsAna()}, clock=clock, batch=2,
                            sleep=advancing_sleep(clock))
    sending = asyncio.create_task(dispatcher.run_until_idle())
    await asyncio.wait_for(ben_got.wait(), timeout=30)  # a safety net, not a timing
    assert got == ben  # while Ana's first message is still out
    release_ana.set()
    result = await sending
    assert got == ben + ana and result.sent == 3
