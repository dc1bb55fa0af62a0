"""`mentorbot import enrollments`: line-numbered errors and no partial import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import app
from core.models import Enrollment, Role
from tests.cli_runner import runner
from tests.factories import seed

HEADER = "email,program,role,skills_offered,skills_wanted,goals,capacity,availability\n"
GOOD = ("ana.lima@acme.test,Leadership 1:1,mentor,Leadership;Negotiation,,,2,mornings\n"
        "ben.okoro@acme.test,leadership 1:1,Mentee,,Negotiation,Lead a team,,\n")


@pytest.fixture
def env(db_url: str, sessions, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    seed(sessions)
    yield sessions
    get_settings.cache_clear()


def _count(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Enrollment))


def test_a_bad_row_names_its_line_and_nothing_is_imported(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "e.csv"
    f.write_text(HEADER + GOOD + "nobody@acme.test,Leadership 1:1,mentee,,Negotiation,,,\n"
                 "ana.lima@acme.test,Leadership 1:1,mentor,,,,1,\n")
    result = runner.invoke(app, ["import", "enrollments", str(f)])
    assert result.exit_code == 1
    assert "line 4: no person with email “nobody@acme.test”" in result.output
    assert "line 5: skills_offered: Pick at least one skill you can share." in result.output
    assert "Nothing was imported" in result.output
    assert _count(env) == 0


def test_good_file_imports_and_a_second_run_changes_nothing(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "e.csv"
    f.write_text(HEADER + GOOD)
    first = runner.invoke(app, ["import", "enrollments", str(f)])
    assert first.exit_code == 0 and "2 new, 0 updated, 0 unchanged" in first.output
    again = runner.invoke(app, ["import", "enrollments", str(f)])
    assert "0 new, 0 updated, 2 unchanged" in again.output
    with env() as s:
        roles = {e.role for e in s.scalars(select(Enrollment))}
        assert roles == {Role.MENTOR, Role.MENTEE}
        mentor = s.scalar(select(Enrollment).where(Enrollment.role == Role.MENTOR))
        assert mentor.capacity == 2 and mentor.skills_offered == ["Leadership", "Negotiation"]
