"""Time is injected: rows are stamped by the test's clock and the wall clock is off limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FakeClock, RunningClock, SystemClock
from core.db import session_clock, today_of
from core.enrollment.programs import open_programs_for
from core.models import Person, Workspace
from tests.conftest import TEST_NOW
from tests.factories import seed


def test_reading_the_wall_clock_inside_a_test_fails_it() -> None:
    with pytest.raises(AssertionError, match="wall clock"):
        SystemClock().now()


@pytest.mark.wall_clock
def test_the_system_clock_is_the_real_time_in_utc() -> None:
    before = datetime.now(UTC)
    assert before <= SystemClock().now() <= datetime.now(UTC)


def test_rows_are_stamped_by_the_injected_clock(sessions: sessionmaker[Session],
                                                clock: FakeClock) -> None:
    ids = seed(sessions, people=[("Ana Lima", "U1")])
    clock.advance(timedelta(days=3, hours=5))
    with sessions() as s, s.begin():
        # A set-based insert takes the same default as the unit of work.
        s.execute(insert(Person), [{"workspace_id": ids["workspace_id"], "name": "Ben Okoro",
                                    "email": "ben.okoro@acme.test"}])
        assert session_clock(s) is clock and today_of(s) == clock.now().date()
    with sessions() as s:
        stamps = {p.name: p.created_at for p in s.scalars(select(Person))}
        [workspace] = s.scalars(select(Workspace)).all()
    assert stamps == {"Ana Lima": TEST_NOW, "Ben Okoro": TEST_NOW + timedelta(days=3, hours=5)}
    assert workspace.created_at == TEST_NOW


def test_enrollment_windows_follow_the_clock_not_the_calendar(
        sessions: sessionmaker[Session], clock: FakeClock) -> None:
    seed(sessions, people=[("Ana Lima", "U1")])
    with sessions() as s, s.begin():
        ana = s.scalars(select(Person)).one()
        [program] = open_programs_for(s, ana)
        program.enrollment_closes = (TEST_NOW + timedelta(days=2)).date()
    with sessions() as s:
        assert [p.name for p in open_programs_for(s, s.scalars(select(Person)).one())] == \
            [program.name]
    clock.advance(timedelta(days=3))
    with sessions() as s:
        assert open_programs_for(s, s.scalars(select(Person)).one()) == []


def test_a_running_clock_starts_where_asked_and_moves_at_real_speed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ticks = iter([100.0, 100.0, 102.5])
    monkeypatch.setattr("core.clock.time.monotonic", lambda: next(ticks))
    clock = RunningClock(TEST_NOW)
    assert clock.now() == TEST_NOW
    assert clock.now() == TEST_NOW + timedelta(seconds=2.5)
