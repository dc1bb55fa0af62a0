"""The report's four charts, drawn with matplotlib from a ``ProgramReport``.

Each chart comes as PNG (PDF, chat digest) or SVG text (HTML). A chart whose data is withheld
(fewer than 5 people) or missing is never drawn as zeros: ``placeholder`` says why, and the
renderers show that sentence instead of a picture.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import matplotlib

# Agg before pyplot: reports are drawn in servers and CI with no display.
matplotlib.use("Agg")

from matplotlib import rc_context  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from core.i18n import N_, format_number, ngettext  # noqa: E402
from core.i18n import gettext as _  # noqa: E402
from core.reports.model import NO_DATA as NO_DATA_LOWER  # noqa: E402
from core.reports.model import SUPPRESSED_NOTE, WITHHELD, Figure, ProgramReport, show  # noqa: E402

# msgids: a chart's title and placeholder are translated where they are drawn or shown.
NO_DATA = N_("No data yet")

# Okabe-Ito: told apart by people with any common colour-vision deficiency, and in greyscale.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
SKY = "#56B4E9"
INK = "#1F2933"
MUTED = "#616E7C"
GRID = "#D9E2EC"
FUNNEL_COLOURS = [SKY, BLUE, GREEN, ORANGE, VERMILION]

Format = Literal["png", "svg"]
_DRAWING = threading.Lock()

_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelcolor": INK,
    "axes.edgecolor": GRID,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    # Text stays text in SVG: smaller, selectable, read by screen readers.
    "svg.fonttype": "none",
}


@dataclass(frozen=True)
class ChartSpec:
    """One of the report's charts: what it is called and how to draw it."""

    key: str
    title: str
    draw: Callable[[ProgramReport, Axes], None]
    missing: Callable[[ProgramReport], str | None]
    describe: Callable[[ProgramReport], str]


@dataclass(frozen=True)
class Chart:
    """A drawn chart (``image`` set) or the sentence shown instead (``placeholder`` set)."""

    key: str
    title: str
    alt: str
    placeholder: str | None
    image: bytes | str | None


# ---------------------------------------------------------------- what is drawable

def _known(f: Figure) -> bool:
    return not f.suppressed and f.value is not None


def _missing_funnel(report: ProgramReport) -> str | None:
    if not report.funnel:
        return NO_DATA
    # Bars need at least one stage with people in it; all zeros or withheld says nothing.
    if any(_known(f) and f.value for f in report.funnel):
        return None
    return SUPPRESSED_NOTE if any(f.suppressed for f in report.funnel) else NO_DATA


def _missing_sessions(report: ProgramReport) -> str | None:
    return None if report.sessions_by_month else NO_DATA


def _missing_satisfaction(report: ProgramReport) -> str | None:
    if report.satisfaction_distribution:
        return None
    # The distribution is None both with no answers and with 1 to 4; the figures tell which.
    return SUPPRESSED_NOTE if any(f.suppressed for f in report.satisfaction) else NO_DATA


COMPARISON_KEYS = [(N_("Retention"), "retention_participants", "retention_comparison"),
                   (N_("Promotion"), "promotion_participants", "promotion_comparison")]


def _comparison_figures(report: ProgramReport) -> list[Figure]:
    return [f for _, a, b in COMPARISON_KEYS for f in (report.comparison.get(a),
                                                        report.comparison.get(b)) if f]


def _missing_comparison(report: ProgramReport) -> str | None:
    found = _comparison_figures(report)
    if any(_known(f) for f in found):
        return None
    return SUPPRESSED_NOTE if any(f.suppressed for f in found) else NO_DATA


# ---------------------------------------------------------------- drawing

def _bar_labels(ax: Axes, bars, texts: list[str], *, horizontal: bool = False,  # type: ignore[no-untyped-def]
                withheld: list[bool] | None = None) -> None:
    """Write each bar's value at its end, so nobody has to read it off an axis.

    A withheld value has no bar; its words are grey and italic so they never read as a count.
    """
    for i, (bar, text) in enumerate(zip(bars, texts, strict=True)):
        style = {"color": MUTED, "fontstyle": "italic"} if withheld and withheld[i] else {}
        if horizontal:
            ax.annotate(text, (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=9,
                        **style)
        else:
            # A white backing keeps the number legible where a line crosses it.
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9,
                        zorder=5, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                        "edgecolor": "none", "alpha": 0.85}, **style)


def _legend_on_top(ax: Axes) -> None:
    # Between title and plot: inside the axes a legend covers bars and their value labels.
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2,
              borderaxespad=0.2)


def _withheld_text(f: Figure) -> str:
    return _(WITHHELD) if f.suppressed else _(NO_DATA_LOWER)


def _pct(share: float) -> str:
    return show(share, "%")


def _draw_funnel(report: ProgramReport, ax: Axes) -> None:
    stages = report.funnel
    labels = [f.label for f in stages]
    values = [f.value if _known(f) else 0 for f in stages]
    y = list(range(len(stages)))[::-1]  # first stage on top, as a funnel reads
    colours = [FUNNEL_COLOURS[i % len(FUNNEL_COLOURS)] for i in range(len(stages))]
    bars = ax.barh(y, values, color=colours, height=0.65)
    top = next((f.value for f in stages if _known(f) and f.value), None)
    texts = []
    for f in stages:
        if not _known(f):
            # An empty bar plus words, never a bar that reads as zero people.
            texts.append(_withheld_text(f))
        elif top and f.value is not None and f is not stages[0]:
            texts.append(f"{format_number(f.value)}  ({_pct(f.value / top)})")
        else:
            texts.append(format_number(f.value))
    _bar_labels(ax, bars, texts, horizontal=True, withheld=[not _known(f) for f in stages])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_yticks(y, labels)
    ax.set_xlabel(_("People"))
    ax.set_xlim(0, max(values or [1]) * 1.3 or 1)
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def _draw_sessions(report: ProgramReport, ax: Axes) -> None:
    months = [m for m, _, _ in report.sessions_by_month]
    sessions = [s for _, s, _ in report.sessions_by_month]
    pairs = [p for _, _, p in report.sessions_by_month]
    x = range(len(months))
    bars = ax.bar(x, sessions, color=BLUE, width=0.6, label=_("Sessions logged"))
    _bar_labels(ax, bars, [format_number(s) for s in sessions])
    ax.plot(list(x), pairs, color=ORANGE, marker="o", linewidth=2, label=_("Live pairs"))
    ax.set_xticks(list(x), months, rotation=45 if len(months) > 8 else 0,
                  ha="right" if len(months) > 8 else "center")
    ax.set_xlabel(_("Month"))
    ax.set_ylabel(_("Sessions / pairs"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(sessions + pairs + [1]) * 1.2)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    _legend_on_top(ax)


def _useful_label(answer: int) -> str:
    ends = {1: _("not at all"), 5: _("very")}
    return f"{answer}\n{ends[answer]}" if answer in ends else str(answer)


def _draw_satisfaction(report: ProgramReport, ax: Axes) -> None:
    dist = report.satisfaction_distribution or {}
    answers = [1, 2, 3, 4, 5]
    counts = [dist.get(a, 0) for a in answers]
    total = sum(counts) or 1
    colours = [VERMILION, ORANGE, "#B0B8C1", SKY, BLUE]
    bars = ax.bar(answers, counts, color=colours, width=0.65)
    _bar_labels(ax, bars, [f"{format_number(c)} ({_pct(c / total)})" for c in counts])
    ax.set_xticks(answers, [_useful_label(a) for a in answers])
    ax.set_xlabel(_("How useful was mentoring? (1 to 5)"))
    ax.set_ylabel(_("People"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(counts + [1]) * 1.2)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def _draw_comparison(report: ProgramReport, ax: Axes) -> None:
    width = 0.36
    groups = [(name, report.comparison.get(a), report.comparison.get(b))
              for name, a, b in COMPARISON_KEYS]
    for offset, index, colour, label in ((-width / 2, 1, BLUE, _("Participants")),
                                         (width / 2, 2, ORANGE, _("Comparison group"))):
        figures = [g[index] for g in groups]
        heights = [f.value * 100 if f and _known(f) and f.value is not None else 0
                   for f in figures]
        bars = ax.bar([i + offset for i in range(len(groups))], heights, width,
                      color=colour, label=label)
        texts = [_pct(h / 100) if f and _known(f) else
                 (_withheld_text(f) if f else _(NO_DATA_LOWER))
                 for f, h in zip(figures, heights, strict=True)]
        _bar_labels(ax, bars, texts, withheld=[not (f and _known(f)) for f in figures])
    ax.set_xticks(range(len(groups)), [_(g[0]) for g in groups])
    ax.set_ylabel(_("Share of people (%)"))
    ax.set_ylim(0, 110)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    _legend_on_top(ax)


# ---------------------------------------------------------------- descriptions (alt text)

def _describe_funnel(report: ProgramReport) -> str:
    return _("Funnel: {stages}.").format(
        stages="; ".join(f"{f.label} {f.display()}" for f in report.funnel))


def _describe_sessions(report: ProgramReport) -> str:
    return _("Sessions by month: {months}.").format(months="; ".join(
        # Two counts, each with its own plural form, so the month's line is put together.
        _("{month}: {sessions}, {pairs}").format(
            month=m,
            sessions=ngettext("{n} session", "{n} sessions", s).format(n=format_number(s)),
            pairs=ngettext("{n} live pair", "{n} live pairs", p).format(n=format_number(p)))
        for m, s, p in report.sessions_by_month))


def _describe_satisfaction(report: ProgramReport) -> str:
    dist = report.satisfaction_distribution or {}
    return _("How useful, 1 to 5: {answers}.").format(answers="; ".join(
        ngettext("{answer}: {n} person", "{answer}: {n} people", v).format(
            answer=k, n=format_number(v))
        for k, v in sorted(dist.items())))


def _describe_comparison(report: ProgramReport) -> str:
    parts = []
    for name, a, b in COMPARISON_KEYS:
        fa, fb = report.comparison.get(a), report.comparison.get(b)
        parts.append(_("{measure}: participants {participants}, comparison group "
                       "{comparison}").format(
            measure=_(name), participants=fa.display() if fa else _(NO_DATA_LOWER),
            comparison=fb.display() if fb else _(NO_DATA_LOWER)))
    return "; ".join(parts) + "."


SPECS: list[ChartSpec] = [
    ChartSpec("funnel", N_("From invitation to active pairs"), _draw_funnel, _missing_funnel,
              _describe_funnel),
    ChartSpec("sessions", N_("Sessions over time"), _draw_sessions, _missing_sessions,
              _describe_sessions),
    ChartSpec("satisfaction", N_("How useful participants found it"), _draw_satisfaction,
              _missing_satisfaction, _describe_satisfaction),
    ChartSpec("comparison", N_("Retention and promotion vs comparison group"),
              _draw_comparison, _missing_comparison, _describe_comparison),
]
SPEC_BY_KEY = {s.key: s for s in SPECS}


def _render(fig: MplFigure, fmt: Format, key: str) -> bytes | str:
    buffer = io.BytesIO()
    # No dates in the metadata: the same report draws the same bytes.
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    fig.savefig(buffer, format=fmt, dpi=150, bbox_inches="tight", metadata=metadata)
    if fmt == "png":
        return buffer.getvalue()
    return _inline_svg(buffer.getvalue().decode("utf-8"), key)


def _inline_svg(svg: str, key: str) -> str:
    """SVG ready to sit inline in HTML next to three others: no prolog, ids made unique."""
    svg = svg[svg.index("<svg"):]
    # The RDF metadata block only names the software; it is bulk with no reader.
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # matplotlib names ids "figure_1", "patch_2"…: the same in every chart, and an inline
    # clip path pointing at another chart's id would cut the wrong shape.
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{key}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{key}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{key}-{m.group(1)}"', svg)
    return svg


def _placeholder_figure(title: str, message: str) -> MplFigure:
    fig = MplFigure(figsize=(7, 2.2))
    ax = fig.subplots()
    ax.set_title(title)
    ax.set_axis_off()
    ax.text(0.5, 0.45, message, ha="center", va="center", fontsize=13, color=MUTED,
            transform=ax.transAxes,
            bbox={"boxstyle": "round,pad=0.8", "facecolor": "#F5F7FA", "edgecolor": GRID})
    return fig


def draw(report: ProgramReport, key: str, fmt: Format = "png") -> bytes | str:
    """One chart as PNG bytes or SVG text; a placeholder picture when its data is missing."""
    spec = SPEC_BY_KEY[key]
    # rcParams are process-wide: one chart at a time, or a concurrent report (the admin page
    # renders in worker threads) could restore the defaults mid-drawing.
    with _DRAWING, rc_context(_STYLE):
        reason = spec.missing(report)
        if reason:
            return _render(_placeholder_figure(_(spec.title), _(reason)), fmt, key)
        height = 3.4 if key != "funnel" else 0.55 * max(len(report.funnel), 3) + 1.2
        # Figure, not pyplot: no global figure registry to leak or share between threads.
        fig = MplFigure(figsize=(7, height))
        ax = fig.subplots()
        spec.draw(report, ax)
        ax.set_title(_(spec.title), pad=28 if ax.get_legend() else 12)
        return _render(fig, fmt, key)


def funnel_chart(report: ProgramReport, fmt: Format = "png") -> bytes | str:
    """Invited → enrolled → matched → met → active, as horizontal bars with counts."""
    return draw(report, "funnel", fmt)


def sessions_chart(report: ProgramReport, fmt: Format = "png") -> bytes | str:
    """Sessions logged per month (bars) and live pairs per month (line)."""
    return draw(report, "sessions", fmt)


def satisfaction_chart(report: ProgramReport, fmt: Format = "png") -> bytes | str:
    """How many people answered 1 to 5 to "how useful"."""
    return draw(report, "satisfaction", fmt)


def comparison_chart(report: ProgramReport, fmt: Format = "png") -> bytes | str:
    """Retention and promotion: participants beside the comparison group."""
    return draw(report, "comparison", fmt)


def charts(report: ProgramReport, fmt: Format = "png") -> list[Chart]:
    """All four charts in reading order; a withheld or empty one carries only its reason."""
    out = []
    for spec in SPECS:
        reason = spec.missing(report)
        shown = _(reason) if reason else None
        alt = shown if shown else spec.describe(report)
        image = None if reason else draw(report, spec.key, fmt)
        out.append(Chart(spec.key, _(spec.title), alt, shown, image))
    return out


def digest_chart(report: ProgramReport) -> bytes:
    """The single most telling chart, the funnel, as PNG for the chat digest."""
    png = draw(report, "funnel", "png")
    assert isinstance(png, bytes)
    return png
