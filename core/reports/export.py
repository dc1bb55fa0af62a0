"""The tables and sentences every report export shares.

``ProgramReport.tables()`` already writes withheld figures as words; ``export_tables`` adds how
each cell is shown, and the words for the withheld cells (None) of the metrics' own tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.reports.model import WITHHELD, Cell, Figure, ProgramReport, Table

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
