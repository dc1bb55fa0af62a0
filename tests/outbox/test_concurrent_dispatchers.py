"""Three dispatchers, each with its own engine and event loop, drain one PostgreSQL outbox,
pacing together through the database and sending each person's messages in order."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy.orm import Session, sessionmaker

from adapters.slack.sender import SlackSender, make_client
from bot.bench.fake_slack import SlackLimitsFake
from core.clock import RunningClock
from core.db import make_engine, make_session_factory
from core.models import OutboxStatus
from core.outbox.dispatch import Dispatcher
from core.outbox.shared_pace import SharedPacer
from tests.conftest import PG_URL, TEST_NOW
from tests.outbox.helpers import pending, queue_dms, rows, slack_people

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")

DEADLINE_SECONDS = 45.0


def run_dispatcher(db_url: str, api_url: str, sent: list[int], errors: list[BaseException],
                   start: threading.Barrier) -> None:
    """One worker process's life, in a thread: its own engine, loop, client and pacer."""
    engine = make_engine(db_url)
    # Real elapsed time (the fake Slack measures it), from the test's fixed instant.
    factory = make_session_factory(engine, RunningClock(TEST_NOW))

    async def drain() -> None:
        dispatcher = Dispatcher(factory, {"slack": SlackSender(make_client("xoxb", api_url))},
                                pacer=SharedPacer(factory))
        deadline = time.monotonic() + DEADLINE_SECONDS
        start.wait()
        while pending(factory):
            assert time.monotonic() < deadline, "outbox not drained in time"
            result = await dispatcher.run_once()
            sent.append(result.sent)
            if result.claimed == 0:
                await asyncio.sleep(0.05)  # the rest is leased to others or waits on a 429

    try:
        asyncio.run(drain())
    except BaseException as exc:  # noqa: BLE001 - reported by the test thread
        errors.append(exc)
    finally:
        engine.dispose()


def test_three_dispatchers_send_every_row_exactly_once(
        db_url: str, sessions: sessionmaker[Session]) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED claiming is PostgreSQL's")
    # 100 people x 3 messages: without shared pacing and per-conversation claims the
    # dispatchers would send to one person at once, collide, draw 429s and reorder messages.
    keys = queue_dms(sessions, slack_people(sessions, 100), per_person=3)
    assert len(keys) == 300
    with SlackLimitsFake() as fake:
        sent: list[list[int]] = [[], [], []]
        errors: list[BaseException] = []
        barrier = threading.Barrier(3)
        threads = [threading.Thread(target=run_dispatcher,
                                    args=(db_url, fake.url, sent[i], errors, barrier))
                   for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(DEADLINE_SECONDS + 15)
        assert not any(t.is_alive() for t in threads)
        assert errors == []
    counts = fake.by_channel()
    assert sorted(fake.texts()) == sorted(keys)  # every message, none twice
    assert fake.duplicates() == 0
    assert all(len(counts[f"U{i}"]) == 3 for i in range(1, 101))
    arrived = {u: [a.text for a in accepted] for u, accepted in counts.items()}
    assert all(texts == sorted(texts, key=lambda t: int(t.rsplit(":", 1)[1]))
               for texts in arrived.values())  # each person's three arrived in queue order
    # Slack's limit held across replicas; a stray 429 from network timing is tolerated.
    assert fake.rejected["chat.postMessage"] <= 3
    assert sum(map(sum, sent)) == 300
    assert sum(1 for s in sent if sum(s)) >= 2  # the work really was shared
    final = rows(sessions)
    assert all(r.status is OutboxStatus.SENT and r.attempts == 1 for r in final)
    assert len({r.platform_message_id for r in final}) == 300
