"""The report as one self-contained HTML file: inline CSS, the four charts as inline SVG.

Inline SVG rather than ``<img src="data:…">`` because the admin page's Content-Security-Policy
allows no image sources, and inline SVG text stays sharp, selectable and readable by screen
readers. The same body (``fragment=True``) sits inside the admin page.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from core import i18n
from core.i18n import gettext as _
from core.reports import charts
from core.reports.export import (
    assumption,
    export_tables,
    generated_at,
    small_groups_note,
    states_assumption,
)
from core.reports.model import ProgramReport, section_title, show

SAVING_KEY = "estimated_saving"
# Where each chart sits: next to the figures it illustrates.
CHART_SECTIONS = {"funnel": "participation", "sessions": "engagement",
                  "satisfaction": "satisfaction", "comparison": "outcomes"}
# The figure sections are shown as cards; the tables section lists the rest once.
CARD_TABLES = {"participation", "matching", "engagement", "satisfaction", "development",
               "outcomes", "quotes"}

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    # Every value is escaped (program names and quotes are typed by people); only the SVG
    # matplotlib drew is marked safe in the template.
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True, lstrip_blocks=True,
)


def _cell(value: object) -> str:
    # Table cells arrive pre-formatted as (value, format) pairs from render_html.
    if isinstance(value, tuple):
        return show(value[0], value[1])
    return "" if value is None else str(value)


_ENV.filters["cell"] = _cell
# Every word of the page comes from the catalogs, in the language of the admin who asked;
# `python -m core.i18n.extract` reads the template's _() calls too.
_ENV.globals.update(_=_, section_title=section_title, states_assumption=states_assumption)


def render_html(report: ProgramReport, *, fragment: bool = False,
                currency: str = "USD") -> str:
    """The report page; ``fragment`` gives only its styled body, to embed in another page."""
    drawn = charts.charts(report, "svg")
    charts_after: dict[str, list[charts.Chart]] = {}
    for chart in drawn:
        charts_after.setdefault(CHART_SECTIONS[chart.key], []).append(chart)
    tables = []
    for t in export_tables(report):
        if t.key in CARD_TABLES:
            continue
        rows = [[(c, f) for c, f in zip(row, fmts, strict=True)]
                for row, fmts in zip(t.rows, t.formats, strict=True)]
        tables.append(replace(t, rows=rows))
    return _ENV.get_template("report.html.j2").render(
        report=report, fragment=fragment, charts_after=charts_after, tables=tables,
        currency=currency, saving_key=SAVING_KEY, assumption=assumption(report, currency),
        lang=i18n.bcp47(), generated=generated_at(report), small_groups=small_groups_note())
