"""Invariants every matching result must keep, checked from the plain input before storing.

Deliberately independent of the engine's vectorised constraint tables: plain Python over the
input records, so a bug in the fast path cannot also hide itself here. A broken invariant is a
bug: it raises, and no result reaches the database.
"""

from __future__ import annotations

from collections import Counter

from core.matching.constraints import relevant_history
from core.matching.types import Enrollment, MatchingInput, MatchResult, Person, ProgramRules


class InvariantError(AssertionError):
    """A matching result breaks a hard rule, a capacity or one-match-per-person."""


def room(rules: ProgramRules, e: Enrollment) -> int:
    """Mentees a mentor may still take (same rule as the engine's mentor_capacity)."""
    if rules.kind == "one_on_one":
        total = 1
    elif rules.kind == "group":
        total = max(1, rules.group_size)
    else:
        total = max(0, e.capacity)
    return max(0, total - e.assigned)


def _chain(manager: dict[str, str | None], pid: str) -> set[str]:
    seen: set[str] = set()
    cur = manager.get(pid)
    while cur is not None and cur not in seen:
        seen.add(cur)
        cur = manager.get(cur)
    return seen


class _Rules:
    """The input's hard rules as plain lookups, built once per check."""

    def __init__(self, inp: MatchingInput) -> None:
        rules = inp.rules
        self.rules = rules
        self.people = {p.id: p for p in inp.people}
        self.manager = {p.id: p.manager_id for p in inp.people}
        self.dnm = {frozenset(p) for p in inp.do_not_match}
        self.excluded = {frozenset(p) for p in inp.adjustments.excluded}
        self.history = {frozenset(p) for p in relevant_history(
            inp.history, rules.program_id, inp.today, rules.cooldown_days)}

    def problem(self, a: str, b: str) -> str | None:
        """Why pairing a with b breaks a hard rule, or None if it doesn't."""
        if a == b:
            return "a person matched with themselves"
        pa, pb = self.people.get(a), self.people.get(b)
        if pa is None or pb is None:
            return "a person who is not in the pool"
        if a in _chain(self.manager, b) or b in _chain(self.manager, a):
            return "a pair in one reporting line"
        pair = frozenset((a, b))
        if pair in self.dnm:
            return "a do-not-match pair"
        if pair in self.excluded:
            return "a pair an admin excluded"
        if pair in self.history:
            return "a past pair inside the cooldown (or from this program)"
        if self.rules.require_different_department and pa.department == pb.department:
            return "a same-department pair in a cross-department program"
        if self.rules.min_overlap_hours is not None:
            if _overlap(pa, pb) + 1e-9 < self.rules.min_overlap_hours:
                return "a pair with too few shared working hours"
        return None


def _overlap(pa: Person, pb: Person) -> float:
    """Shared UTC working hours, wrapping midnight (plain-Python twin of overlap_hours)."""
    def window(p: Person) -> tuple[float, float]:
        start = (p.work_start - p.utc_offset) % 24.0
        return start, start + ((p.work_end - p.work_start) % 24 or 24)

    (s1, e1), (s2, e2) = window(pa), window(pb)
    total = sum(max(0.0, min(e1, e2 + k) - max(s1, s2 + k)) for k in (-24.0, 0.0, 24.0))
    return min(total, e1 - s1, e2 - s2)


def pair_problem(inp: MatchingInput, a: str, b: str) -> str | None:
    """Why pairing a (mentor or first peer) with b breaks a hard rule, or None if it doesn't."""
    return _Rules(inp).problem(a, b)


def check_result(inp: MatchingInput, result: MatchResult) -> None:
    """Raise InvariantError unless the result keeps every rule.

    Capacity (room left per mentor), one match per mentee (and per peer), one match row per
    mentor, one-on-one means one mentee, everyone matched is enrolled in the right role, and
    every pair passes every hard rule. Locked pairs are no exception.
    """
    rules = inp.rules
    peer = rules.kind == "peer"
    hard = _Rules(inp)
    problems: list[str] = []
    by_role: dict[str, dict[str, Enrollment]] = {"mentor": {}, "mentee": {}, "peer": {}}
    for e in inp.enrollments:
        by_role["peer" if peer else e.role].setdefault(e.person_id, e)
    mentors_seen: Counter[str] = Counter()
    seekers_seen: Counter[str] = Counter()
    for m in result.matches:
        mentors_seen[m.mentor_id] += 1
        if peer:
            if len(m.mentee_ids) != 1:
                problems.append(f"peer match {m.mentor_id} has {len(m.mentee_ids)} partners")
            for pid in (m.mentor_id, *m.mentee_ids):
                seekers_seen[pid] += 1
                if pid not in by_role["peer"]:
                    problems.append(f"{pid} is not in the peer pool")
        else:
            e = by_role["mentor"].get(m.mentor_id)
            if e is None:
                problems.append(f"{m.mentor_id} is matched as a mentor but did not enroll as one")
            elif len(m.mentee_ids) > room(rules, e):
                problems.append(f"mentor {m.mentor_id} has {len(m.mentee_ids)} mentees, "
                                f"room for {room(rules, e)}")
            if not m.mentee_ids:
                problems.append(f"mentor {m.mentor_id} has a match with no mentee")
            for pid in m.mentee_ids:
                seekers_seen[pid] += 1
                if pid not in by_role["mentee"]:
                    problems.append(f"{pid} is matched as a mentee but did not enroll as one")
        for pid in m.mentee_ids:
            why = hard.problem(m.mentor_id, pid)
            if why:
                problems.append(f"{m.mentor_id}/{pid}: {why}")
    problems += [f"{pid} appears in {n} matches as a mentor" for pid, n in mentors_seen.items()
                 if n > 1 and not peer]
    problems += [f"{pid} is in {n} matches" for pid, n in seekers_seen.items() if n > 1]
    if peer:
        problems += [f"{pid} is both matched and unmatched" for pid in
                     {u.person_id for u in result.unmatched} & set(seekers_seen)]
    else:
        problems += [f"{pid} is both matched and unmatched" for pid in
                     {u.person_id for u in result.unmatched if u.role == "mentee"}
                     & set(seekers_seen)]
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise InvariantError(f"matching result breaks {len(problems)} rule(s): {shown}{more}")
