"""The report as one long CSV: ``table,row,column,value``, one value per line.

Long format because the report's tables have different columns: one file with a fixed header
loads straight into a pivot table, pandas or R, and filters by table in any spreadsheet.

Language: no import reads this file back, but scripts and pivot tables key on its structure,
so what a program filters by stays the same in every language: the header row, the ``table``
keys ("participation", "funnel"...) and the ``report`` table's column keys ("scope"). What a
person reads is in the admin's language: each table's column headings and the words inside
cells (metric names, notes, "fewer than 5"). Numbers stay machine numbers (0.42, 50000).
"""

from __future__ import annotations

import csv
import io

from core.reports.export import assumption, export_tables, small_groups_note
from core.reports.model import ProgramReport

HEADER = ["table", "row", "column", "value"]
# A spreadsheet runs a cell starting with these as a formula; people's text must not.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def render_csv(report: ProgramReport) -> str:
    """The report as CSV text; the first table, ``report``, says what and when."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    about = [("program", report.program), ("scope", report.scope),
             ("generated", report.generated_at.isoformat()),
             ("replacement_cost", report.replacement_cost),
             ("saving_assumption", assumption(report)),
             ("note", small_groups_note())]
    for column, value in about:
        writer.writerow(["report", 1, column, _safe(value)])
    for table in export_tables(report):
        for i, row in enumerate(table.rows, start=1):
            for column, value in zip(table.columns, row, strict=False):
                # Fractions stay fractions (0.42): a machine-readable file, like model.Figure.
                writer.writerow([table.key, i, column, _safe(value)])
    return out.getvalue()
