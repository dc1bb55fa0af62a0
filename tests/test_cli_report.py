"""`mentorbot report` as an operator runs it: files in every format, and clear refusals."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from bot.cli import app
from core.db import make_engine, make_session_factory
from tests.cli_runner import runner


@pytest.fixture
def simulated(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[int]:
    """`mentorbot demo --history`: the demo's Leadership program after a simulated year.

    Yields the cohort's run id; cwd is tmp.
    """
    from bot.settings import get_settings
    from core.models import MatchRun, RunStatus

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    result = runner.invoke(app, ["demo", "--history"])
    assert result.exit_code == 0, result.output
    assert "History added: 20 pairs" in result.output
    engine = make_engine(db_url)
    with make_session_factory(engine)() as s:
        run_id = s.scalar(select(MatchRun.id).where(MatchRun.status == RunStatus.PUBLISHED))
    engine.dispose()
    assert run_id is not None
    yield run_id
    get_settings.cache_clear()


def test_an_operator_pulls_the_report_in_every_format(simulated: int, tmp_path: Path) -> None:
    """One simulated year (it takes seconds to play), then every way an operator asks."""
    result = runner.invoke(app, ["report", "leadership 1:1"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "report-leadership-1-1.html"
    assert "Wrote report-leadership-1-1.html" in result.output
    html = path.read_text("utf-8")
    assert html.startswith("<!doctype html>") and html.count("<svg") == 4
    assert "Leadership 1:1" in html and "All cohorts" in html

    # --out into a folder that does not exist yet: it is made.
    pdf = runner.invoke(app, ["report", "Leadership 1:1", "--format", "pdf",
                              "--out", "out/r.pdf"])
    assert pdf.exit_code == 0, pdf.output
    assert (tmp_path / "out" / "r.pdf").read_bytes().startswith(b"%PDF")

    xlsx = runner.invoke(app, ["report", "Leadership 1:1", "-f", "xlsx",
                               "--cohort", str(simulated)])
    assert xlsx.exit_code == 0, xlsx.output
    wb = openpyxl.load_workbook(tmp_path / "report-leadership-1-1.xlsx")
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows() if r[0].value}
    assert summary["Scope"].startswith("Cohort 1")

    out = runner.invoke(app, ["report", "Leadership 1:1", "--format", "csv",
                              "--replacement-cost", "80000", "--since", "2020-01-01"])
    assert out.exit_code == 0, out.output
    text = (tmp_path / "report-leadership-1-1.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    about = {r["column"]: r["value"] for r in rows if r["table"] == "report"}
    assert about["replacement_cost"] == "80000" and "$80,000" in about["saving_assumption"]
    assert {"participation", "funnel", "sessions", "quotes"} <= {r["table"] for r in rows}

    from bot.settings import get_settings
    from core.models import Program

    with make_session_factory(make_engine(get_settings().database_url))() as s:
        program_id = s.scalar(select(Program.id).where(Program.name == "Leadership 1:1"))
    by_id = runner.invoke(app, ["report", str(program_id), "-f", "csv", "-o", "by-id.csv"])
    assert by_id.exit_code == 0, by_id.output
    assert (tmp_path / "by-id.csv").read_text("utf-8-sig").startswith("table,row,column,value")


@pytest.fixture
def plain_demo(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The demo organisation with no history: enough for refusals, and quick."""
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    yield
    get_settings.cache_clear()


def test_clear_refusals_write_no_file(plain_demo: None, tmp_path: Path) -> None:
    unknown = runner.invoke(app, ["report", "Nope"])
    assert unknown.exit_code == 2
    assert "No program called “Nope”" in unknown.output
    assert "Leadership 1:1" in unknown.output and "Peer circles" in unknown.output

    fmt = runner.invoke(app, ["report", "Leadership 1:1", "--format", "docx"])
    assert fmt.exit_code == 2 and "pick one of html, pdf, xlsx, csv" in fmt.output
    cohort = runner.invoke(app, ["report", "Leadership 1:1", "--cohort", "999"])
    assert cohort.exit_code == 2 and "999" in cohort.output
    period = runner.invoke(app, ["report", "Leadership 1:1", "--since", "2026-02-01",
                                 "--until", "2026-01-01"])
    assert period.exit_code == 2 and "--since" in period.output
    assert not list(tmp_path.glob("report-*"))  # no refusal wrote a file
    assert "Traceback" not in unknown.output + fmt.output + cohort.output + period.output


def test_the_report_is_written_in_the_language_asked_for(plain_demo: None,
                                                          tmp_path: Path) -> None:
    german = runner.invoke(app, ["report", "Leadership 1:1", "-f", "xlsx", "--language", "de"])
    assert german.exit_code == 0, german.output
    wb = openpyxl.load_workbook(tmp_path / "report-leadership-1-1.xlsx")
    assert wb.sheetnames[:3] == ["Übersicht", "Teilnahme", "Zuordnung"]
    summary = {r[0].value: r[1].value for r in wb["Übersicht"].iter_rows() if r[0].value}
    assert summary["Umfang"] == "Alle Kohorten"
    # The assumed cost, a number Excel shows with a German's separators and the sign after it.
    [cost] = [r[1] for r in wb["Übersicht"].iter_rows() if r[0].value == "Ersatzkosten (Annahme)"]
    assert cost.value == 50000 and cost.number_format == '#,##0" $"'
    unknown = runner.invoke(app, ["report", "Leadership 1:1", "--language", "tlh"])
    assert unknown.exit_code == 2 and "Unknown language “tlh”" in unknown.output
