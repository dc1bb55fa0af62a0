"""A dispatcher killed between claim and send: its row is resent once, after the lease."""

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
from core.models import OutboxStatus
from core.outbox.dispatch import LEASE, Dispatcher
from tests.outbox.helpers import as_utc, queue_dms, rows, slack_people

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


async def test_killed_worker_row_is_resent_exactly_once_after_the_lease(
        db_url: str, sessions: sessionmaker[Session], slack: SlackLimitsFake,
        sender: SlackSender, clock: FakeClock) -> None:
    [key] = queue_dms(sessions, slack_people(sessions, 1))
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


