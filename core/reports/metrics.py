"""Build a ``ProgramReport``: every figure of one program, for all cohorts, one cohort (a
published matching run) or a period, from a handful of aggregate and column-only queries.

Scope:

* **All cohorts**: every published match of the program; every enrollment and invitation.
* **Cohort** (``run_id``): the matches of that published run. Its people (invited, enrolled)
  are the run's pool: everyone in its matches plus everyone it left unmatched.
* **Period** (``since``/``until``, inclusive days, UTC): matches published in it; enrollments
  and invitations made in it; sessions, check-ins, surveys and goals dated in it; live time
  (for sessions per pair per month) cut to it.

Definitions (each figure's note repeats what a reader needs):

* **Invited**: distinct people with an invitation or an enrollment. **Enrolled**: people with
  an enrollment (withdrawn ones too: they took part). Mentors and mentees by enrolled role;
  **seekers** are mentees, or everyone in a peer program.
* **Match rate**: enrolled people in at least one published match ÷ enrolled.
  **Coverage**: seekers matched ÷ seekers. **Time to match**: median days from a seeker's
  enrollment to their first published match. **Mean match score**: mean score of the
  published matches (base: the people matched as mentees).
* Engagement and satisfaction: see ``engagement`` and ``satisfaction``. Outcomes: see
  ``outcomes``.
* **Goals set / done**: goals in the scoped matches (created in the period), base the people
  who own them. **Mentor training**: enrolled mentors who finished every module ÷ enrolled
  mentors, when the program has modules.
* **Funnel**: invited → enrolled → matched (in a published match) → met (their pair logged a
  session) → active (their match is live now).

Every rate or average goes through ``figure`` so one about fewer than 5 people is withheld;
pair-based figures use pairs as their base, which is stricter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from statistics import median
from typing import Any

from sqlalchemy import String, case, func, select, text, type_coerce, union
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.i18n import ngettext
from core.models import (
    Enrollment,
    Goal,
    GoalStatus,
    Invitation,
    MatchRun,
    Program,
    Role,
    TrainingCompletion,
    TrainingModule,
)
from core.reports import engagement as eng
from core.reports import satisfaction as sat
from core.reports.model import MIN_PEOPLE, Figure, ProgramReport, Table, figure
from core.reports.outcomes import build_outcomes
from core.reports.scope import (
    LIVE,
    Cohort,
    Pair,
    Scope,
    as_utc,
    load_cohorts,
    load_pairs,
    raw_datetime,
)

Enrolled = dict[int, tuple[str, datetime]]  # person -> (role, enrolled at)


def build_report(session: Session, program: Program, *, now: datetime,
                 since: date | None = None, until: date | None = None,
                 run_id: int | None = None, replacement_cost: int | None = None,
                 progress: Callable[[str], None] | None = None) -> ProgramReport:
    """Every figure and table of ``program``'s report, small groups already suppressed.

    ``run_id`` limits it to one published cohort, ``since``/``until`` to a period (both may
    be combined). ``progress`` hears a short stage name before each stage.
    """
    with _bulk_plans(session):
        return _build(session, program, now=now, since=since, until=until, run_id=run_id,
                      replacement_cost=replacement_cost, progress=progress)


@contextmanager
def _bulk_plans(session: Session) -> Iterator[None]:
    """On PostgreSQL, plan this report's queries without nested-loop joins.

    Every query here reads a whole program at once, where hash joins are right. A planner
    without fresh statistics (just after a bulk import, or with autovacuum off) guesses the
    scoped matches are one row and nests a scan of 25,000 introductions inside a loop over
    25,000 matches: minutes instead of milliseconds. ``SET LOCAL`` only lasts for this
    transaction, and the default comes back as soon as the report is built.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    session.execute(text("SET LOCAL enable_nestloop = off"))
    try:
        yield
    finally:
        session.execute(text("SET LOCAL enable_nestloop TO DEFAULT"))


def _build(session: Session, program: Program, *, now: datetime, since: date | None,
           until: date | None, run_id: int | None, replacement_cost: int | None,
           progress: Callable[[str], None] | None) -> ProgramReport:
    note = progress or (lambda _stage: None)
    cost = program.replacement_cost if replacement_cost is None else replacement_cost
    cohorts = load_cohorts(session, program)
    cohort = None
    if run_id is not None:
        cohort = next((c for c in cohorts if c.run_id == run_id), None)
        if cohort is None:
            raise ValueError(_("Run {run} is not a published run of {program}.").format(
                run=run_id, program=program.name))
    scope = Scope(program, now, since, until, cohort, cohorts)
    report = ProgramReport(program_id=program.id, program=program.name, generated_at=now,
                           scope=scope.label, since=since, until=until, replacement_cost=cost)

    note(_("Loading matches"))
    pairs_by_id = load_pairs(session, scope)
    pairs = list(pairs_by_id.values())

    note(_("Participation"))
    enrolled = _enrolled(session, scope, pairs)
    invited = _invited(session, scope, enrolled)
    report.participation = _participation(enrolled, invited)

    note(_("Matching"))
    report.matching = _matching(scope, enrolled, pairs)
    report.fairness = _fairness(session, scope)

    note(_("Engagement"))
    activity = eng.load_activity(session, scope)
    report.engagement, report.end_reasons = eng.engagement(session, scope, pairs, activity)
    report.sessions_by_month = eng.sessions_by_month(pairs, activity, scope)

    note(_("Satisfaction"))
    answer_rows = sat.load_answers(session, scope)
    report.satisfaction, report.satisfaction_distribution = sat.satisfaction(
        sat.latest(answer_rows))
    report.quotes = sat.quotes(session, scope)

    note(_("Development"))
    report.development = _development(session, scope, enrolled)

    note(_("Outcomes"))
    outcomes = build_outcomes(session, scope, pairs_by_id, cost)
    report.outcomes, report.comparison = outcomes.figures, outcomes.comparison

    note(_("Cohorts"))
    report.funnel = _funnel(invited, enrolled, pairs, activity)
    report.cohorts = _cohorts(scope, pairs, activity, answer_rows)
    return report


# --- participation ------------------------------------------------------------------------


def _enrolled(session: Session, scope: Scope, pairs: list[Pair]) -> Enrolled:
    """Enrolled people in scope: person -> (role, enrolled at)."""
    # Role as its stored string and the time without the UTC hook: this is the biggest
    # per-person fetch of the report (a StrEnum compares equal to its string).
    query = select(Enrollment.person_id, type_coerce(Enrollment.role, String),
                   raw_datetime(Enrollment.created_at)).where(
        Enrollment.program_id == scope.program.id)
    if scope.cohort is None:
        query = query.where(*scope.in_window(Enrollment.created_at))
    rows = {pid: (role, as_utc(at)) for pid, role, at in session.execute(query)}
    if scope.cohort is None:
        return rows
    pool = {pid for p in pairs for pid in p.members}
    unmatched = session.scalar(select(MatchRun.unmatched).where(
        MatchRun.id == scope.cohort.run_id)) or []
    pool.update(int(u["person_id"]) for u in unmatched if "person_id" in u)
    return {pid: rows[pid] for pid in pool if pid in rows}


def _invited(session: Session, scope: Scope, enrolled: Enrolled) -> int:
    if scope.cohort is not None:
        return len(enrolled)  # a run's pool has no separate invitation step
    pid = scope.program.id
    people = union(
        select(Invitation.person_id).where(Invitation.program_id == pid,
                                           *scope.in_window(Invitation.created_at)),
        select(Enrollment.person_id).where(Enrollment.program_id == pid,
                                           *scope.in_window(Enrollment.created_at))).subquery()
    return int(session.scalar(select(func.count()).select_from(people)) or 0)


def _seekers(scope: Scope, enrolled: Enrolled) -> set[int]:
    return {pid for pid, (role, _) in enrolled.items() if scope.peer or role == Role.MENTEE}


def _participation(enrolled: Enrolled, invited: int) -> list[Figure]:
    mentors = sum(role == Role.MENTOR for role, _ in enrolled.values())
    mentees = sum(role == Role.MENTEE for role, _ in enrolled.values())
    return [
        figure("invited", _("Invited"), invited, invited, "people",
               _("People with an invitation or an enrollment."), count=True),
        figure("enrolled", _("Enrolled"), len(enrolled), len(enrolled), "people", count=True),
        figure("mentors", _("Mentors"), mentors, mentors, "people", count=True),
        figure("mentees", _("Mentees"), mentees, mentees, "people", count=True),
        figure("mentee_mentor_ratio", _("Mentees per mentor"),
               mentees / mentors if mentors else None, mentors + mentees, "",
               _("Enrolled mentees ÷ enrolled mentors.")),
    ]


# --- matching -----------------------------------------------------------------------------


def _matching(scope: Scope, enrolled: Enrolled, pairs: list[Pair]) -> list[Figure]:
    matched = {pid for p in pairs for pid in p.members}
    first_match: dict[int, datetime] = {}
    for pair in pairs:
        for pid in (pair.members if scope.peer else pair.mentees):
            if pid not in first_match or pair.published_at < first_match[pid]:
                first_match[pid] = pair.published_at
    seekers = _seekers(scope, enrolled)
    got = seekers & first_match.keys()
    waits = [max(0.0, (first_match[pid] - enrolled[pid][1]).total_seconds() / 86400)
             for pid in got]
    mentees = {pid for p in pairs for pid in p.mentees}
    scores = [p.score for p in pairs]
    return [
        figure("pairs", _("Matches made"), len(pairs), len(pairs), "count",
               _("Published matches (a group counts once)."), count=True),
        figure("match_rate", _("Match rate"),
               len(matched & enrolled.keys()) / len(enrolled) if enrolled else None,
               len(enrolled), "%", _("Enrolled people in a published match ÷ enrolled.")),
        figure("coverage", _("Coverage of mentees") if not scope.peer else _("Coverage"),
               len(got) / len(seekers) if seekers else None, len(seekers), "%",
               _("Mentees (everyone, in a peer program) matched ÷ enrolled.")),
        figure("time_to_match", _("Time to match (median)"),
               median(waits) if waits else None, len(waits), "days",
               _("Days from enrolling to the first published match.")),
        figure("mean_score", _("Mean match score"),
               sum(scores) / len(scores) if scores else None, len(mentees), "score",
               _("Mean score of published matches.")),
    ]


def _fairness(session: Session, scope: Scope) -> Table | None:
    """The latest published run's four-fifths audit, one row per protected attribute."""
    runs = _runs_in_scope(scope)
    if not runs:
        return None
    data: dict[str, Any] = session.scalar(select(MatchRun.fairness).where(
        MatchRun.id == runs[-1].run_id)) or {}
    rows: list[list[str | int | float | None]] = []
    for name, audit in sorted((data.get("attributes") or {}).items()):
        rows.append([name, _round(audit.get("match_rate_ratio")),
                     _flag(audit.get("match_rate_ratio"), audit.get("match_rate_flag")),
                     _round(audit.get("top_mentor_ratio")),
                     _flag(audit.get("top_mentor_ratio"), audit.get("top_mentor_flag"))])
    return Table("fairness", _("Fairness audit ({cohort})").format(cohort=runs[-1].label),
                 [_("Attribute"), _("Match-rate ratio"), _("Match-rate flag"),
                  _("Top-mentor ratio"), _("Top-mentor flag")], rows,
                 ["", "score", "", "score", ""])


def _runs_in_scope(scope: Scope) -> list[Cohort]:
    """The published runs the report covers, oldest first."""
    runs = [c for c in scope.cohorts if scope.cohort is None or c.run_id == scope.cohort.run_id]
    return [c for c in runs if (scope.lo is None or c.published_at >= scope.lo)
            and (scope.hi is None or c.published_at < scope.hi)]


def _round(value: Any) -> float | None:
    return round(float(value), 3) if isinstance(value, int | float) else None


def _flag(ratio: Any, flag: Any) -> str | None:
    # No ratio means every group was under 5 people: there is nothing to flag or clear.
    if ratio is None:
        return None
    return _("below 4/5") if flag else _("ok")


# --- development --------------------------------------------------------------------------


def _development(session: Session, scope: Scope, enrolled: Enrolled) -> list[Figure]:
    total, done, owners = session.execute(select(
        func.count(Goal.id), func.sum(case((Goal.status == GoalStatus.DONE, 1), else_=0)),
        func.count(Goal.owner_id.distinct())).where(
        Goal.match_id.in_(scope.match_ids()), *scope.in_window(Goal.created_at))).one()
    total, done, owners = int(total), int(done or 0), int(owners)
    figures = [
        figure("goals_set", _("Goals set"), total, owners, "count",
               _("Base is the people who set them.")),
        figure("goals_done", _("Goals done"), done, owners, "count",
               _("Base is the people who set goals.")),
        figure("goals_done_share", _("Share of goals done"), done / total if total else None,
               owners, "%"),
    ]
    modules = int(session.scalar(select(func.count(TrainingModule.id)).where(
        TrainingModule.program_id == scope.program.id)) or 0)
    if modules:
        finished = set(session.scalars(
            select(TrainingCompletion.person_id)
            .join(TrainingModule, TrainingModule.id == TrainingCompletion.module_id)
            .where(TrainingModule.program_id == scope.program.id)
            .group_by(TrainingCompletion.person_id)
            .having(func.count(TrainingCompletion.module_id.distinct()) == modules)))
        mentors = {pid for pid, (role, _) in enrolled.items() if role == Role.MENTOR}
        figures.append(figure(
            "training_completion", _("Mentors who finished training"),
            len(mentors & finished) / len(mentors) if mentors else None, len(mentors), "%",
            ngettext("Enrolled mentors who finished the {n} module.",
                     "Enrolled mentors who finished all {n} modules.", modules).format(
                n=modules)))
    return figures


# --- funnel and cohorts -------------------------------------------------------------------


def _funnel(invited: int, enrolled: Enrolled, pairs: list[Pair],
            activity: eng.Activity) -> list[Figure]:
    matched = {pid for p in pairs for pid in p.members}
    met = {pid for p in pairs if activity.sessions.get(p.id, 0) > 0 for pid in p.members}
    active = {pid for p in pairs if p.status in LIVE for pid in p.members}
    stages = [("invited", _("Invited"), invited), ("enrolled", _("Enrolled"), len(enrolled)),
              ("matched", _("Matched"), len(matched)), ("met", _("Met"), len(met)),
              ("active", _("Active now"), len(active))]
    return [figure(k, label, v, v, "people", count=True) for k, label, v in stages]


def _cohorts(scope: Scope, pairs: list[Pair], activity: eng.Activity,
             answer_rows: list[tuple[int, int, datetime, int | None, int | None]]) -> Table:
    by_run: dict[int, list[Pair]] = {}
    for pair in pairs:
        if pair.run_id is not None:
            by_run.setdefault(pair.run_id, []).append(pair)
    rows: list[list[str | int | float | None]] = []
    for cohort in _runs_in_scope(scope):
        run_pairs = by_run.get(cohort.run_id, [])
        people = len({pid for p in run_pairs for pid in p.members})
        due = eng.intro_due(run_pairs, activity, scope.now)
        met = sum(eng.met_within_14_days(p, activity) for p in due)
        useful, answered = sat.useful_share(
            sat.latest(answer_rows, {p.id for p in run_pairs}))
        # The day as ISO: a cell a spreadsheet sorts and reads as a date in any language.
        rows.append([_("Cohort {n}").format(n=cohort.number),
                     cohort.published_at.date().isoformat(),
                     _count_cell(len(run_pairs)), _count_cell(people),
                     _share_cell(met, len(due)),
                     round(useful, 3) if useful is not None and answered >= MIN_PEOPLE
                     else None])
    return Table("cohorts", _("Cohorts"), [_("Cohort"), _("Published"), _("Pairs"),
                                           _("People matched"), _("Met within 14 days"),
                                           _("Found it useful")], rows,
                 ["", "", "int", "int", "%", "%"])


def _count_cell(value: int) -> int | None:
    return value if value == 0 or value >= MIN_PEOPLE else None


def _share_cell(part: int, base: int) -> float | None:
    return round(part / base, 3) if base >= MIN_PEOPLE else None
