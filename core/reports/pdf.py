"""The report as an A4 PDF (reportlab platypus): title, scope, figure tables, charts, tables."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from core.i18n import gettext as _
from core.reports import charts
from core.reports.export import (
    assumption,
    export_tables,
    generated_at,
    states_assumption,
)
from core.reports.model import Figure, ProgramReport, section_title, show

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#616E7C")
LINE = colors.HexColor("#D9E2EC")
SOFT = colors.HexColor("#F5F7FA")
ACCENT = colors.HexColor("#0072B2")
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
CHART_SECTIONS = {"participation": "funnel", "engagement": "sessions",
                  "satisfaction": "satisfaction", "outcomes": "comparison"}
FIGURE_TABLES = {"participation", "matching", "engagement", "satisfaction", "development",
                 "outcomes", "quotes"}


def _fonts() -> tuple[str, str]:
    """DejaVu Sans from matplotlib's own data (always installed with it): unlike the PDF
    base fonts it has accents, arrows and most scripts people's quotes are written in."""
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        import matplotlib

        ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        try:
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(ttf / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(ttf / "DejaVuSans-Bold.ttf")))
        except Exception:  # noqa: BLE001 - a missing font file must not stop the report
            return "Helvetica", "Helvetica-Bold"
    return "DejaVuSans", "DejaVuSans-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=22,
                                leading=26, alignment=0, textColor=INK, spaceAfter=4),
        "meta": ParagraphStyle("meta", fontName=regular, fontSize=9.5, leading=13,
                               textColor=MUTED),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=14, leading=18, textColor=INK,
                             spaceBefore=12, spaceAfter=6),
        "h3": ParagraphStyle("h3", fontName=bold, fontSize=11, leading=14, textColor=INK,
                             spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11.5,
                               textColor=INK),
        "value": ParagraphStyle("value", fontName=bold, fontSize=10, leading=12.5,
                                textColor=INK),
        "withheld": ParagraphStyle("withheld", fontName=regular, fontSize=9, leading=11.5,
                                   textColor=MUTED),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8.5, leading=11,
                               textColor=MUTED),
        "quote": ParagraphStyle("quote", fontName=regular, fontSize=10, leading=14,
                                textColor=INK, leftIndent=10, borderPadding=(4, 4, 4, 8),
                                spaceBefore=4, spaceAfter=6),
        "placeholder": ParagraphStyle("placeholder", fontName=regular, fontSize=11,
                                      leading=15, textColor=MUTED, alignment=TA_CENTER),
        "muted": ParagraphStyle("muted", fontName=regular, fontSize=9, leading=12,
                                textColor=MUTED),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads a little XML markup: people's text must be escaped first.
    return Paragraph(escape(text), style)


def _grid(rows: list[list[Paragraph]], widths: list[float]) -> PdfTable:
    table = PdfTable(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
        ("LINEBELOW", (0, 0), (-1, 0), 1, MUTED),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, SOFT]),
    ]))
    return table


def _figure_table(figures: list[Figure], st: dict[str, ParagraphStyle],
                  note_for: dict[str, str], stated: Callable[[str], bool]) -> PdfTable:
    rows = [[_p(h, st["head"]) for h in (_("Figure"), _("Value"), _("Based on"), _("Note"))]]
    for f in figures:
        shown = f.display()
        withheld = f.suppressed or f.value is None
        base = f.based_on()
        note = f.note if f.note != shown else ""
        if f.key in note_for and not stated(note):
            # The saving means nothing without its assumption, unless its note states it.
            note = f"{note} {note_for[f.key]}".strip()
        rows.append([_p(f.label, st["cell"]),
                     _p(shown, st["withheld"] if withheld else st["value"]),
                     _p(base, st["cell"]), _p(note, st["muted"])])
    # Notes explain how a figure was measured and run long: they get the most room.
    return _grid(rows, [WIDTH * 0.28, WIDTH * 0.16, WIDTH * 0.14, WIDTH * 0.42])


def _chart(chart: charts.Chart, st: dict[str, ParagraphStyle]):  # type: ignore[no-untyped-def]
    if chart.placeholder or not isinstance(chart.image, bytes):
        box = PdfTable([[_p(chart.title, st["h3"])],
                        [_p(chart.placeholder or _(charts.NO_DATA), st["placeholder"])]],
                       colWidths=[WIDTH], rowHeights=[None, 22 * mm])
        box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.75, LINE),
                                 ("BACKGROUND", (0, 1), (-1, 1), SOFT),
                                 ("VALIGN", (0, 1), (-1, 1), "MIDDLE")]))
        return KeepTogether([Spacer(1, 4), box, Spacer(1, 6)])
    image = Image(io.BytesIO(chart.image))
    # Keep the aspect ratio; charts are drawn at 150 dpi, so this stays sharp in print.
    scale = min(WIDTH * 0.92 / image.imageWidth, 95 * mm / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    return KeepTogether([Spacer(1, 4), image, Spacer(1, 6)])


def _footer(program: str, generated: str) -> Callable:  # type: ignore[type-arg]
    regular, _bold = _fonts()
    # Read now, in the reader's language: reportlab calls draw() later, page by page.
    footer = _("{program} · mentoring report · {when}").format(program=program, when=generated)
    page = _("Page {n}")

    def draw(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 10 * mm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, page.format(n=doc.page))
        canvas.restoreState()

    return draw


def render_pdf(report: ProgramReport, *, progress: Callable[[str], None] | None = None,
               currency: str = "USD") -> bytes:
    """The report as A4 PDF bytes; ``progress`` hears "Writing PDF" once the charts are drawn."""
    st = _styles()
    drawn = {c.key: c for c in charts.charts(report, "png")}
    if progress:
        progress(_("Writing PDF"))
    saving_note = assumption(report, currency)
    generated = generated_at(report)
    story: list = [  # type: ignore[type-arg]
        _p(report.program, st["title"]),
        _p(_("Mentoring program report · generated {when}").format(when=generated), st["meta"]),
        Spacer(1, 6),
    ]
    scope_word = escape(_("Scope:"))
    scope = PdfTable([[Paragraph(f"<b>{scope_word}</b> {escape(report.scope)}", st["cell"])],
                      [_p(_("Figures about fewer than 5 people are not shown, so nobody can "
                            "be singled out.") + f" {saving_note}", st["muted"])]],
                     colWidths=[WIDTH])
    scope.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), SOFT),
                               ("BOX", (0, 0), (-1, -1), 0.5, LINE),
                               ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
    story += [scope, Spacer(1, 4)]
    def stated(note: str) -> bool:
        return states_assumption(report, note, currency)

    for key, figures in report.sections():
        block = [_p(section_title(key), st["h2"])]
        block.append(_figure_table(figures, st, {"estimated_saving": saving_note}, stated)
                     if figures else _p(_("No data yet"), st["muted"]))
        # A heading never sits alone at the foot of a page.
        story += [CondPageBreak(40 * mm), KeepTogether(block)]
        if key in CHART_SECTIONS:
            story.append(_chart(drawn[CHART_SECTIONS[key]], st))
    story += [CondPageBreak(50 * mm), _p(_("Tables"), st["h2"])]
    for t in export_tables(report):
        if t.key in FIGURE_TABLES:
            continue
        rows = [[_p(c, st["head"]) for c in t.columns]]
        rows += [[_p(show(c, f, currency), st["cell"]) for c, f in zip(r, fs, strict=True)]
                 for r, fs in zip(t.rows, t.formats, strict=True)]
        widths = [WIDTH / max(len(t.columns), 1)] * len(t.columns)
        body = _grid(rows, widths) if t.rows else _p(_("No data yet"), st["muted"])
        story.append(KeepTogether([_p(t.title, st["h3"]), body]))
    story += [CondPageBreak(40 * mm), _p(_("In their words"), st["h2"])]
    if report.quotes:
        story += [_p(f"“{q}”", st["quote"]) for q in report.quotes]
        story.append(_p(_("Shared with consent."), st["muted"]))
    else:
        story.append(_p(_("No quotes shared yet."), st["muted"]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN,
                            title=_("{program}: mentoring report").format(
                                program=report.program), author="Mentorbot",
                            subject=report.scope)
    footer = _footer(report.program, generated)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
