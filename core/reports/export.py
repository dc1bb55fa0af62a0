"""The tables and sentences every report export shares.

``ProgramReport.tables()`` already writes withheld figures as words; ``export_tables`` adds how
each cell is shown, and the words for the withheld cells (None) of the metrics' own tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from core.i18n import format_clock, format_date
from core.i18n import gettext as _
from core.reports.model import WITHHELD, Cell, Figure, ProgramReport, Table, show

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
    rows = [[_(WITHHELD) if c is None else c for c in row] for row in table.rows]
    width = max((len(r) for r in table.rows), default=0)
    columns = [table.columns[j] if j < len(table.columns) else "" for j in range(width)]
    declared = table.formats or []
    formats_by_column = [declared[j] if j < len(declared) else
                         _column_format(columns[j], [r[j] for r in table.rows if j < len(r)])
                         for j in range(width)]
    formats = [[formats_by_column[j] if isinstance(c, int | float) else ""
                for j, c in enumerate(row)] for row in rows]
    return ExportTable(table.key, table.title, list(table.columns), rows, formats)


def export_tables(report: ProgramReport) -> list[ExportTable]:
    """``report.tables()`` in the same order, with withheld figures as words, never numbers."""
    sections = dict(report.sections())
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


def assumption(report: ProgramReport, currency: str = "USD") -> str:
    """The sentence printed next to the estimated saving."""
    return _("The estimated saving assumes replacing one employee costs {cost}; an admin can "
             "change this assumption.").format(
        cost=show(report.replacement_cost, "money", currency))


def small_groups_note() -> str:
    """Why some figures are missing, as every format says it once."""
    return _("Figures about fewer than 5 people are not shown.")


def generated_at(report: ProgramReport) -> str:
    """When the report was made, in UTC, written the reader's way: "Mar 31, 2026 09:30 UTC"."""
    at = report.generated_at
    return f"{format_date(at)} {format_clock(at.astimezone(UTC))} UTC"


def states_assumption(report: ProgramReport, note: str, currency: str = "USD") -> bool:
    """Whether a saving's note already names the replacement cost it assumes (then the
    assumption sentence is not repeated beside it): read from the amount, in any language."""
    return show(report.replacement_cost, "money", currency) in note
