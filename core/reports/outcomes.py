"""Outcomes from HRIS data: 12-month retention and promotion, participants against a
comparison group of non-participants like them, and the saving that difference implies.

Definitions (the report's notes repeat the parts a reader needs):

* **Participant**: anyone (mentor or mentee) in a published match of the program within the
  report's scope. Their **start** is the publishing date of their first such match.
* **Eligible**: the start is at least 12 calendar months before ``now``, they were employed on
  the start date (hired on or before it, or hire date unknown; not left on or before it), and
  their leaving date is known if they are inactive (someone deactivated before leaving dates
  were recorded left on an unknown day, so they are left out rather than guessed).
* **Retained**: not left within the 12 months after the start (``left_on`` is empty or later
  than start + 12 months). **Promoted**: a LevelChange with ``to_level > from_level`` dated
  after the start and no later than start + 12 months.
* **Comparison group**: people in the same workspace who were never in a published match of
  this program, measured from the same start, in the same **stratum**: current department,
  level on the start date (the stored level, rolled back through later LevelChanges) and
  tenure band on the start date (under 1 year, 1-3, 3-5, 5+ years, or "unknown" without a
  hire date). They must be employed on the start date and pass the same checks as above.
  Participants are grouped by the calendar month they started; each month's comparison is
  measured from the earliest participant start in that month (a cohort published in one run
  shares one exact date, so there the comparison is exact).
* **Standardised comparison rate**: each stratum's non-participant rate weighted by the
  number of eligible participants in it, so both groups have the same mix of departments,
  levels and tenure. Strata with no non-participant are left out of the comparison (the
  note says how many participants that leaves out); the participant rate covers everyone
  eligible.
* **Estimated saving** = (participant retention − comparison retention) × eligible
  participants × replacement cost, never below zero.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import format_number
from core.i18n import gettext as _
from core.models import LevelChange, Match, MatchMentee, Person
from core.reports.model import MIN_PEOPLE, Figure, figure, show
from core.reports.scope import PUBLISHED, Pair, Scope, add_months

Stratum = tuple[str, int | None, str]


def tenure_band(hire: date | None, on: date) -> str:
    """The tenure band on ``on``: "<1y", "1-3y", "3-5y", "5y+" or "unknown"."""
    if hire is None:
        return "unknown"
    years = (on - hire).days / 365.25
    if years < 1:
        return "<1y"
    if years < 3:
        return "1-3y"
    return "3-5y" if years < 5 else "5y+"


@dataclass
class _Employee:
    id: int
    department: str
    level: int | None
    hire: date | None
    active: bool
    left_on: date | None
    # Level history as (changed_on, from_level), sorted; and promotion dates, sorted.
    changes: list[tuple[date, int | None]] = field(default_factory=list)
    promotions: list[date] = field(default_factory=list)

    def level_on(self, day: date) -> int | None:
        """The level held on ``day``: the from-level of the first change after it, else now's."""
        i = bisect_right(self.changes, day, key=lambda c: c[0])
        return self.changes[i][1] if i < len(self.changes) else self.level

    def employed_on(self, day: date) -> bool:
        if not self.active and self.left_on is None:
            return False  # left on an unknown day: can't say, so never counted
        return (self.hire is None or self.hire <= day) and (
            self.left_on is None or self.left_on > day)

    def stratum(self, day: date) -> Stratum:
        return (self.department, self.level_on(day), tenure_band(self.hire, day))

    def retained(self, stop: date) -> bool:
        # Only called for people employed at the start, so any leaving date is after it.
        return self.left_on is None or self.left_on > stop

    def promoted(self, start: date, stop: date) -> bool:
        i = bisect_right(self.promotions, start)
        return i < len(self.promotions) and self.promotions[i] <= stop


@dataclass
class Outcomes:
    """The computed outcome figures, keyed as ProgramReport.comparison expects."""

    figures: list[Figure]
    comparison: dict[str, Figure]


def _load_employees(session: Session, workspace_id: int) -> dict[int, _Employee]:
    people = {row[0]: _Employee(*row) for row in session.execute(select(
        Person.id, Person.department, Person.level, Person.hire_date, Person.active,
        Person.left_on).where(Person.workspace_id == workspace_id))}
    for person_id, changed_on, from_level, to_level in session.execute(select(
            LevelChange.person_id, LevelChange.changed_on, LevelChange.from_level,
            LevelChange.to_level).join(Person, Person.id == LevelChange.person_id)
            .where(Person.workspace_id == workspace_id)
            .order_by(LevelChange.person_id, LevelChange.changed_on, LevelChange.id)):
        emp = people.get(person_id)
        if emp is None:
            continue
        emp.changes.append((changed_on, from_level))
        if from_level is not None and to_level is not None and to_level > from_level:
            emp.promotions.append(changed_on)
    return people


def _ever_participants(session: Session, scope: Scope) -> set[int]:
    """Everyone ever in a published match of the program, whatever the report's scope:
    a past participant is no fair comparison for this cohort either."""
    published = (Match.program_id == scope.program.id, Match.status.in_(PUBLISHED),
                 Match.published_at.is_not(None))
    ids = set(session.scalars(select(Match.mentor_id).where(*published).distinct()))
    ids.update(session.scalars(select(MatchMentee.person_id).join(
        Match, Match.id == MatchMentee.match_id).where(*published).distinct()))
    return ids


def participant_starts(pairs: dict[int, Pair]) -> dict[int, date]:
    """Each participant's start: the publishing date of their first scoped match."""
    starts: dict[int, date] = {}
    for pair in pairs.values():
        day = pair.published_at.date()
        for pid in pair.members:
            if pid not in starts or day < starts[pid]:
                starts[pid] = day
    return starts


def build_outcomes(session: Session, scope: Scope, pairs: dict[int, Pair],
                   replacement_cost: int) -> Outcomes:
    """Retention and promotion of eligible participants against the standardised comparison,
    and the estimated saving (see the module docstring for every definition)."""
    today = scope.now.date()
    employees = _load_employees(session, scope.program.workspace_id)
    starts = participant_starts(pairs)
    everyone_in = starts.keys() | (_ever_participants(session, scope) if scope.cohort or
                                    scope.since or scope.until else set())

    # Eligible participants, grouped by start month; each stratum's participant count.
    eligible: list[tuple[_Employee, date]] = []
    for pid, start in starts.items():
        emp = employees.get(pid)
        if emp is not None and add_months(start, 12) <= today and emp.employed_on(start):
            eligible.append((emp, start))
    by_month: dict[tuple[int, int], list[tuple[_Employee, date]]] = defaultdict(list)
    for emp, start in eligible:
        by_month[(start.year, start.month)].append((emp, start))

    kept = sum(emp.retained(add_months(s, 12)) for emp, s in eligible)
    promoted = sum(emp.promoted(s, add_months(s, 12)) for emp, s in eligible)
    n = len(eligible)

    # Non-participants by department: a stratum never spans two, so each month only
    # looks at the departments its participants are in.
    others: dict[str, list[_Employee]] = defaultdict(list)
    for pid, emp in employees.items():
        if pid not in everyone_in:
            others[emp.department].append(emp)
    weight_total = 0
    kept_weighted = promoted_weighted = 0.0
    left_out = 0
    comparison_people: set[int] = set()
    for group in by_month.values():
        ref = min(start for _, start in group)
        stop = add_months(ref, 12)
        wanted: dict[Stratum, int] = defaultdict(int)
        for emp, start in group:
            wanted[emp.stratum(start)] += 1
        tally: dict[Stratum, list[int]] = {}  # stratum -> [people, retained, promoted]
        candidates = (e for dept in {k[0] for k in wanted} for e in others.get(dept, ()))
        for emp in candidates:
            if not emp.employed_on(ref):
                continue
            key = emp.stratum(ref)
            if key not in wanted:
                continue
            t = tally.setdefault(key, [0, 0, 0])
            t[0] += 1
            t[1] += emp.retained(stop)
            t[2] += emp.promoted(ref, stop)
            comparison_people.add(emp.id)
        for key, weight in wanted.items():
            t = tally.get(key)
            if t is None:
                left_out += weight
                continue
            weight_total += weight
            kept_weighted += weight * t[1] / t[0]
            promoted_weighted += weight * t[2] / t[0]

    m = len(comparison_people)
    has_comparison = weight_total > 0
    # The number left out is itself a head count: under 5 it is not given.
    # Never one: a number is shown only from 5 up, else "Fewer than 5".
    gap = ((_("{n} participants had nobody comparable (same department, level and tenure "
              "band) and are left out of the comparison.").format(n=format_number(left_out))
            if left_out >= MIN_PEOPLE else
            _("Fewer than 5 participants had nobody comparable (same department, level and "
              "tenure band) and are left out of the comparison.")) + " " if left_out else "")
    comp_note = gap + _("Non-participants weighted to the participants' mix of department, "
                        "level and tenure band.")
    part_note = _("People who started at least 12 months ago and were employed on their "
                  "start date.")
    ret_p = figure("retention_participants", _("12-month retention: participants"),
                   kept / n if n else None, n, "%", part_note)
    ret_c = figure("retention_comparison", _("12-month retention: comparison group"),
                   kept_weighted / weight_total if has_comparison else None, m, "%", comp_note)
    pro_p = figure("promotion_participants", _("Promoted within 12 months: participants"),
                   promoted / n if n else None, n, "%", part_note)
    pro_c = figure("promotion_comparison", _("Promoted within 12 months: comparison group"),
                   promoted_weighted / weight_total if has_comparison else None, m, "%",
                   comp_note)
    cost_note = _("Assumes {cost} to replace one employee; change with --replacement-cost. "
                  "(Participant retention − comparison retention) × eligible participants × "
                  "that cost, never below zero.").format(
        cost=show(replacement_cost, "money"))
    if ret_p.value is not None and ret_c.value is not None:
        saving: float | None = max(0.0, (ret_p.value - ret_c.value) * n * replacement_cost)
    else:
        saving = None
        why = (_("Not estimated: the comparison group is under 5 people.")
               if 0 < m < MIN_PEOPLE else _("Not estimated: no comparison group yet.")
               if m == 0 else _("Not estimated: too few eligible participants."))
        cost_note = why + " " + cost_note
    # The saving is about the eligible participants; it is withheld with either rate.
    saving_fig = figure("estimated_saving", _("Estimated saving from retention"), saving, n,
                        "money", cost_note)
    eligible_fig = figure("eligible_participants", _("Participants eligible for outcomes"), n,
                          n, "people", part_note, count=True)
    comparison_fig = figure("comparison_people", _("Comparison group"), m, m, "people",
                            comp_note, count=True)
    comparison = {f.key: f for f in (ret_p, ret_c, pro_p, pro_c)}
    return Outcomes([eligible_fig, comparison_fig, ret_p, ret_c, pro_p, pro_c, saving_fig],
                    comparison)
