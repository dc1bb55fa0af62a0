"""Matching's database path, timed: `import enrollments` and `match --publish` for N people.

An organisation of N people (with a manager tree, departments, timezones and a chat identity
each) is written with bulk inserts into a migrated database: a temporary SQLite file, or a
fresh schema in the PostgreSQL database you name (dropped afterwards). Then the two commands'
own code paths run and are timed: importing an enrollment CSV of N rows (a fifth mentors),
and a one-on-one run that loads the pool, matches, stores the preview, publishes it and
queues a DM to everyone left unmatched. Targets: 2 s and 3 s for 5,000 people. Each is
reported as wall time, this process's CPU time and the number of statements sent.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine

from bot.bench.report import _database
from core.clock import FakeClock
from core.db import make_session_factory
from core.enrollment.bulk import import_enrollments
from core.match_runs.runs import publish, run_program, tell_unmatched
from core.models import (
    Person,
    Platform,
    PlatformIdentity,
    Program,
    ProgramKind,
    ProgramStatus,
    Workspace,
)

_NOW = datetime.fromisoformat("2027-03-03T12:00:00+00:00")  # a fixed instant: figures repeat
_DEPTS = ("Engineering", "Sales", "Marketing", "Finance", "People", "Operations", "Product")
_ZONES = ("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "America/Los_Angeles")
_SKILLS = ("Leadership", "Negotiation", "Public speaking", "Data analysis", "Python", "Hiring",
           "Budgeting", "Strategy", "Writing", "Design")


def _seed(sessions: Any, n: int, rng: random.Random) -> tuple[int, int]:
    """Workspace, program and n people with identities; returns (workspace id, program id)."""
    with sessions() as s, s.begin():
        ws = Workspace(platform=Platform.SLACK, external_id="TBENCH", name="Bench")
        s.add(ws)
        s.flush()
        prog = Program(workspace_id=ws.id, name="Bench 1:1", kind=ProgramKind.ONE_ON_ONE,
                       status=ProgramStatus.OPEN, skills=list(_SKILLS))
        s.add(prog)
        s.flush()
        ids = s.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), [
            {"workspace_id": ws.id, "name": f"Person {i}", "email": f"p{i}@bench.test",
             "department": _DEPTS[i % len(_DEPTS)], "level": rng.randint(1, 9),
             "timezone": rng.choice(_ZONES), "created_at": _NOW}
            for i in range(n)]).all()
        # A manager tree with spans of about six.
        s.execute(Person.__table__.update().where(Person.id == _bind("pid"))
                  .values(manager_id=_bind("mid")),
                  [{"pid": ids[i], "mid": ids[(i - 1) // 6]} for i in range(1, n)])
        s.execute(insert(PlatformIdentity), [
            {"person_id": pid, "platform": Platform.SLACK, "tenant_id": "TBENCH",
             "user_id": f"U{pid}", "created_at": _NOW} for pid in ids])
        return ws.id, prog.id


def _bind(name: str) -> Any:
    from sqlalchemy import bindparam

    return bindparam(name)


def _csv(n: int, rng: random.Random) -> str:
    lines = ["email,program,role,skills_offered,skills_wanted,goals,capacity,availability"]
    for i in range(n):
        if i % 5 == 0:
            offered = ";".join(rng.sample(_SKILLS, 3))
            lines.append(f"p{i}@bench.test,Bench 1:1,mentor,{offered},,,1,flexible")
        else:
            wanted = ";".join(rng.sample(_SKILLS, 2))
            lines.append(f"p{i}@bench.test,Bench 1:1,mentee,,{wanted},grow my career,,"
                         "mornings")
    return "\n".join(lines) + "\n"


def run_db_benchmark(people: int, database_url: str | None = None, seed: int = 0
                     ) -> dict[str, Any]:
    """Time the enrollment import and match --publish on one backend; returns the figures."""
    rng = random.Random(seed)
    with _database(database_url) as engine:
        sessions = make_session_factory(engine, FakeClock(_NOW))
        ws_id, prog_id = _seed(sessions, people, rng)
        text = _csv(people, rng)
        with _timed(engine) as imported_in:
            with sessions() as s, s.begin():
                ws = s.get(Workspace, ws_id)
                assert ws is not None
                imported = import_enrollments(s, ws, text)
        assert not imported.errors, imported.errors[:3]
        with _timed(engine) as published_in:
            with sessions() as s, s.begin():
                prog = s.get(Program, prog_id)
                assert prog is not None
                run = run_program(s, prog)
                live = publish(s, run)
                told = tell_unmatched(s, run, prog)
                engine_s = sum(run.stats.get("timings", {}).values())
        with sessions() as s:
            stored = len(s.scalars(select(PlatformIdentity.id)).all())
        return {"backend": engine.dialect.name, "people": people,
                "import_enrollments_s": imported_in["wall"],
                "import_cpu_s": imported_in["cpu"],
                "import_statements": imported_in["statements"],
                "import_created": imported.created,
                "match_publish_s": published_in["wall"],
                "match_publish_cpu_s": published_in["cpu"],
                "match_publish_statements": published_in["statements"],
                "of_which_engine_s": engine_s,
                "matches_published": len(live), "unmatched_told": told,
                "identities": stored}


@contextmanager
def _timed(engine: Engine) -> Iterator[dict[str, Any]]:
    """Wall time, this process's CPU time and the statements sent (an executemany counts
    once), filled in when the block ends. The CPU figure leaves out the database server's
    own work; on a shared machine it is the steadier of the two."""
    figures: dict[str, Any] = {"statements": 0}

    def count(*_: Any) -> None:
        figures["statements"] += 1

    event.listen(engine, "before_cursor_execute", count)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield figures
    finally:
        figures["wall"] = time.perf_counter() - wall
        figures["cpu"] = time.process_time() - cpu
        event.remove(engine, "before_cursor_execute", count)
