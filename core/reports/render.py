"""Render a ``ProgramReport`` as HTML, PDF, XLSX or CSV bytes, and the tables every export shares.

``ProgramReport.tables()`` already writes withheld figures as words; ``export_tables`` adds how
each cell is shown, and the words for the withheld cells (None) of the metrics' own tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.reports.model import WITHHELD, Cell, Figure, ProgramReport, Table

FORMATS = ("html", "pdf", "xlsx", "csv")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

PERCENT_HINTS = ("rate", "share", "%", "percent", "retention", "promotion")


@dataclass(frozen=True)
class ExportTable:
    """A table ready to print: ``formats[i][j]`` says how to show ``rows[i][j]``."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    formats: list[list[str]]


def _figure_formats(f: Figure) -> list[str]:
    if f.suppressed:
        return ["", "", "", ""]
    return ["", "" if f.value is None else f.fmt(), "int", ""]


def _column_format(column: str, cells: list[Cell]) -> str:
    """One format per column: the tables carry no units, so read them from the header and the
    values (a column of fractions is a share; a ratio is a ratio, 0.80 as in "four-fifths")."""
    numbers = [c for c in cells if isinstance(c, int | float) and not isinstance(c, bool)]
    name = column.lower()
    if not numbers:
        return ""
    if "ratio" in name or "score" in name:
        return "score"
    if all(0 <= c <= 1 for c in numbers) and \
            (any(not float(c).is_integer() for c in numbers)
             or any(h in name for h in PERCENT_HINTS)):
        return "%"
    return "int" if all(float(c).is_integer() for c in numbers) else "float"


def _plain(table: Table) -> ExportTable:
    # In the metrics' own tables a missing cell is one withheld for being about fewer than
    # 5 people (or pairs): say so, as for figures.
    rows = [[WITHHELD if c is None else c for c in row] for row in table.rows]
    width = max((len(r) for r in table.rows), default=0)
    columns = [table.columns[j] if j < len(table.columns) else "" for j in range(width)]
    formats_by_column = [_column_format(columns[j], [r[j] for r in table.rows if j < len(r)])
                         for j in range(width)]
    formats = [[formats_by_column[j] if isinstance(c, int | float) else ""
                for j, c in enumerate(row)] for row in rows]
    return ExportTable(table.key, table.title, list(table.columns), rows, formats)


def export_tables(report: ProgramReport) -> list[ExportTable]:
    """``report.tables()`` in the same order, with withheld figures as words, never numbers."""
    sections = {title.lower(): figures for title, figures in report.sections()}
    sections["funnel"] = report.funnel
    out = []
    for table in report.tables():
        figures = sections.get(table.key)
        if figures is None:
            out.append(_plain(table))
            continue
        formats = [_figure_formats(f)[:len(row)] for f, row in zip(figures, table.rows,
                                                                  strict=True)]
        out.append(ExportTable(table.key, table.title, list(table.columns), table.rows,
                               formats))
    return out


def assumption(report: ProgramReport, currency: str = "$") -> str:
    """The sentence printed next to the estimated saving."""
    return (f"The estimated saving assumes replacing one employee costs "
            f"{currency}{report.replacement_cost:,}; an admin can change this assumption.")


def render(report: ProgramReport, fmt: str, *,
           progress: Callable[[str], None] | None = None) -> bytes:
    """The report as a file's bytes in ``fmt`` (one of FORMATS).

    ``progress`` hears each stage's name ("Drawing charts", "Writing PDF"…) as it starts.
    """
    step = progress or (lambda _name: None)
    if fmt == "html":
        from core.reports.html import render_html

        step("Drawing charts")
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        from core.reports.pdf import render_pdf

        step("Drawing charts")
        return render_pdf(report, progress=step)
    if fmt == "xlsx":
        from core.reports.xlsx import render_xlsx

        step("Writing XLSX")
        return render_xlsx(report)
    if fmt == "csv":
        from core.reports.csv_out import render_csv

        step("Writing CSV")
        # A BOM so Excel opens the UTF-8 file with names and quotes intact.
        return render_csv(report).encode("utf-8-sig")
    raise ValueError(f"Unknown report format {fmt!r}: pick one of {', '.join(FORMATS)}.")


def filename(report: ProgramReport, fmt: str) -> str:
    """``report-<program-slug>.<ext>``, safe in any file system and HTTP header."""
    return f"report-{slug(report.program)}.{fmt}"


def slug(name: str) -> str:
    """A program name as lowercase ASCII words joined by dashes ("program" if none are left)."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "program"
