"""The program report in each shipped language: the chat digest, the HTML page (charts
included: their SVG text is text), the XLSX workbook, the PDF's text and the CSV's words carry
no English sentence and no unfilled placeholder, against the English rendering of the same
report (the check of ``test_no_english_left``).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from core import i18n
from core.demo import simulate_program
from core.models import Program
from core.reports import pdf
from core.reports.csv_out import render_csv
from core.reports.digest import digest_message
from core.reports.html import render_html
from core.reports.metrics import build_report
from core.reports.xlsx import render_xlsx
from tests.i18n.test_no_english_left import PLACEHOLDER, english_left, written

SHIPPED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]
NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"
# Data and names the report carries as written: the program, the demo's departments and
# protected attributes, people's quotes, and the CLI option named in the saving's note.
KEPT = re.compile(r"Leadership 1:1|--replacement-cost|“[^”]*”|\b(gender|age_band|Engineering"
                  r"|Sales|Product|Operations|Finance|People|Marketing|Support|UTC)\b")
# Words these languages share with the report's English: "Median" and "minus" in German;
# "audit", "base", "comparable", "date", "invitation", "modules", "organisation" and "pairs"
# (peers) in French; "base", "comparable" in Spanish; "base", "zero" in Portuguese.
ALSO_THEIRS = {"median", "minus", "audit", "base", "comparable", "date", "invitation",
               "modules", "non-participants", "organisation", "pairs", "zero", "participants",
               "participation", "satisfaction", "promotion", "page", "attribute", "note"}


def _text_of_html(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<blockquote>.*?</blockquote>", " ", page, flags=re.S)  # people's quotes
    return re.sub(r"<[^>]+>", " ", page)


def _text_of_xlsx(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [book.sheetnames]
    for ws in book.worksheets:
        if ws.title.lower().startswith(("quote", "zitat", "citation", "cita")):
            continue  # people's own words
        cells += [[c for c in row if isinstance(c, str)] for row in ws.iter_rows(values_only=True)]
        cells += [[ch.title.tx.rich.p[0].r[0].t] for ch in ws._charts  # type: ignore[attr-defined]
                  if ch.title is not None]
    return "\n".join(" ".join(map(str, row)) for row in cells)


def _text_of_csv(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))[1:]
    return "\n".join(value if table == "report" else f"{column} {value}"
                     for table, _, column, value in rows if table != "quotes")


def _text_of_pdf(report: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every paragraph the PDF lays out, and its page footer, as drawn."""
    said: list[str] = []
    paragraph = pdf._p

    def recording(text: str, style: Any) -> Any:
        said.append(text)
        return paragraph(text, style)

    with monkeypatch.context() as m:
        m.setattr(pdf, "_p", recording)
        data = pdf.render_pdf(report)
    assert data.startswith(b"%PDF")
    draw = pdf._footer(report.program, "03.03.2027")
    drawn = dict(zip(draw.__code__.co_freevars,
                     (c.cell_contents for c in draw.__closure__ or ()), strict=True))
    said += [drawn["footer"], drawn["page"].format(n=2)]
    return "\n".join(s for s in said if not s.startswith("“"))


def _texts(sessions, code: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with sessions() as s, i18n.reading(code):
        program = s.scalar(select(Program).where(Program.name == "Leadership 1:1"))
        report = build_report(s, program, now=NOW)
        digest = digest_message(report, _chart_png(), f"{program.name}")
        texts = {"digest": written(digest), "html": _text_of_html(render_html(report)),
                 "xlsx": _text_of_xlsx(render_xlsx(report)),
                 "pdf": _text_of_pdf(report, monkeypatch),
                 # The CSV's header and table keys stay machine words (csv_out's docstring):
                 # only the columns and the values people read are checked.
                 "csv": _text_of_csv(render_csv(report))}
        s.rollback()
    return {k: KEPT.sub(" | ", v) for k, v in texts.items()}


def _chart_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def simulated(sessions):  # type: ignore[no-untyped-def]
    simulate_program(sessions, start=NOW - timedelta(days=400), now=NOW, weeks=4)
    return sessions


def test_every_report_format_reads_in_each_admins_language(simulated, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # One simulated program and one English rendering for all four languages: a year of a
    # program takes seconds to simulate.
    english = _texts(simulated, "en", monkeypatch)
    # The English side is the report's English, so the check has something to find.
    assert "Mentees per mentor" in english["html"] and "Net promoter score" in english["xlsx"]
    assert "From invitation to active pairs" in english["html"]  # a chart's own title
    assert "Figures about fewer than 5 people" in english["digest"]
    assert "Mentoring program report" in english["pdf"] and "Page 2" in english["pdf"]
    for code in SHIPPED:
        translated = _texts(simulated, code, monkeypatch)
        for name, text in translated.items():
            assert text.strip() and text != english[name], (code, name)
            assert not PLACEHOLDER.findall(text), (code, name, PLACEHOLDER.findall(text))
            left = [w for w in english_left(english[name], text)
                    if not set(w.split()) <= ALSO_THEIRS]
            assert not left, f"the {code} {name} still says in English: {left}\n{text[:3000]}"
    # Numbers, money and dates the admin's way (the same simulated program).
    with simulated() as session:
        program = session.scalar(select(Program).where(Program.name == "Leadership 1:1"))
        with i18n.reading("de"):
            page = render_html(build_report(session, program, now=NOW))
        with i18n.reading("fr"):
            french = render_html(build_report(session, program, now=NOW))
    assert '<html lang="de">' in page and "03.03.2027 12:00 UTC" in page
    assert "50.000\xa0$" in page  # the replacement cost, as a German writes dollars
    assert re.search(r"\d+\xa0%", page)  # "42 %"
    assert '<html lang="fr">' in french and "3 mars 2027" in french
    # The canary: a label left out of the German catalog is caught in every format.
    monkeypatch.delitem(i18n.translations("de")._catalog, "Mentees per mentor")  # type: ignore[attr-defined]
    untranslated = _texts(simulated, "de", monkeypatch)
    for name in ("html", "xlsx", "pdf", "csv"):
        assert "mentees per" in english_left(english[name], untranslated[name]), name
