"""Render a ``ProgramReport`` as HTML, PDF, XLSX or CSV bytes (the renderers share
``core.reports.export``, and never import this module back)."""

from __future__ import annotations

from collections.abc import Callable

from core.i18n import gettext as _
from core.reports.model import ProgramReport

FORMATS = ("html", "pdf", "xlsx", "csv")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def render(report: ProgramReport, fmt: str, *,
           progress: Callable[[str], None] | None = None) -> bytes:
    """The report as a file's bytes in ``fmt`` (one of FORMATS).

    ``progress`` hears each stage's name ("Drawing charts", "Writing PDF"…) as it starts.
    """
    step = progress or (lambda _name: None)
    if fmt == "html":
        from core.reports.html import render_html

        step(_("Drawing charts"))
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        from core.reports.pdf import render_pdf

        step(_("Drawing charts"))
        return render_pdf(report, progress=step)
    if fmt == "xlsx":
        from core.reports.xlsx import render_xlsx

        step(_("Writing XLSX"))
        return render_xlsx(report)
    if fmt == "csv":
        from core.reports.csv_out import render_csv

        step(_("Writing CSV"))
        # A BOM so Excel opens the UTF-8 file with names and quotes intact.
        return render_csv(report).encode("utf-8-sig")
    raise ValueError(_("Unknown report format {fmt}: pick one of {formats}.").format(
        fmt=repr(fmt), formats=", ".join(FORMATS)))


def filename(report: ProgramReport, fmt: str) -> str:
    """``report-<program-slug>.<ext>``, safe in any file system and HTTP header."""
    return f"report-{slug(report.program)}.{fmt}"


def slug(name: str) -> str:
    """A program name as lowercase ASCII words joined by dashes ("program" if none are left)."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "program"
