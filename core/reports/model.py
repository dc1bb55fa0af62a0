"""What a program report holds: figures that know how many people they are about, and tables.

The metrics module fills a ``ProgramReport``; the renderers (HTML, PDF, XLSX, CSV, chat digest)
only read it. Suppression happens here, once, so no renderer can leak a small group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# A figure about fewer people than this is withheld, so nobody can be singled out.
MIN_PEOPLE = 5
SUPPRESSED_NOTE = "Not shown: fewer than 5 people"
# What a withheld or not-yet-measurable value reads as, in every format.
WITHHELD = "fewer than 5"
NO_DATA = "no data yet"

Cell = str | int | float | None
# A figure's unit as a cell format: "%" (a fraction), "money", "int", "float", "score", "nps".
UNIT_FORMATS = {"%": "%", "money": "money", "people": "int", "count": "int", "nps": "nps",
                "score": "score"}


def show(cell: Cell, fmt: str, currency: str = "$") -> str:
    """A value as a person reads it, in one of the cell formats ("" shows it as it is)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    v = float(cell)
    if fmt == "%":
        return f"{v * 100:.0f}%"
    if fmt == "money":
        return f"{currency}{v:,.0f}"
    if fmt == "nps":
        return f"{v:+.0f}"
    if fmt == "score":
        return f"{v:.2f}"
    if fmt == "int" or v.is_integer():
        return f"{v:,.0f}"
    return f"{v:,.1f}"


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
        one = {"people": "person", "pairs": "pair"}.get(self.base, self.base)
        return f"{self.n:,} {one if self.n == 1 else self.base}"

    def fmt(self) -> str:
        """The cell format of the value (see UNIT_FORMATS)."""
        if self.unit in UNIT_FORMATS:
            return UNIT_FORMATS[self.unit]
        return "int" if self.value is not None and float(self.value).is_integer() else "float"

    def display(self, currency: str = "$") -> str:
        """The value as a person reads it, or why it is missing."""
        if self.suppressed:
            return WITHHELD
        if self.value is None:
            return NO_DATA
        return show(self.value, self.fmt(), currency)

    def cells(self) -> list[Cell]:
        """The figure as a table row (label, value, base, note). Withheld, neither the value
        nor the base is a number: for a head count the base is the count itself."""
        if self.suppressed:
            return [self.label, WITHHELD, WITHHELD, self.note]
        if self.value is None:
            return [self.label, NO_DATA, self.n or None, self.note]
        return [self.label, self.value, self.n, self.note]


def figure(key: str, label: str, value: float | None, n: int, unit: str = "",
           note: str = "", *, count: bool = False, base: str = "people") -> Figure:
    """A figure with the small-group rule applied: under 5 people, the value is dropped.

    ``count=True`` marks a head count (its base is itself): 0 is shown, 1 to 4 are withheld.
    """
    size = int(value or 0) if count else n
    if 0 < size < MIN_PEOPLE:
        return Figure(key, label, None, size, unit, SUPPRESSED_NOTE, base)
    if size == 0 and not count:
        return Figure(key, label, None, 0, unit, note or "no data yet", base)
    return Figure(key, label, value, size, unit, note, base)


@dataclass(frozen=True)
class Table:
    """A titled grid; one XLSX sheet and one CSV block each."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]


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
        """The figure sections in reading order."""
        return [("Participation", self.participation), ("Matching", self.matching),
                ("Engagement", self.engagement), ("Satisfaction", self.satisfaction),
                ("Development", self.development), ("Outcomes", self.outcomes)]

    def tables(self) -> list[Table]:
        """Every part of the report as a table (one XLSX sheet each)."""
        out = [Table(title.lower(), title, ["Metric", "Value", "People", "Note"],
                     [f.cells() for f in figures])
               for title, figures in self.sections()]
        out.append(Table("funnel", "Funnel", ["Stage", "People"],
                         [f.cells()[:2] for f in self.funnel]))
        out.append(Table("sessions", "Sessions by month", ["Month", "Sessions", "Live pairs"],
                         [list(row) for row in self.sessions_by_month]))
        dist = self.satisfaction_distribution
        out.append(Table("usefulness", "How useful (1 to 5)", ["Answer", "People"],
                         [[k, v] for k, v in sorted(dist.items())] if dist else []))
        out.extend(t for t in (self.end_reasons, self.fairness, self.cohorts) if t is not None)
        out.append(Table("quotes", "Quotes (shared with consent)", ["Quote"],
                         [[q] for q in self.quotes]))
        return out
