"""A dispatcher killed between claim and send: its rows are resent once, after a short lease."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from adapters.slack.sender import SlackSender
from bot.bench.fake_slack import SlackLimitsFake
from core.clock import FakeClock
from core.events import Delivery
from core.models import OutboxStatus
from core.outbox.dispatch import LEASE, Dispatcher
from tests.outbox.helpers import advancing_sleep, as_utc, queue_dms, rows, slack_people

ROOT = Path(__file__).resolve().parents[2]


def wait_for_claim(sessions: sessionmaker[Session], child: subprocess.Popen[bytes],
                   timeout: float = 30.0) -> None:
    """Poll until the child has claimed the row and started sending it, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = rows(sessions)[0]
        if row.attempts == 1 and row.sending_since is not None:
            return
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        time.sleep(0.05)
    raise AssertionError("the child never claimed the row")


def kill_after_its_claim(db_url: str, sessions: sessionmaker[Session], clock: FakeClock) -> None:
    """Start a worker in a process of its own at the test's instant, and kill -9 it once it
    has claimed rows and started a send."""
    child = subprocess.Popen([sys.executable, "-m", "tests.outbox.crash_child", db_url,
                              clock.now().isoformat()],
                             cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                             stderr=subprocess.PIPE)
    try:
        wait_for_claim(sessions, child)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL


async def test_killed_worker_row_is_resent_exactly_once_after_the_lease(
        db_url: str, sessions: sessionmaker[Session], slack: SlackLimitsFake,
        sender: SlackSender, clock: FakeClock) -> None:
    [key] = queue_dms(sessions, slack_people(sessions, 1))
    kill_after_its_claim(db_url, sessions, clock)
    [row] = rows(sessions)
    assert row.status is OutboxStatus.PENDING and row.attempts == 1
    leased_until = as_utc(row.next_attempt_at)

    # While the dead worker's lease runs, nobody else may take the row.
    now = clock.now()
    assert leased_until > now + LEASE - timedelta(seconds=30)
    assert (await Dispatcher(sessions, {"slack": sender}).run_once()).claimed == 0
    assert slack.accepted == []

    # Once it has run out, a fresh dispatcher sends it: once.
    later = FakeClock(leased_until + timedelta(seconds=1))
    result = await Dispatcher(sessions, {"slack": sender}, clock=later).run_once()
    assert (result.claimed, result.sent) == (1, 1)
    assert [a.text for a in slack.accepted] == [key]
    assert slack.history_reads == 1  # the dead worker's send had started: looked first
    [row] = rows(sessions)
    assert row.status is OutboxStatus.SENT and row.attempts == 2
    assert row.platform_message_id == slack.accepted[0].ts
    assert (await Dispatcher(sessions, {"slack": sender}, clock=later).run_once()).claimed == 0


class Recorder:
    """Answers at once and notes what it was given, in order."""

    supports_group_chat = True

    def __init__(self) -> None:
        self.got: list[str] = []

    async def deliver(self, delivery: Delivery) -> str | None:
        self.got.append(delivery.message.text)
        return f"ts-{delivery.outbox_id}"


async def test_every_row_a_killed_replica_held_goes_out_within_30_seconds_once_in_order(
        db_url: str, sessions: sessionmaker[Session], clock: FakeClock) -> None:
    # Two people, four messages each: the dead worker held all eight (a lane's rows wait
    # behind the send that hung), not just the two it had started.
    keys = queue_dms(sessions, slack_people(sessions, 2), per_person=4)
    kill_after_its_claim(db_url, sessions, clock)
    killed_at = clock.now()  # the child ran at this instant
    held = rows(sessions)
    assert all(r.attempts == 1 and r.status is OutboxStatus.PENDING for r in held)
    free_at = max(as_utc(r.next_attempt_at) for r in held)
    assert free_at - killed_at <= timedelta(seconds=30)  # a short lease, not minutes

    # Before then nobody may take them; once free, another worker sends each once, in order.
    recorder = Recorder()
    early = FakeClock(free_at - timedelta(seconds=1))
    assert (await Dispatcher(sessions, {"slack": recorder}, clock=early).run_once()) \
        .claimed == 0
    later = FakeClock(free_at + timedelta(seconds=1))
    result = await Dispatcher(sessions, {"slack": recorder}, clock=later,
                              sleep=advancing_sleep(later)).run_until_idle()
    assert result.sent == 8
    assert sorted(recorder.got) == sorted(keys)
    for person in ("U1", "U2"):
        mine = [k for k in keys if f":{person}:" in k]
        assert [k for k in recorder.got if k in mine] == mine
    assert all(r.status is OutboxStatus.SENT and r.attempts == 2 for r in rows(sessions))


class Killed(Exception):
    """The process died (kill -9) while the dispatcher waited."""


async def test_a_worker_killed_while_waiting_for_a_slot_leaves_no_row_looking_sent(
        sessions: sessionmaker[Session], sender: SlackSender, slack: SlackLimitsFake) -> None:
    # Each row left looking as if it may have gone out costs a Tier 3 history read before it
    # can go again; a replica dies mostly while waiting for its conversations' next slots.
    queue_dms(sessions, slack_people(sessions, 1), per_person=2)
    clock = FakeClock(rows(sessions)[0].created_at + timedelta(seconds=1))
    advance = advancing_sleep(clock)

    async def sleep(seconds: float) -> None:
        if seconds > 0.5:  # waiting for the second message's slot: killed here
            raise Killed
        await advance(seconds)

    dispatcher = Dispatcher(sessions, {"slack": sender}, clock=clock, sleep=sleep)
    try:
        await dispatcher.run_until_idle()
    except Killed:
        pass
    first, second = rows(sessions)
    assert first.status is OutboxStatus.SENT and [a.text for a in slack.accepted] == [
        first.idempotency_key]
    assert second.status is OutboxStatus.PENDING and second.sending_since is None
