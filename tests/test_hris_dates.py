"""HR files' own dates: a termination or a level change is dated when it happened, not on the
day of the import, so retention and promotion figures come out right."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FakeClock
from core.hris.csv_import import PRESETS, import_people
from core.models import (
    LevelChange,
    Match,
    MatchMentee,
    MatchRun,
    MatchStatus,
    Person,
    Program,
    ProgramKind,
    RunStatus,
    Workspace,
)
from core.reports.metrics import build_report

START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # the cohort's start, 14 months before now
COLUMNS = ["Employee ID", "Worker", "Email - Work", "Supervisory Organization",
           "Management Level", "Hire Date", "Worker Status", "Termination Date",
           "Effective Date"]
PEOPLE = [f"M{i}" for i in range(1, 6)] + [f"E{i}" for i in range(1, 6)] + \
    [f"C{i}" for i in range(1, 7)]


def workday(changes: dict[str, dict[str, str]], dated: bool = True) -> str:
    """A Workday export of everyone; ``changes`` overrides some cells per employee id."""
    out = io.StringIO()
    columns = COLUMNS if dated else COLUMNS[:-2]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for eid in PEOPLE:
        writer.writerow({"Employee ID": eid, "Worker": f"Person {eid}",
                         "Email - Work": f"{eid.lower()}@acme.test",
                         "Supervisory Organization": "Engineering", "Management Level": "3",
                         "Hire Date": "2020-01-06", "Worker Status": "Active"}
                        | changes.get(eid, {}))
    return out.getvalue()


@pytest.fixture
def cohort(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Five published pairs (M1-M5 with E1-E5) started at START; C1-C6 never took part."""
    with sessions() as s, s.begin():
        ws = Workspace(platform="slack", external_id="T1", name="Acme")
        s.add(ws)
        s.flush()
        assert not import_people(s, ws, workday({}), PRESETS["workday"], now=START).errors
        ids = dict(s.execute(select(Person.external_id, Person.id)).all())
        program = Program(workspace_id=ws.id, name="Leadership", kind=ProgramKind.ONE_ON_ONE)
        s.add(program)
        s.flush()
        run = MatchRun(program_id=program.id, status=RunStatus.PUBLISHED, published_at=START)
        s.add(run)
        s.flush()
        for i in range(1, 6):
            s.add(Match(program_id=program.id, run_id=run.id, mentor_id=ids[f"M{i}"],
                        status=MatchStatus.ACTIVE, published_at=START,
                        mentees=[MatchMentee(person_id=ids[f"E{i}"])]))
        return {"workspace": ws.id, "program": program.id} | ids


def _import(sessions: sessionmaker[Session], text: str, clock: FakeClock) -> None:
    with sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        result = import_people(s, ws, text, PRESETS["workday"], now=clock.now(),
                               deactivate_missing=False)
        assert not result.errors, result.errors


def _outcomes(sessions: sessionmaker[Session], program_id: int,
              clock: FakeClock) -> dict[str, float | None]:
    with sessions() as s:
        program = s.get(Program, program_id)
        assert program is not None
        report = build_report(s, program, now=clock.now())
    return {key: f.value for key, f in report.comparison.items()}


def test_dated_terminations_and_promotions_give_the_right_figures(
        sessions: sessionmaker[Session], cohort: dict[str, int], clock: FakeClock) -> None:
    # Today's export: E1 and E2 left 3 months into the program, E3 a month ago (after the
    # 12 months), C1 of the comparison group in May; E4 was promoted last June.
    gone = {"Worker Status": "Terminated"}
    _import(sessions, workday({
        "E1": gone | {"Termination Date": "2026-04-10"},
        "E2": gone | {"Termination Date": "04/10/2026"},
        "E3": gone | {"Termination Date": "2027-02-01"},
        "C1": gone | {"Termination Date": "2026-05-01"},
        "E4": {"Management Level": "4", "Effective Date": "2026-06-01"},
    }), clock)
    with sessions() as s:
        left = dict(s.execute(select(Person.external_id, Person.left_on)).all())
        assert (left["E1"], left["E2"], left["E3"]) == (date(2026, 4, 10), date(2026, 4, 10),
                                                       date(2027, 2, 1))
        assert s.scalar(select(LevelChange.changed_on)) == date(2026, 6, 1)
    figures = _outcomes(sessions, cohort["program"], clock)
    assert figures["retention_participants"] == pytest.approx(8 / 10)
    assert figures["retention_comparison"] == pytest.approx(5 / 6)
    assert figures["promotion_participants"] == pytest.approx(1 / 10)


def test_an_undated_export_dates_changes_on_the_import_day_and_a_later_dated_one_corrects_them(
        sessions: sessionmaker[Session], cohort: dict[str, int], clock: FakeClock) -> None:
    gone = {"Worker Status": "Terminated"}
    _import(sessions, workday({"E1": gone, "E2": gone, "E4": {"Management Level": "4"}},
                              dated=False), clock)
    figures = _outcomes(sessions, cohort["program"], clock)
    # Seen today, 14 months after the start: they count as retained and not promoted.
    assert figures["retention_participants"] == pytest.approx(1.0)
    assert figures["promotion_participants"] == pytest.approx(0.0)
    _import(sessions, workday({
        "E1": gone | {"Termination Date": "2026-04-10"},
        "E2": gone | {"Termination Date": "2026-04-10"},
        "E4": {"Management Level": "4", "Effective Date": "2026-06-01"}}), clock)
    figures = _outcomes(sessions, cohort["program"], clock)
    assert figures["retention_participants"] == pytest.approx(8 / 10)
    assert figures["promotion_participants"] == pytest.approx(1 / 10)


def test_a_termination_date_that_is_not_a_date_names_its_line(
        sessions: sessionmaker[Session], cohort: dict[str, int], clock: FakeClock) -> None:
    with sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        result = import_people(s, ws, workday({"E1": {"Termination Date": "soon"}}),
                               PRESETS["workday"], now=clock.now())
        assert result.errors == ["line 7: termination date “soon” is not a date"]
