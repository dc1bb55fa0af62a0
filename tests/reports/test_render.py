"""The report files as a reader opens them: every section and chart, and no small group leaked."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from core.reports import charts
from core.reports.html import render_html
from core.reports.model import ProgramReport
from core.reports.render import CONTENT_TYPES, FORMATS, filename, render
from tests.reports.test_render_samples import SMALL, full_report, small_report

SECTIONS = ("Participation", "Matching", "Engagement", "Satisfaction", "Development",
            "Outcomes")
CHART_TITLES = [s.title for s in charts.SPECS]


def _text(html: str) -> str:
    """What a reader sees: the page without tags (SVG text stays, it is drawn on screen)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", html,
                                                               flags=re.S)))


# ---------------------------------------------------------------- charts

@pytest.mark.parametrize("key", [s.key for s in charts.SPECS])
def test_each_chart_draws_a_png_and_an_svg_with_its_title(key: str) -> None:
    png = charts.draw(full_report(), key, "png")
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")
    svg = charts.draw(full_report(), key, "svg")
    assert isinstance(svg, str) and svg.startswith("<svg")
    assert charts.SPEC_BY_KEY[key].title.replace("&", "&amp;") in svg


def test_value_labels_are_on_the_bars() -> None:
    report = full_report()
    funnel = charts.draw(report, "funnel", "svg")
    assert ">140<" in funnel and "96  (69%)" in funnel  # counts, and share of the invited
    assert "91%" in charts.draw(report, "comparison", "svg")
    assert "27 (47%)" in charts.draw(report, "satisfaction", "svg")


def test_withheld_stage_is_words_not_a_zero_bar() -> None:
    report = full_report()
    report.funnel[3] = charts.Figure("met", "Met", None, 3, "", "Not shown")
    svg = charts.draw(report, "funnel", "svg")
    assert "fewer than 5" in svg and ">3<" not in svg


def test_missing_or_withheld_charts_carry_their_reason() -> None:
    found = {c.key: c for c in charts.charts(small_report())}
    assert found["funnel"].placeholder == "Not shown: fewer than 5 people"
    assert found["sessions"].placeholder == "No data yet"
    assert found["satisfaction"].placeholder == "Not shown: fewer than 5 people"
    assert found["comparison"].placeholder == "Not shown: fewer than 5 people"
    assert all(c.image is None for c in found.values())
    assert all(c.placeholder is None and c.image for c in charts.charts(full_report()))


def test_digest_chart_is_the_funnel_png() -> None:
    png = charts.digest_chart(full_report())
    assert png.startswith(b"\x89PNG") and png == charts.funnel_chart(full_report())
    # Even with nothing to show the digest gets a picture that says so, not an error.
    assert charts.digest_chart(small_report()).startswith(b"\x89PNG")


# ---------------------------------------------------------------- HTML

def test_html_has_every_section_four_charts_tables_quotes_and_the_saving_note() -> None:
    html = render_html(full_report())
    assert html.startswith("<!doctype html>") and "<style>" in html
    # Self-contained: nothing fetched from elsewhere, nothing run.
    assert "<script" not in html and "<link" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for section in SECTIONS + ("Tables", "In their words"):
        assert f"<h2>{section}</h2>" in html
    assert html.count("<svg") == 4
    labels = re.findall(r'role="img" aria-label="([^"]+)"', html)
    assert [label.split(".")[0] for label in labels] == CHART_TITLES
    for title in ("Funnel", "Sessions by month", "How useful (1 to 5)", "Why pairs ended",
                  "Fairness", "Cohorts"):
        assert f"<h3>{title}</h3>" in html
    text = _text(html)
    assert "Scope: 2026-01-01 to 2026-03-31" in text and "Mar 31, 2026 09:30 UTC" in text
    # The saving, with the assumption it rests on right beside it.
    saving = html[html.index('data-key="estimated_saving"'):]
    saving = saving[:saving.index("</div>\n</div>") if "</div>\n</div>" in saving else 800]
    assert "$624,000" in saving and "$60,000" in saving
    assert "Retention (participants)" in text and "91%" in text and "+41" in text
    # People's words are escaped, never markup.
    assert "first &lt;board&gt; presentation" in html and "<board>" not in html


def test_html_withheld_figures_say_fewer_than_5_and_leak_no_number() -> None:
    html = render_html(small_report())
    text = _text(html)
    assert html.count("<svg") == 0
    assert text.count("Not shown: fewer than 5 people") >= 3 and "No data yet" in text
    for key, count in SMALL.items():
        card = html[html.index(f'data-key="{key}"'):] if f'data-key="{key}"' in html else ""
        if card:
            card = card[:card.index("</div>\n</div>")]
            assert "fewer than 5" in card and f">{count}<" not in card
    funnel = _text(html[html.index('id="table-funnel"'):html.index('id="table-sessions"')])
    for label in ("Enrolled", "Matched", "Met", "Active"):
        assert f"{label} fewer than 5" in funnel
    assert not re.search(r"\b[1-4] (people|person)\b", text)
    assert "0 people" not in text  # nor as a count of nobody


def test_html_fragment_is_only_the_report_body() -> None:
    fragment = render_html(full_report(), fragment=True)
    assert "<html" not in fragment and fragment.lstrip().startswith("<style>")
    assert 'class="mb-report"' in fragment and fragment.count("<svg") == 4
    # Four inline SVGs in one page: their ids must not collide.
    ids = re.findall(r' id="([^"]+)"', fragment)
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------- PDF

def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize("build, pages", [(full_report, range(3, 7)), (small_report, range(1, 4))])
def test_pdf_is_a4_with_expected_pages_and_renders(build, pages, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = render(build(), "pdf")
    assert pdf.startswith(b"%PDF")
    assert _pdf_pages(pdf) in pages
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(tmp_path / "r.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == _pdf_pages(pdf)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in rendered)


def test_pdf_text_has_sections_charts_and_withheld_words() -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    full = subprocess.run(["pdftotext", "-layout", "-", "-"], input=render(full_report(), "pdf"),
                          capture_output=True, check=True).stdout.decode()
    for section in SECTIONS + ("Tables", "In their words"):
        assert section in full
    assert "Leadership 1:1" in full and "2026-01-01 to 2026-03-31" in full
    assert "$624,000" in full and "$60,000" in full
    small = subprocess.run(["pdftotext", "-layout", "-", "-"], input=render(small_report(), "pdf"),
                           capture_output=True, check=True).stdout.decode()
    assert "fewer than 5" in small and "Not shown: fewer than 5 people" in small
    assert "No data yet" in small


# ---------------------------------------------------------------- XLSX

def _workbook(report: ProgramReport) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))


def test_xlsx_has_a_summary_then_one_sheet_per_table() -> None:
    report = full_report()
    wb = _workbook(report)
    tables = report.tables()
    assert wb.sheetnames[0] == "Summary"
    assert wb.sheetnames[1:] == [t.title for t in tables]
    for table in tables:
        ws = wb[table.title]
        assert [c.value for c in ws[1]] == table.columns
        assert all(c.font.bold for c in ws[1])
        assert ws.max_row == len(table.rows) + 1
    summary = [[c.value for c in row] for row in wb["Summary"].iter_rows()]
    assert summary[0][0] == "Leadership 1:1"
    assert ["Scope", "2026-01-01 to 2026-03-31"] in summary
    assert ["Replacement cost (assumption)", 60000] in summary


def test_xlsx_values_are_numbers_with_formats() -> None:
    wb = _workbook(full_report())
    matching = wb["Matching"]
    assert matching["A2"].value == "Enrolled and matched"
    assert matching["B2"].value == 0.875 and matching["B2"].number_format == "0%"
    assert matching["C2"].value == 96
    outcomes = {r[0].value: r[1] for r in wb["Outcomes"].iter_rows(min_row=2)}
    assert outcomes["Estimated saving"].value == 624000
    assert "$" in outcomes["Estimated saving"].number_format
    assert [[c.value for c in r] for r in wb["Sessions by month"].iter_rows(min_row=2)] == \
        [["2026-01", 22, 30], ["2026-02", 51, 40], ["2026-03", 64, 42]]
    assert wb["Fairness"]["B2"].number_format == "0%"
    assert wb["Funnel"]._charts, "the funnel sheet carries a native bar chart"
    assert wb["Summary"].column_dimensions["A"].width > 10


def test_xlsx_withheld_cells_are_words_and_no_chart_plots_them_as_zero() -> None:
    wb = _workbook(small_report())
    funnel = {r[0].value: r[1].value for r in wb["Funnel"].iter_rows(min_row=2)}
    assert funnel == {"Invited": 0, "Enrolled": "fewer than 5", "Matched": "fewer than 5",
                      "Met": "fewer than 5", "Active": "fewer than 5"}
    assert not wb["Funnel"]._charts
    participation = {r[0].value: [c.value for c in r[1:3]]
                     for r in wb["Participation"].iter_rows(min_row=2)}
    # The base of a withheld head count is the count itself: withheld too.
    assert participation["Enrolled"] == ["fewer than 5", "fewer than 5"]
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row]
    assert not any(v in SMALL.values() for v in values if isinstance(v, int)
                   and not isinstance(v, bool) and v != 1)  # 1 is only a row number here


def test_xlsx_keeps_a_typed_formula_as_text() -> None:
    report = full_report()
    report.quotes.append('=HYPERLINK("http://evil.test","click")')
    ws = _workbook(report)["Quotes (shared with consent)"]
    cell = ws.cell(ws.max_row, 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


# ---------------------------------------------------------------- CSV

def _csv(report: ProgramReport) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render(report, "csv").decode("utf-8-sig"))))


def test_csv_is_long_format_with_every_table() -> None:
    report = full_report()
    rows = _csv(report)
    assert list(rows[0]) == ["table", "row", "column", "value"]
    assert {r["table"] for r in rows} == {"report"} | {t.key for t in report.tables()}
    about = {r["column"]: r["value"] for r in rows if r["table"] == "report"}
    assert about["program"] == "Leadership 1:1" and about["replacement_cost"] == "60000"
    match_rate = [r for r in rows if r["table"] == "matching" and r["row"] == "1"]
    assert {r["column"]: r["value"] for r in match_rate} == {
        "Metric": "Enrolled and matched", "Value": "0.875", "People": "96", "Note": ""}
    sessions = [(r["row"], r["column"], r["value"]) for r in rows if r["table"] == "sessions"]
    assert ("3", "Sessions", "64") in sessions


def test_csv_withheld_and_typed_formulas() -> None:
    rows = _csv(small_report())
    funnel = {r["row"]: r["value"] for r in rows if r["table"] == "funnel"
              and r["column"] == "People"}
    assert funnel == {"1": "0", "2": "fewer than 5", "3": "fewer than 5", "4": "fewer than 5",
                      "5": "fewer than 5"}
    report = full_report()
    report.quotes.append("=1+1")
    quotes = [r["value"] for r in _csv(report) if r["table"] == "quotes"]
    assert quotes[-1] == "'=1+1"


# ---------------------------------------------------------------- dispatch

def test_render_dispatches_every_format_and_refuses_others() -> None:
    report = full_report()
    magic = {"html": b"<!doctype html>", "pdf": b"%PDF", "xlsx": b"PK", "csv": b"\xef\xbb\xbf"}
    heard: list[str] = []
    for fmt in FORMATS:
        assert render(report, fmt, progress=heard.append).startswith(magic[fmt])
        assert fmt in CONTENT_TYPES
    assert "Drawing charts" in heard and "Writing PDF" in heard
    with pytest.raises(ValueError, match="pick one of html, pdf, xlsx, csv"):
        render(report, "docx")
    assert filename(report, "pdf") == "report-leadership-1-1.pdf"
