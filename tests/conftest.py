"""Shared fixtures: every database test runs on SQLite and, with TEST_DATABASE_URL, PostgreSQL.

Time is injected: the ``clock`` fixture is a fake clock fixed at ``TEST_NOW`` and the sessions
stamp rows with it. Any read of the system clock fails the test (see ``_no_wall_clock``), so
the suite passes at any hour of any day; CI proves it by running under faketime.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.migrate import upgrade
from core.clock import FakeClock, SystemClock
from core.db import make_engine, make_session_factory
from core.mentorbot import Mentorbot

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

TEST_NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)  # a Wednesday noon: everyone's workday


@pytest.fixture(autouse=True)
def _no_wall_clock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test whose code reads the system clock instead of an injected one.

    Only tests marked ``wall_clock`` (real processes, real sockets) may read it, and those
    must not depend on the date, weekday or hour.
    """
    if request.node.get_closest_marker("wall_clock"):
        return

    def refuse(self: SystemClock) -> datetime:
        raise AssertionError("read the wall clock: pass the test's FakeClock (tests/conftest.py)")

    monkeypatch.setattr(SystemClock, "now", refuse)


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at TEST_NOW; tests move it themselves."""
    return FakeClock(TEST_NOW)


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine, clock: FakeClock) -> sessionmaker[Session]:
    return make_session_factory(engine, clock)


@pytest.fixture
def core(sessions: sessionmaker[Session], clock: FakeClock) -> Mentorbot:
    return Mentorbot(sessions, clock=clock)
