"""Replicas on one database take turns: migrations, planning, and a match's state."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.migrate import alembic_config
from core import coordination
from core.db import make_engine, make_session_factory
from core.models import EndReason, Match, MatchEvent, MatchStatus, OutboxMessage, Person
from core.outbox import enqueue
from core.relationships import lifecycle
from core.ui import Message
from tests.relationships.helpers import build_world

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2027, 3, 1, 9, tzinfo=UTC)  # a Monday morning: introductions are due


def _postgres_only(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite is one process with one writer at a time (BEGIN IMMEDIATE)")


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def test_replicas_starting_together_migrate_once(db_url: str) -> None:
    _postgres_only(db_url)
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    replicas = [subprocess.Popen([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env,
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True) for _ in range(4)]
    outputs = [(p.wait(timeout=120), p.stdout.read() if p.stdout else "") for p in replicas]
    assert [code for code, _ in outputs] == [0, 0, 0, 0], outputs
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars() \
                .all() == [_head()]
    finally:
        engine.dispose()


def test_one_replica_plans_at_a_time(db_url: str, sessions: sessionmaker[Session]) -> None:
    _postgres_only(db_url)
    world = build_world(sessions, START, [("ana", "ben")], {"ana": "UTC", "ben": "UTC"})
    other = make_engine(db_url)
    try:
        with other.begin() as conn:  # another replica is planning right now
            assert coordination.try_turn(conn, coordination.PLANNER)
            assert world.bot.tick() == 0
            with sessions() as s:
                assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert world.bot.tick() == 2  # its turn over, the introductions go out once
        assert world.bot.tick() == 0
    finally:
        other.dispose()


def test_a_conflicting_tick_loses_only_that_item(sessions: sessionmaker[Session], monkeypatch,
                                                 db_url: str) -> None:  # type: ignore[no-untyped-def]
    world = build_world(sessions, START, [("ana", "ben"), ("cleo", "dev")],
                        {n: "UTC" for n in ("ana", "ben", "cleo", "dev")})
    first = world.matches[0]
    with sessions() as s, s.begin():  # what another writer queued a moment ago
        match = s.get(Match, first)
        mentor = s.get(Person, match.mentor_id) if match else None
        assert match is not None and mentor is not None
        enqueue.enqueue_dm(s, mentor, Message("introduction queued by another replica"),
                           f"intro:{first}:{mentor.id}")
    real_exists = enqueue._exists
    # This replica checked before the other one wrote: it does not see that row.
    monkeypatch.setattr(enqueue, "_exists",
                        lambda s, key: False if key.startswith(f"intro:{first}:") else
                        real_exists(s, key))
    queued = world.bot.tick()
    with sessions() as s:
        by_match = dict(s.execute(select(OutboxMessage.match_id, func.count())
                                  .where(OutboxMessage.kind == "intro")
                                  .group_by(OutboxMessage.match_id)).all())
    assert queued == 2 and by_match == {world.matches[1]: 2}  # the other pair was introduced
    monkeypatch.setattr(enqueue, "_exists", real_exists)
    assert world.bot.tick() == 1  # next tick: the lost item again, minus what was there


def test_two_replicas_ending_one_match_record_one_end(db_url: str,
                                                      sessions: sessionmaker[Session]) -> None:
    _postgres_only(db_url)
    world = build_world(sessions, START, [("ana", "ben")], {"ana": "UTC", "ben": "UTC"})
    match_id = world.matches[0]
    second = make_session_factory(make_engine(db_url))
    outcome: list[str] = []
    with sessions() as first_session, first_session.begin():
        mine = first_session.get(Match, match_id)
        assert mine is not None and mine.status is MatchStatus.ACTIVE

        def other_replica() -> None:
            with second() as s, s.begin():
                theirs = s.get(Match, match_id)
                assert theirs is not None and theirs.status is MatchStatus.ACTIVE
                try:
                    lifecycle.end(s, theirs, EndReason.COMPLETED, now=START)
                    outcome.append("ended")
                except lifecycle.TransitionError:
                    outcome.append("refused")

        lifecycle.end(first_session, mine, EndReason.ENDED_EARLY, now=START)
        thread = threading.Thread(target=other_replica)
        thread.start()  # it waits on our row lock until we commit
        # A sleep, not join(timeout): under faketime a wait that must time out never does.
        time.sleep(0.5)
    thread.join(timeout=30)
    assert outcome == ["refused"]
    with sessions() as s:
        ends = s.scalars(select(MatchEvent.reason).where(MatchEvent.match_id == match_id,
                                                         MatchEvent.to_status == "ended")).all()
    assert ends == [EndReason.ENDED_EARLY.value]
    second.kw["bind"].dispose()
