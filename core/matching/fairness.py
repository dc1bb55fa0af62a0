"""Bias audit over protected attributes, which only this module ever reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from core.i18n import N_
from core.i18n import gettext as _
from core.matching.types import Enrollment, Match

FOUR_FIFTHS = 0.8
# The floor's note, as a run stores it (English; stats are data) and as the preview shows it
# (floor_note, in the reader's language). {attributes} are the admin's attribute names.
FLOOR_ALREADY_MET = N_("fairness floor ({attributes}): already met")
FLOOR_MET = N_("fairness floor ({attributes}): met")
FLOOR_CLOSEST = N_("fairness floor ({attributes}): as close as the pool allows")
FLOOR_MET_IN_TIME = N_("fairness floor ({attributes}): met (best found within the time limit)")
FLOOR_CLOSEST_IN_TIME = N_("fairness floor ({attributes}): as close as the pool allows (best "
                           "found within the time limit)")
FLOOR_NO_SOLUTION = N_("fairness floor: no solution in time; the unconstrained optimum stands")
_FLOOR_NOTES = (FLOOR_ALREADY_MET, FLOOR_MET, FLOOR_CLOSEST, FLOOR_MET_IN_TIME,
                FLOOR_CLOSEST_IN_TIME, FLOOR_NO_SOLUTION)


def floor_note(note: str) -> str:
    """A run's stored floor note in the reader's language (as stored if of no known shape)."""
    for shape in _FLOOR_NOTES:
        head, _sep, tail = shape.partition("{attributes}")
        if not _sep and note == shape:
            return _(shape)
        if _sep and note.startswith(head) and note.endswith(tail) \
                and len(note) > len(head) + len(tail):
            return _(shape).format(attributes=note[len(head):len(note) - len(tail)])
    return note


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """Figures for one group of one attribute."""

    enrolled: int
    matched: int
    match_rate: float
    mean_score: float | None
    top_mentor_share: float | None


@dataclass(frozen=True, slots=True)
class AttributeAudit:
    """Per-attribute figures, four-fifths ratios and flags."""

    attribute: str
    groups: dict[str, GroupFigures]
    match_rate_ratio: float | None
    match_rate_flag: bool
    top_mentor_ratio: float | None
    top_mentor_flag: bool


@dataclass(frozen=True, slots=True)
class FairnessReport:
    """The audit of one matching run."""

    attributes: dict[str, AttributeAudit]
    top_mentors: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def _ratio(values: list[float]) -> float | None:
    if not values:
        return None
    hi = max(values)
    return 1.0 if hi <= 0 else min(values) / hi


def audit_fairness(
    matches: Iterable[Match],
    enrollments: Iterable[Enrollment],
    protected: Mapping[str, Mapping[str, str]],
    mentor_popularity: Mapping[str, float] | None = None,
    min_group_size: int = 1,
) -> FairnessReport:
    """Match rate, mean score and top-mentor share per protected group, with 4/5ths flags.

    Seekers are mentees (or everyone in a peer program). Top mentors are the top decile by
    mentor_popularity (e.g. MatchResult.candidate_counts), else by mean match score.
    Groups smaller than min_group_size keep their figures but stay out of ratios and flags:
    a ratio over two or three people is noise, and flagging it would single them out.
    """
    matches = list(matches)
    enrolled = [e for e in enrollments]
    peer = all(e.role == "peer" for e in enrolled) and bool(enrolled)
    seekers = sorted({e.person_id for e in enrolled if peer or e.role == "mentee"})
    score_of: dict[str, float] = {}
    mentor_of: dict[str, str] = {}
    for m in matches:
        scores = m.pair_scores or tuple(m.score for _ in m.mentee_ids)
        for pid, s in zip(m.mentee_ids, scores, strict=False):
            score_of[pid], mentor_of[pid] = s, m.mentor_id
        if peer:
            score_of[m.mentor_id], mentor_of[m.mentor_id] = m.score, m.mentee_ids[0]
    if mentor_popularity is None:
        sums: dict[str, list[float]] = defaultdict(list)
        for pid, mentor in mentor_of.items():
            sums[mentor].append(score_of[pid])
        mentor_popularity = {k: sum(v) / len(v) for k, v in sums.items()}
    ranked = sorted(mentor_popularity, key=lambda k: (-mentor_popularity[k], k))
    top = tuple(ranked[: max(1, len(ranked) // 10)]) if ranked else ()
    top_set = set(top)

    attributes: dict[str, AttributeAudit] = {}
    names = sorted({a for pid in seekers for a in protected.get(pid, {})})
    for attr in names:
        members: dict[str, list[str]] = defaultdict(list)
        for pid in seekers:
            group = protected.get(pid, {}).get(attr)
            if group is not None:
                members[group].append(pid)
        groups: dict[str, GroupFigures] = {}
        for g, pids in sorted(members.items()):
            got = [p for p in pids if p in score_of]
            groups[g] = GroupFigures(
                enrolled=len(pids),
                matched=len(got),
                match_rate=len(got) / len(pids),
                mean_score=sum(score_of[p] for p in got) / len(got) if got else None,
                top_mentor_share=(sum(mentor_of[p] in top_set for p in got) / len(got)
                                  if got else None),
            )
        counted = [f for f in groups.values() if f.enrolled >= min_group_size]
        rate_ratio = _ratio([f.match_rate for f in counted])
        shares = [f.top_mentor_share for f in counted if f.top_mentor_share is not None]
        top_ratio = _ratio(shares)
        attributes[attr] = AttributeAudit(
            attribute=attr,
            groups=groups,
            match_rate_ratio=rate_ratio,
            match_rate_flag=rate_ratio is not None and rate_ratio < FOUR_FIFTHS,
            top_mentor_ratio=top_ratio,
            top_mentor_flag=top_ratio is not None and top_ratio < FOUR_FIFTHS,
        )
    return FairnessReport(attributes, top)


def floor_reselector(protected: Mapping[str, Mapping[str, str]],
                     attributes: Sequence[str], min_group_size: int = 1,
                     time_limit_s: float = 30.0) -> Callable[..., tuple[np.ndarray, str]]:
    """The opt-in fairness floor, as a reselect hook for run_matching.

    For each named protected attribute, every group's match rate should be at least 4/5 of
    the best group's. Without losing a single match (coverage stays the optimum's), an exact
    MIP with OR-Tools' CP-SAT over the candidate graph first minimises how far the rates fall
    short of the floor (zero wherever the pool allows it), then maximises the total score.
    A rate constraint m_g / n_g >= 0.8 m_h / n_h is linear once cross-multiplied:
    5 n_h m_g >= 4 n_g m_h. Groups under min_group_size count for nobody's floor (as in the
    audit). The hook receives the engine's row ids (mentee ids) in row order.
    """
    def group_rows(seeker_ids: Sequence[str]) -> list[list[np.ndarray]]:
        groups: list[list[np.ndarray]] = []  # per attribute: row-index arrays of its groups
        for attr in attributes:
            members: dict[str, list[int]] = defaultdict(list)
            for r, pid in enumerate(seeker_ids):
                g = protected.get(pid, {}).get(attr)
                if g is not None:
                    members[g].append(r)
            eligible = [np.array(v, np.int64) for _, v in sorted(members.items())
                        if len(v) >= max(1, min_group_size)]
            if len(eligible) >= 2:
                groups.append(eligible)
        return groups

    def short(groups: list[list[np.ndarray]], matched: np.ndarray) -> bool:
        for gs in groups:
            rs = [float(matched[g].mean()) for g in gs]
            if max(rs) > 0 and min(rs) < FOUR_FIFTHS * max(rs) - 1e-12:
                return True
        return False

    def reselect(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, cap: np.ndarray,
                 chosen: np.ndarray, locked: np.ndarray, seeker_ids: Sequence[str]
                 ) -> tuple[np.ndarray, str]:
        from ortools.sat.python import cp_model

        from core.matching.solve_bipartite import int_scores

        groups = group_rows(seeker_ids)
        named = ", ".join(attributes)
        matched = locked.copy()
        matched[rows[chosen]] = True
        if not groups or not short(groups, matched):
            return chosen, FLOOR_ALREADY_MET.format(attributes=named)
        m = cp_model.CpModel()
        x = [m.new_bool_var(f"x{e}") for e in range(len(rows))]
        by_row: dict[int, list[int]] = defaultdict(list)
        by_col: dict[int, list[int]] = defaultdict(list)
        for e, (r, c) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
            by_row[r].append(e)
            by_col[c].append(e)
        for es in by_row.values():
            m.add_at_most_one(x[e] for e in es)
        for c, es in by_col.items():
            m.add(sum(x[e] for e in es) <= int(cap[c]))
        # Never fewer matches than the optimum without the floor.
        m.add(sum(x) == int(chosen.sum()))
        shortfalls = []
        for gs in groups:
            counts = []
            for g in gs:
                es = [e for r in g.tolist() for e in by_row.get(r, ())]
                counts.append((sum(x[e] for e in es) + int(locked[g].sum()), len(g)))
            for i, (mg, ng) in enumerate(counts):
                for j, (mh, nh) in enumerate(counts):
                    if i != j:
                        s = m.new_int_var(0, 5 * nh * ng, f"short{len(shortfalls)}")
                        m.add(5 * nh * mg - 4 * ng * mh + s >= 0)
                        shortfalls.append(s)
        for e in np.flatnonzero(chosen).tolist():
            m.add_hint(x[e], 1)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit_s
        solver.parameters.num_workers = 2
        m.minimize(sum(shortfalls))
        first = solver.solve(m)
        if first not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return chosen, FLOOR_NO_SOLUTION
        least = int(round(solver.objective_value))
        m.add(sum(shortfalls) <= least)
        m.clear_objective()
        w = int_scores(scores)
        m.maximize(sum(int(w[e]) * x[e] for e in range(len(rows))))
        m.clear_hints()
        for e in range(len(rows)):
            m.add_hint(x[e], bool(solver.value(x[e])))
        second = solver.solve(m)
        if second not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return chosen, FLOOR_NO_SOLUTION
        new = np.array([bool(solver.value(v)) for v in x], bool)
        exact = first == cp_model.OPTIMAL and second == cp_model.OPTIMAL
        shape = ((FLOOR_MET if exact else FLOOR_MET_IN_TIME) if least == 0 else
                 (FLOOR_CLOSEST if exact else FLOOR_CLOSEST_IN_TIME))
        return new, shape.format(attributes=named)

    return reselect
