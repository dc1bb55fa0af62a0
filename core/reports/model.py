"""What a program report holds: figures that know how many people they are about, and tables.

The metrics module fills a ``ProgramReport``; the renderers (HTML, PDF, XLSX, CSV, chat digest)
only read it. Suppression happens here, once, so no renderer can leak a small group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from core import i18n
from core.i18n import N_, ngettext
from core.i18n import gettext as _

# A figure about fewer people than this is withheld, so nobody can be singled out.
MIN_PEOPLE = 5
# The English msgids; every renderer shows them through ``_()`` in the reader's language.
SUPPRESSED_NOTE = N_("Not shown: fewer than 5 people")
# What a withheld or not-yet-measurable value reads as, in every format.
WITHHELD = N_("fewer than 5")
NO_DATA = N_("no data yet")

Cell = str | int | float | None
# A figure's unit as a cell format: "%" (a fraction), "money", "int", "float", "score", "nps".
UNIT_FORMATS = {"%": "%", "money": "money", "people": "int", "count": "int", "nps": "nps",
                "score": "score"}


def show(cell: Cell, fmt: str, currency: str = "USD") -> str:
    """A value as the reader writes it, in one of the cell formats ("" shows it as it is):
    "42%" or "42 %", "$50,000" or "50.000 $", "1,234.5" or "1 234,5"."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    v = float(cell)
    if fmt == "%":
        return i18n.format_decimal(round(v * 100), "#,##0") + _percent_sign()
    if fmt == "money":
        return i18n.format_money(v, currency)
    if fmt == "nps":
        return i18n.format_decimal(round(v), "+#,##0;-#,##0")
    if fmt == "score":
        return i18n.format_decimal(v, "0.00")
    if fmt == "int" or v.is_integer():
        return i18n.format_decimal(round(v), "#,##0")
    return i18n.format_decimal(v, "#,##0.0")


def _percent_sign() -> str:
    # "42%" in English and Portuguese, "42 %" in German, French and Spanish: the locale's own
    # pattern says where the sign goes, applied to a rounded whole number.
    return i18n.format_percent(0)[1:]


@dataclass(frozen=True)
class Figure:
    """One number and the people it is about (its base, ``n``).

    ``value`` is None when the figure is suppressed (``n`` under MIN_PEOPLE) or cannot be
    measured yet (``n`` is 0). Rates are fractions (0.42), not percentages.
    """

    key: str
    label: str
    value: float | None
    n: int
    unit: str = ""  # "%" (a fraction), "people", "days", "sessions", "score", "nps", "money"
    note: str = ""
    base: str = "people"  # what ``n`` counts: "people", or "pairs" for pair figures

    @property
    def suppressed(self) -> bool:
        return 0 < self.n < MIN_PEOPLE

    def based_on(self) -> str:
        """'20 pairs', '1 person': what the figure is about, or '' for head counts and gaps."""
        if self.suppressed or self.value is None or not self.n or \
                self.unit in ("people", "count"):
            return ""
        n = i18n.format_number(self.n)
        if self.base == "pairs":
            return ngettext("{n} pair", "{n} pairs", self.n).format(n=n)
        return ngettext("{n} person", "{n} people", self.n).format(n=n)

    def fmt(self) -> str:
        """The cell format of the value (see UNIT_FORMATS)."""
        if self.unit in UNIT_FORMATS:
            return UNIT_FORMATS[self.unit]
        return "int" if self.value is not None and float(self.value).is_integer() else "float"

    def display(self, currency: str = "USD") -> str:
        """The value as a person reads it, or why it is missing."""
        if self.suppressed:
            return _(WITHHELD)
        if self.value is None:
            return _(NO_DATA)
        return show(self.value, self.fmt(), currency)

    def cells(self) -> list[Cell]:
        """The figure as a table row (label, value, base, note). Withheld, neither the value
        nor the base is a number: for a head count the base is the count itself."""
        if self.suppressed:
            return [self.label, _(WITHHELD), _(WITHHELD), self.note]
        if self.value is None:
            return [self.label, _(NO_DATA), self.n or None, self.note]
        return [self.label, self.value, self.n, self.note]


def figure(key: str, label: str, value: float | None, n: int, unit: str = "",
           note: str = "", *, count: bool = False, base: str = "people") -> Figure:
    """A figure with the small-group rule applied: under 5 people, the value is dropped.

    ``count=True`` marks a head count (its base is itself): 0 is shown, 1 to 4 are withheld.
    ``label`` and ``note`` arrive in the reader's language (a report is built for one admin).
    """
    size = int(value or 0) if count else n
    if 0 < size < MIN_PEOPLE:
        return Figure(key, label, None, size, unit, _(SUPPRESSED_NOTE), base)
    if size == 0 and not count:
        return Figure(key, label, None, 0, unit, note or _(NO_DATA), base)
    return Figure(key, label, value, size, unit, note, base)


@dataclass(frozen=True)
class Table:
    """A titled grid; one XLSX sheet and one CSV block each."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    # Each column's cell format (see UNIT_FORMATS' values; "" as is). The headers are in the
    # reader's language, so the format is declared where the table is built, never guessed
    # from a header's words; None (a table from elsewhere) lets ``export`` guess.
    formats: list[str] | None = None


@dataclass
class ProgramReport:
    """Everything the report shows for one program (optionally one cohort or period)."""

    program_id: int
    program: str
    generated_at: datetime
    scope: str  # "All cohorts", "Cohort 2 (published 2026-03-02)", "2026-01-01 to 2026-03-31"
    since: date | None = None
    until: date | None = None
    replacement_cost: int = 50000
    participation: list[Figure] = field(default_factory=list)
    matching: list[Figure] = field(default_factory=list)
    engagement: list[Figure] = field(default_factory=list)
    satisfaction: list[Figure] = field(default_factory=list)
    development: list[Figure] = field(default_factory=list)
    outcomes: list[Figure] = field(default_factory=list)
    # invited, enrolled, matched, met, active: head counts (count=True figures).
    funnel: list[Figure] = field(default_factory=list)
    # (month "2026-03", sessions logged, live pairs that month); months with no pairs omitted.
    sessions_by_month: list[tuple[str, int, int]] = field(default_factory=list)
    # {1: count, ..., 5: count} of "how useful" answers; None when fewer than 5 answered.
    satisfaction_distribution: dict[int, int] | None = None
    # Participants vs comparison group: retention and promotion figures in these four keys:
    # retention_participants, retention_comparison, promotion_participants,
    # promotion_comparison (each also appears in ``outcomes``).
    comparison: dict[str, Figure] = field(default_factory=dict)
    quotes: list[str] = field(default_factory=list)
    fairness: Table | None = None
    end_reasons: Table | None = None
    cohorts: Table | None = None

    def sections(self) -> list[tuple[str, list[Figure]]]:
        """The figure sections in reading order, by key ("participation"...)."""
        return [("participation", self.participation), ("matching", self.matching),
                ("engagement", self.engagement), ("satisfaction", self.satisfaction),
                ("development", self.development), ("outcomes", self.outcomes)]

    def tables(self) -> list[Table]:
        """Every part of the report as a table (one XLSX sheet each), titled and headed in
        the reader's language; ``key`` stays the same in every language."""
        figure_columns = [_("Metric"), _("Value"), _("People"), _("Note")]
        out = [Table(key, section_title(key), figure_columns, [f.cells() for f in figures])
               for key, figures in self.sections()]
        out.append(Table("funnel", _("Funnel"), [_("Stage"), _("People")],
                         [f.cells()[:2] for f in self.funnel]))
        out.append(Table("sessions", _("Sessions by month"),
                         [_("Month"), _("Sessions"), _("Live pairs")],
                         [list(row) for row in self.sessions_by_month], ["", "int", "int"]))
        dist = self.satisfaction_distribution
        out.append(Table("usefulness", _("How useful (1 to 5)"), [_("Answer"), _("People")],
                         [[k, v] for k, v in sorted(dist.items())] if dist else [],
                         ["int", "int"]))
        out.extend(t for t in (self.end_reasons, self.fairness, self.cohorts) if t is not None)
        out.append(Table("quotes", _("Quotes (shared with consent)"), [_("Quote")],
                         [[q] for q in self.quotes], [""]))
        return out


SECTION_TITLES = {"participation": N_("Participation"), "matching": N_("Matching"),
                  "engagement": N_("Engagement"), "satisfaction": N_("Satisfaction"),
                  "development": N_("Development"), "outcomes": N_("Outcomes")}


def section_title(key: str) -> str:
    """A figure section's heading in the reader's language."""
    return _(SECTION_TITLES[key])
