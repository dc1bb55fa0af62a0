"""`mentorbot import people`: an HRIS export synced with a diff, all or nothing, idempotent."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import app
from core.demo import demo_rows
from core.models import (
    EndReason,
    Match,
    MatchMentee,
    OutboxMessage,
    Person,
    PlatformIdentity,
    Program,
    ProgramKind,
    Workspace,
)
from core.relationships.lifecycle import activate
from tests.cli_runner import runner

HEADER = ["employee_id", "name", "email", "title", "department", "level", "manager_id",
          "location", "timezone", "hire_date", "skills"]


def export(rows: list[dict[str, str]], path: Path) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())
    return path


@pytest.fixture
def env(db_url: str, sessions, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    with sessions() as s, s.begin():
        s.add(Workspace(platform="slack", external_id="T1", name="Acme"))
    yield sessions
    get_settings.cache_clear()


def count(sessions, *where) -> int:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Person).where(*where))


def test_dry_run_then_import_then_nothing_changes(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    file = export(demo_rows(), tmp_path / "hr.csv")
    dry = runner.invoke(app, ["import", "people", str(file), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "New: 217" in dry.output and "Dry run: nothing was changed." in dry.output
    assert count(env) == 0
    real = runner.invoke(app, ["import", "people", str(file)])
    assert "New: 217" in real.output and "Import complete." in real.output
    assert count(env, Person.manager_id.is_not(None)) == 216
    again = runner.invoke(app, ["import", "people", str(file)])
    assert "New: 0" in again.output and "Changed: 0" in again.output
    assert "Deactivated: 0" in again.output and "Unchanged: 217" in again.output


def test_changes_and_leavers_show_in_the_diff_and_leavers_matches_end(env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = demo_rows()
    runner.invoke(app, ["import", "people", str(export(rows, tmp_path / "a.csv"))])
    leaver, partner = rows[5], rows[6]
    with env() as s, s.begin():
        ws = s.scalar(select(Workspace))
        program = Program(workspace_id=ws.id, name="Leadership", kind=ProgramKind.ONE_ON_ONE)
        s.add(program)
        s.flush()
        people = {p.email: p for p in s.scalars(select(Person))}
        s.add(PlatformIdentity(person_id=people[partner["email"]].id, platform="slack",
                               tenant_id="T1", user_id="U6"))
        match = Match(program_id=program.id, mentor_id=people[leaver["email"]].id)
        match.mentees = [MatchMentee(person_id=people[partner["email"]].id)]
        s.add(match)
        s.flush()
        activate(s, match, now=datetime(2027, 1, 4, tzinfo=UTC))
    rows[0] = {**rows[0], "title": "Chief Everything Officer"}
    del rows[5]
    result = runner.invoke(app, ["import", "people", str(export(rows, tmp_path / "b.csv"))])
    assert "Changed: 1" in result.output and rows[0]["name"] in result.output
    assert "Deactivated: 1" in result.output and "(not in the export)" in result.output
    with env() as s:
        gone = s.scalar(select(Person).where(Person.email == leaver["email"]))
        assert gone.active is False  # kept for reports, out of every pool
        ended = s.scalar(select(Match))
        assert ended.ended_reason is EndReason.LEFT
        [dm] = s.scalars(select(OutboxMessage)).all()
        assert "has left the company" in dm.payload["text"]


def test_a_bad_row_names_its_line_and_nothing_changes(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = demo_rows()
    rows[3] = {**rows[3], "email": "not-an-email"}
    rows[7] = {**rows[7], "hire_date": "someday"}
    result = runner.invoke(app, ["import", "people", str(export(rows, tmp_path / "c.csv"))])
    assert result.exit_code == 1
    assert "line 5: email “not-an-email” is not an email address" in result.output
    assert "line 9: hire date “someday” is not a date" in result.output
    assert "Nothing was imported" in result.output
    assert count(env) == 0


def test_reporting_loops_are_reported_not_followed(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [{"employee_id": "A", "name": "Ana Lima", "email": "ana@x.test", "manager_id": "B"},
            {"employee_id": "B", "name": "Ben Okoro", "email": "ben@x.test", "manager_id": "A"},
            {"employee_id": "C", "name": "Cleo Park", "email": "cleo@x.test", "manager_id": "Z"}]
    result = runner.invoke(app, ["import", "people", str(export(rows, tmp_path / "d.csv"))])
    assert result.exit_code == 0, result.output
    assert "reporting loop: " in result.output and "manager “Z”" in result.output


def test_presets_map_common_hris_exports(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bamboo.csv"
    path.write_text("Employee #,First Name,Last Name,Work Email,Job Title,Department,"
                    "Job Level,Supervisor EID,Location,Time Zone,Hire Date,Status\n"
                    "7,Ana,Lima,ana@x.test,VP Sales,Sales,L6,,Lisbon,Europe/Lisbon,"
                    "03/15/2021,Active\n"
                    "8,Ben,Okoro,ben@x.test,AE,Sales,L2,7,Lisbon,Europe/Lisbon,"
                    "01/02/2023,Terminated\n")
    result = runner.invoke(app, ["import", "people", str(path), "--preset", "bamboohr"])
    assert result.exit_code == 0, result.output
    with env() as s:
        ana = s.scalar(select(Person).where(Person.email == "ana@x.test"))
        ben = s.scalar(select(Person).where(Person.email == "ben@x.test"))
        assert (ana.name, ana.level, str(ana.hire_date)) == ("Ana Lima", 6, "2021-03-15")
        assert ben.manager_id == ana.id and ben.active is False
    unknown = runner.invoke(app, ["import", "people", str(path), "--preset", "nope"])
    assert unknown.exit_code == 2 and "Unknown preset" in unknown.output
