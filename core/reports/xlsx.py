"""The report as an Excel workbook: a Summary sheet, then one sheet per report table."""

from __future__ import annotations

import io
import re

from babel.numbers import get_currency_symbol
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import i18n
from core.i18n import gettext as _
from core.i18n import ngettext
from core.reports.export import (
    ExportTable,
    assumption,
    export_tables,
    generated_at,
    small_groups_note,
)
from core.reports.model import NO_DATA, WITHHELD, ProgramReport

# Excel shows these in the reader's own separators (its locale, not ours): "#,##0" is
# "1.234" in a German Excel. Only the currency sign is written in.
NUMBER_FORMATS = {"%": "0%", "money": '"$"#,##0', "int": "#,##0", "float": "#,##0.0",
                  "score": "0.00", "nps": "+0;-0;0"}
HEADER_FILL = PatternFill("solid", fgColor="E4ECFC")


def money_format(currency: str = "USD") -> str:
    """Whole money as the reader writes it, for Excel: "$"#,##0 in English, #,##0" $" in
    German, "US$ "#,##0 in Brazilian Portuguese (Excel itself picks the separators)."""
    code = "USD" if currency == "$" else currency
    locale = i18n.locale()
    symbol = get_currency_symbol(code, locale=locale)
    pattern = locale.currency_formats["standard"].pattern
    if pattern.lstrip().startswith("¤"):
        gap = " " if pattern.lstrip()[1:2] in (" ", "\xa0") else ""
        return f'"{symbol}{gap}"#,##0'
    gap = " " if "\xa0¤" in pattern or " ¤" in pattern else ""
    return f'#,##0"{gap}{symbol}"'
BOLD = Font(bold=True)
MUTED = Font(italic=True, color="616E7C")


def sheet_title(title: str, taken: set[str]) -> str:
    """An Excel-legal, unique sheet name: at most 31 characters, none of []:*?/\\."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _widths(ws: Worksheet, minimum: int = 8, maximum: int = 60) -> None:
    # Excel has no auto-fit on open; size each column to its longest text.
    for column in ws.columns:
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=0)
        ws.column_dimensions[get_column_letter(column[0].column)].width = \
            max(minimum, min(maximum, longest + 2))


def _write_table(ws: Worksheet, table: ExportTable) -> None:
    muted = (_(WITHHELD), _(NO_DATA))
    ws.append(table.columns)
    for cell in ws[1]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for row, formats in zip(table.rows, table.formats, strict=True):
        ws.append(row)
        for cell, fmt in zip(ws[ws.max_row], formats, strict=False):
            if isinstance(cell.value, str) and cell.value.startswith("="):
                # openpyxl stores "=…" as a formula; a quote someone typed must stay text.
                cell.data_type = "s"
            if isinstance(cell.value, str) and cell.value in muted:
                cell.font = MUTED
            elif fmt in NUMBER_FORMATS and isinstance(cell.value, int | float):
                cell.number_format = money_format() if fmt == "money" else NUMBER_FORMATS[fmt]
            if table.key == "quotes":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if not table.rows:
        ws.append([_("No data yet")])
        ws.cell(ws.max_row, 1).font = MUTED
    ws.freeze_panes = "A2"
    _widths(ws)


def _funnel_chart(ws: Worksheet, rows: int) -> None:
    """A native bar chart beside the funnel table, drawn only when every stage is a number:
    Excel plots a "fewer than 5" cell as zero, which would misread as nobody."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = _("From invitation to active pairs")
    chart.y_axis.title = _("People")
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=rows + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
    chart.x_axis.scaling.orientation = "maxMin"  # first stage on top, as a funnel reads
    chart.height, chart.width = 7.5, 15
    ws.add_chart(chart, "D2")


def render_xlsx(report: ProgramReport, currency: str = "USD") -> bytes:
    """The workbook's bytes: Summary first, then one sheet per ``report.tables()`` table."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    taken: set[str] = set()
    summary.title = sheet_title(_("Summary"), taken)
    summary.append([report.program])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in ((_("Scope"), report.scope),
                         (_("Generated"), generated_at(report)),
                         (_("Replacement cost (assumption)"), report.replacement_cost),
                         (_("Note"), small_groups_note()),
                         (_("Saving assumption"), assumption(report, currency))):
        summary.append([label, value])
        summary.cell(summary.max_row, 1).font = BOLD
    summary.cell(4, 2).number_format = money_format(currency)
    summary.append([])
    summary.append([_("Sheet"), _("What it holds")])
    for cell in summary[summary.max_row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
    tables = export_tables(report)
    names = [sheet_title(t.title, taken) for t in tables]
    for name, table in zip(names, tables, strict=True):
        summary.append([name, ngettext("{title}: {n} row", "{title}: {n} rows",
                                       len(table.rows)).format(title=table.title,
                                                               n=len(table.rows))])
    _widths(summary, maximum=90)
    for row in summary.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                # openpyxl stores "=…" as a formula; a program named like one must stay text.
                cell.data_type = "s"
    for name, table in zip(names, tables, strict=True):
        ws = wb.create_sheet(name)
        _write_table(ws, table)
        if table.key == "funnel" and table.rows and \
                all(isinstance(r[1], int | float) for r in table.rows):
            _funnel_chart(ws, len(table.rows))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
