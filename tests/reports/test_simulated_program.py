"""A 12-week simulated program from the demo data produces a report with every chart, in HTML,
PDF and XLSX.

The simulation drives the real bot code (matching, publish, planner, participants' buttons and
forms, HRIS updates), so this is the report on data shaped exactly like production's.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.demo import simulate_program
from core.models import MatchEvent, OutboxMessage, OutboxStatus, Program
from core.reports import charts
from core.reports.metrics import build_report
from core.reports.model import ProgramReport
from core.reports.render import render
from core.reports.xlsx import sheet_title

START = datetime(2025, 10, 20, 9, 0, tzinfo=UTC)  # a Monday
# Thirteen months on: the program's year of outcomes can be measured.
NOW = START + timedelta(days=400)


def _figure(report: ProgramReport, key: str):  # type: ignore[no-untyped-def]
    found = {f.key: f for _, figures in report.sections() for f in figures}
    return found[key]


def test_simulated_program_reports_every_chart_in_html_pdf_and_xlsx(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    summary = simulate_program(sessions, start=START, weeks=12, seed=7, now=NOW)

    # The story happened: pairs met, paused, ended, rematched; a year of HRIS updates.
    assert summary.matches >= 15
    assert summary.meetings >= 4 * summary.matches
    assert summary.paused == 2 and summary.rematched == 1 and summary.ended_early == 2
    assert summary.left_during == 1
    assert 0 < summary.checkins_answered < summary.checkins_sent
    assert 0 < summary.goals_done < summary.goals
    assert summary.promotions > 0 and summary.leavers > 0

    with sessions() as s:
        # ...through the bot's own code: the planner's messages, the lifecycle's history.
        kinds = dict(s.execute(select(OutboxMessage.kind, func.count())
                               .group_by(OutboxMessage.kind)).all())
        for kind in ("intro", "nudge", "checkin", "escalation", "survey", "graduation"):
            assert kinds.get(kind, 0) > 0, kind
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status != OutboxStatus.SENT)) == 0
        reasons = set(s.scalars(select(MatchEvent.reason)))
        assert {"published", "resumed automatically", "completed", "ended_early",
                "rematched", "left"} <= reasons

        program = s.get(Program, summary.program_id)
        assert program is not None
        report = build_report(s, program, now=NOW)

    # Funnel: every stage shown (none withheld), narrowing as it goes.
    stages = {f.key: f for f in report.funnel}
    assert {"invited", "enrolled", "matched", "met", "active"} <= set(stages)
    assert not any(f.suppressed for f in report.funnel)
    assert stages["enrolled"].value == 60
    assert stages["enrolled"].value >= stages["matched"].value >= stages["met"].value > 0
    # Sessions logged in at least three months, spread over the program's weeks.
    busy = [row for row in report.sessions_by_month if row[1] > 0]
    assert len(busy) >= 3
    assert sum(row[1] for row in report.sessions_by_month) >= 3 * summary.matches
    # Satisfaction: a distribution, mostly positive but not unanimous.
    dist = report.satisfaction_distribution
    assert dist is not None and sum(dist.values()) >= 5
    assert dist[4] + dist[5] > dist[1] + dist[2] + dist[3] > 0
    assert report.quotes  # some people agreed to be quoted
    # Outcomes: participants and comparison group both measured, participants a bit ahead.
    figs = report.comparison
    for key in ("retention_participants", "retention_comparison",
                "promotion_participants", "promotion_comparison"):
        assert figs[key].value is not None and not figs[key].suppressed, key
        assert figs[key].n >= 5
    assert 0.7 < figs["retention_comparison"].value <= figs["retention_participants"].value < 1  # type: ignore[operator]
    assert 0 < figs["promotion_comparison"].value <= figs["promotion_participants"].value < 0.5  # type: ignore[operator]
    assert _figure(report, "checkin_response_rate").value is not None
    assert _figure(report, "goals_done").value

    # Every chart has data to draw: none falls back to its "withheld / no data" sentence.
    drawn = charts.charts(report, "png")
    assert [c.key for c in drawn] == [s.key for s in charts.SPECS] and len(drawn) == 4
    assert all(c.placeholder is None and c.image for c in drawn), \
        [(c.key, c.placeholder) for c in drawn]

    html = render(report, "html").decode("utf-8")
    for chart in drawn:
        assert f'id="chart-{chart.key}"' in html
    assert html.count('class="mbr-svg"') == 4 and 'class="mbr-placeholder"' not in html

    pdf = render(report, "pdf")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftoppm"):
        path = tmp_path / "report.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "30", str(path), str(tmp_path / "page")],
                       check=True, capture_output=True, timeout=60)
        pages = sorted(tmp_path.glob("page*.png"))
        assert pages and all(p.read_bytes().startswith(b"\x89PNG") for p in pages)

    # A summary sheet, then one sheet per table, each with its header and rows.
    book = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")), read_only=True)
    taken = {"summary"}
    tables = report.tables()
    assert book.sheetnames == ["Summary", *(sheet_title(t.title, taken) for t in tables)]
    for table, name in zip(tables, book.sheetnames[1:], strict=True):
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0][:len(table.columns)]) == table.columns
        assert len(rows) > 1, name  # every table has data in this simulation


def test_report_benchmark_generates_a_program_and_returns_its_figures() -> None:
    """``mentorbot bench report`` at toy size: correctness only, timings are not asserted."""
    from rich.console import Console

    from bot.bench.report import FORMATS, run_benchmark

    out = io.StringIO()
    figures = run_benchmark(people=500, months=2, console=Console(file=out, width=100))

    assert figures["rows_people"] == 500 and figures["rows_enrollments"] == 250
    assert figures["rows_matches"] > 50 and figures["pairs_in_report"] == figures["rows_matches"]
    assert figures["rows_meetings"] > figures["rows_matches"]
    assert figures["rows_outbox"] > 0 and figures["rows_checkins"] > 0
    for fmt in FORMATS:
        assert figures[f"render_{fmt}_s"] >= 0 and figures[f"{fmt}_kb"] > 0
    parts = figures["build_s"] + sum(figures[f"render_{fmt}_s"] for fmt in FORMATS)
    assert abs(figures["report_total_s"] - parts) < 1e-9
    assert figures["under_target"] in (0.0, 1.0)
    assert "total report time" in out.getvalue() and "render pdf" in out.getvalue()
