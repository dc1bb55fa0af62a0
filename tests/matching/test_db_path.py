"""The database path of a matching run: set-based loading and publishing, the CLI's publish
telling the unmatched, and bulk enrollment, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import app
from core.enrollment.bulk import import_enrollments
from core.match_runs.runs import publish, run_program, tell_unmatched
from core.models import (
    Enrollment,
    Match,
    MatchRun,
    MatchStatus,
    OutboxMessage,
    Person,
    Program,
    Workspace,
)
from tests.cli_runner import runner
from tests.conftest import TEST_NOW
from tests.factories import seed

HEADER = "email,program,role,skills_offered,skills_wanted,goals,capacity,availability\n"


def _people(n: int) -> list[tuple[str, str]]:
    return [(f"Person {i:03d}", f"U{i}") for i in range(n)]


def _csv(n: int, mentors: int) -> str:
    rows = []
    for i in range(n):
        email = f"person.{i:03d}@acme.test"
        if i < mentors:
            rows.append(f"{email},Leadership 1:1,mentor,Leadership;Negotiation,,,1,mornings")
        else:
            rows.append(f"{email},Leadership 1:1,mentee,,Negotiation,Lead a team,,")
    return HEADER + "\n".join(rows) + "\n"


def _enrolled(sessions: sessionmaker[Session], n: int, mentors: int) -> dict[str, Any]:
    ids = seed(sessions, people=_people(n))
    with sessions() as s, s.begin():
        ws = s.get(Workspace, ids["workspace_id"])
        assert ws is not None
        result = import_enrollments(s, ws, _csv(n, mentors))
        assert not result.errors and result.created == n
    return ids


@contextmanager
def _count_queries(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _queries_to_run_and_publish(sessions: sessionmaker[Session], engine: Engine, tenant: str,
                                n: int) -> int:
    """Statements run_program + publish + tell_unmatched issue for a pool of n people, on
    either database: every read and every write (an executemany counts once)."""
    people = [(f"{tenant} {i:03d}", f"{tenant}{i}") for i in range(n)]
    ids = seed(sessions, tenant=tenant, people=people)
    rows = []
    for i in range(n):
        email = f"{tenant.lower()}.{i:03d}@acme.test"
        rows.append(f"{email},Leadership 1:1,mentor,Leadership,,,1," if i < n // 3 else
                    f"{email},Leadership 1:1,mentee,,Leadership,,,")
    with sessions() as s, s.begin():
        ws = s.get(Workspace, ids["workspace_id"])
        assert ws is not None
        assert not import_enrollments(s, ws, HEADER + "\n".join(rows) + "\n").errors
    with sessions() as s, s.begin():
        prog = s.get(Program, ids["programs"]["Leadership 1:1"])
        assert prog is not None
        with _count_queries(engine) as seen:
            run = run_program(s, prog)
            live = publish(s, run)
            told = tell_unmatched(s, run, prog)
        assert len(live) == n // 3 and told == len(run.unmatched) > 0
    return len(seen)


def test_loading_and_publishing_take_the_same_queries_for_any_pool_size(
        db_url: str, engine: Engine, sessions: sessionmaker[Session]) -> None:
    """A pool four times as large costs no more statements: nothing is loaded or written
    one person (or one match) at a time."""
    small = _queries_to_run_and_publish(sessions, engine, "Small", 15)
    large = _queries_to_run_and_publish(sessions, engine, "Large", 60)
    assert large <= small + 2, (small, large)
    assert large < 40


def test_cli_publish_tells_every_unmatched_person_once(
        db_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        ids = _enrolled(sessions, 9, mentors=3)  # one-on-one: 6 mentees, 3 places
        with sessions() as s, s.begin():  # the mentees read German; the CLI writes it
            for i in range(3, 9):
                mentee = s.get(Person, ids["people"][f"U{i}"])
                assert mentee is not None
                mentee.language = "de"
        result = runner.invoke(app, ["match", "Leadership 1:1", "--publish"])
        assert result.exit_code == 0, result.output
        assert "Published 3 matches" in result.output
        assert "3 of 3 unmatched people were sent their reason" in result.output
        with sessions() as s:
            rows = s.scalars(select(OutboxMessage).where(
                OutboxMessage.idempotency_key.like("unmatched:%"))).all()
            matched = {m.person_id for match in s.scalars(select(Match).where(
                Match.status == MatchStatus.ACTIVE)) for m in match.mentees}
            assert len(matched) == 3
            told = {r.person_id for r in rows}
            mentees = {ids["people"][f"U{i}"] for i in range(3, 9)}
            assert told == mentees - matched
            for row in rows:
                text = row.payload["text"]
                assert "die Zuordnung für" in text and "couldn't find" not in text, text
            assert all(r.created_at.replace(tzinfo=TEST_NOW.tzinfo) == TEST_NOW for r in rows)
            # Publishing tells; running the same CLI again starts a new run and a new preview
            # but never repeats a message for the run already told.
            run_id = rows[0].idempotency_key.split(":")[1]
            run = s.get(MatchRun, int(run_id))
            prog = s.get(Program, ids["programs"]["Leadership 1:1"])
            assert run is not None and prog is not None
            again = tell_unmatched(s, run, prog)
            assert again == 0
    finally:
        get_settings.cache_clear()


def test_bulk_import_again_changes_nothing_and_an_edit_is_an_update(
        db_url: str, sessions: sessionmaker[Session]) -> None:
    ids = _enrolled(sessions, 6, mentors=2)
    with sessions() as s, s.begin():
        ws = s.get(Workspace, ids["workspace_id"])
        assert ws is not None
        same = import_enrollments(s, ws, _csv(6, 2))
        assert (same.created, same.updated, same.unchanged) == (0, 0, 6)
        edited = _csv(6, 2).replace("Lead a team", "Speak in public", 1)
        changed = import_enrollments(s, ws, edited)
        assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 5)
    with sessions() as s:
        goals = s.scalars(select(Enrollment.goals).order_by(Enrollment.id)).all()
        assert goals.count("Speak in public") == 1
        assert s.scalar(select(func.max(Enrollment.revision))) == 2
