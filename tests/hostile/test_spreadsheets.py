"""A name that is a spreadsheet formula stays text in every CSV and XLSX export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.cells import inert
from core.match_runs.export import run_csv
from core.models import Match, MatchMentee, MatchRun, Person, Program
from core.reports.metrics import build_report
from core.reports.render import render
from tests.factories import seed

EVIL = '=HYPERLINK("https://evil.example/login","Open")'
NOW = datetime(2027, 3, 3, 12, tzinfo=UTC)


def test_formula_starts_are_made_inert() -> None:
    for text in (EVIL, "+1+2", "-2", "@SUM(A1)", "\t=1", "\r=1"):
        assert inert(text) == "'" + text
    assert inert("Ana Lima") == "Ana Lima" and inert(5) == 5 and inert(None) is None


def hostile_world(sessions: sessionmaker[Session]) -> dict[str, int]:
    ids = seed(sessions, programs=[{"name": EVIL}],
               people=[("Ana Lima", "U1"), ("Ben Okoro", "U2"), ("Cy Tan", "U3")])
    with sessions() as s, s.begin():
        for person_id in ids["people"].values():
            person = s.get(Person, person_id)
            assert person is not None
            person.name = EVIL if person.name == "Ben Okoro" else person.name
            person.email = "-cmd@acme.test" if person.name == "Cy Tan" else person.email
    return ids


def test_match_csv_never_holds_a_live_formula(sessions: sessionmaker[Session]) -> None:
    ids = hostile_world(sessions)
    with sessions() as s:
        program = s.scalar(select(Program))
        assert program is not None
        run = MatchRun(program_id=program.id, unmatched=[
            {"person_id": ids["people"]["U3"], "reason": "@no mentor had capacity"}])
        s.add(run)
        s.flush()
        match = Match(program_id=program.id, run_id=run.id, mentor_id=ids["people"]["U1"],
                      score=0.9, reasons=["=1+1 shared skills"])
        match.mentees = [MatchMentee(person_id=ids["people"]["U2"])]
        s.add(match)
        s.flush()
        people = {p.id: p for p in s.scalars(select(Person))}
        text = run_csv(run, [match], people)
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + EVIL in cells and "'=1+1 shared skills" in cells
    assert "'-cmd@acme.test" in cells and "'@no mentor had capacity" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_report_csv_and_xlsx_keep_a_formula_name_as_text(
        sessions: sessionmaker[Session]) -> None:
    hostile_world(sessions)
    with sessions() as s:
        program = s.scalar(select(Program))
        assert program is not None
        report = build_report(s, program, now=NOW)
    text = render(report, "csv")
    text = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + EVIL in cells
    assert not [c for c in cells if c.startswith("=")]
    book = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    found = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row
             if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert found, "the program's name is in the workbook"
    # Stored as a string cell, which no spreadsheet evaluates.
    assert all(cell.data_type == "s" for cell in found)

