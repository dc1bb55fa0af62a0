"""The engine against an exact solve over every allowed pair, on instances larger than top_k.

The reference here is written separately from the engine: the allowed pairs come from a
plain-Python reading of the rules, and the optimum from SciPy's sparse assignment solver on a
graph where each mentor is expanded into one column per free place (slots), plus one private
"unmatched" column per mentee priced above any score difference (most mentees matched first,
then the highest total score).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from core.matching import Enrollment, MatchingInput, PastMatch, Person, run_matching
from core.matching.engine import build_context
from core.matching.scoring import score_block
from core.matching.types import ProgramRules
from tests.matching.helpers import TODAY, make_input, mentee, mentor, person

SCALE = 1_000_000  # the engine's integer score unit: scores are compared exactly in it
SKILLS = ("sql", "python", "design", "sales", "writing", "finance", "negotiation", "security")
WORDS = "growth promotion influence strategy hiring coaching writing data roadmap".split()
SETTINGS = settings(max_examples=14, deadline=None, derandomize=True, database=None)


def to_int(x: np.ndarray | float) -> np.ndarray:
    return np.rint(np.clip(np.asarray(x, np.float64), 0.0, 1.0) * SCALE).astype(np.int64)


def build_org(seed: int, n: int, n_depts: int, skew: float, chain: float, enrolled: float,
              n_zones: int, kind: str, diff_dept: bool, overlap: int | None,
              top_k: int, group_size: int) -> MatchingInput:
    """A random organisation: skewed departments, deep reporting chains, managers who are not
    enrolled (and some not even known), capacities 1-3, many timezones, history and blocks."""
    rng = np.random.default_rng(seed)
    ids = [f"u{i}" for i in range(n)]
    p = skew ** np.arange(n_depts)
    p /= p.sum()
    dept = rng.choice(n_depts, size=n, p=p)
    zones = rng.choice(np.arange(-11.0, 14.0, 0.5), size=n_zones, replace=False)
    people = []
    for i in range(n):
        if i == 0:
            mgr = "ceo-not-in-hris"  # a manager the pool has never heard of
        elif rng.random() < chain:
            mgr = ids[i - 1]  # long chains: each person reports to the one before
        else:
            mgr = ids[int(rng.integers(0, i))]
        start = float(rng.integers(5, 12))
        people.append(Person(ids[i], ids[i], f"D{dept[i]}", int(rng.integers(1, 9)), mgr,
                             float(rng.choice(zones)), start, start + float(rng.integers(5, 10))))
    enr = []
    for i in range(n):
        if rng.random() > enrolled:
            continue  # outside the pool: still someone's manager
        is_mentor = rng.random() < 0.35
        off = tuple(rng.choice(SKILLS, size=int(rng.integers(1, 4)), replace=False).tolist())
        want = tuple(rng.choice(SKILLS, size=int(rng.integers(0, 3)), replace=False).tolist())
        goals = " ".join(rng.choice(WORDS, size=int(rng.integers(0, 5))).tolist())
        enr.append(Enrollment(ids[i], "mentor" if is_mentor else "mentee",
                              int(rng.integers(1, 4)), off if is_mentor else (), want, goals))
    history = tuple(PastMatch(ids[a], ids[b], "prog" if rng.random() < 0.3 else "other",
                              TODAY - timedelta(days=int(rng.integers(1, 800))))
                    for a, b in rng.integers(0, n, (n // 4, 2)).tolist() if a != b)
    dnm = tuple((ids[a], ids[b]) for a, b in rng.integers(0, n, (n // 10, 2)).tolist())
    rules = ProgramRules("prog", kind=kind, group_size=group_size,  # type: ignore[arg-type]
                         require_different_department=diff_dept, min_overlap_hours=overlap,
                         cooldown_days=365, top_k=top_k)
    return MatchingInput(tuple(people), tuple(enr), rules, TODAY, history, dnm)


def allowed_by_rules(inp: MatchingInput, mentee_id: str, mentor_id: str) -> bool:
    """The hard rules, read straight from the input."""
    mgr = {p.id: p.manager_id for p in inp.people}

    def line(x: str) -> set[str]:
        out: set[str] = set()
        while mgr.get(x) is not None and mgr[x] not in out:
            x = mgr[x]  # type: ignore[assignment]
            out.add(x)
        return out

    if mentee_id == mentor_id or mentor_id in line(mentee_id) or mentee_id in line(mentor_id):
        return False
    pair = {mentee_id, mentor_id}
    if any(set(x) == pair for x in inp.do_not_match):
        return False
    for h in inp.history:
        if {h.person_a, h.person_b} == pair and (
                h.program_id == inp.rules.program_id
                or (inp.today - h.matched_on).days < inp.rules.cooldown_days):
            return False
    people = {p.id: p for p in inp.people}
    a, b = people[mentee_id], people[mentor_id]
    if inp.rules.require_different_department and a.department == b.department:
        return False
    if inp.rules.min_overlap_hours is not None:
        hours = 0.0
        # Count shared UTC working hours minute-free, hour by hour over two days.
        for h in np.arange(0.0, 48.0, 0.5):
            def works(p: Person, t: float) -> bool:
                local = (t + p.utc_offset) % 24.0
                end = p.work_end if p.work_end > p.work_start else p.work_end + 24
                return p.work_start <= local < end or p.work_start <= local + 24 < end
            if works(a, h) and works(b, h):
                hours += 0.5
        if hours / 2 + 1e-9 < inp.rules.min_overlap_hours:
            return False
    return True


def room(inp: MatchingInput, e: Enrollment) -> int:
    if inp.rules.kind == "one_on_one":
        return 1
    if inp.rules.kind == "group":
        return max(1, inp.rules.group_size)
    return e.capacity


def exact_optimum(inp: MatchingInput) -> tuple[int, int]:
    """(mentees matched, total integer score) of the best matching over all allowed pairs."""
    ctx, seekers, mentors = build_context(inp)
    if not seekers or not mentors:
        return 0, 0
    s = score_block(ctx, 0, len(seekers))
    allowed = np.isfinite(s)
    # The engine's constraint tables and the rules read directly must agree on every pair.
    for i, e in enumerate(seekers):
        for j, m in enumerate(mentors):
            assert allowed[i, j] == allowed_by_rules(inp, e.person_id, m.person_id), (
                e.person_id, m.person_id)
    cap = np.array([room(inp, m) for m in mentors])
    slot_owner = np.repeat(np.arange(len(mentors)), cap)
    n_rows, n_slots = len(seekers), len(slot_owner)
    r, slot = np.nonzero(allowed[:, slot_owner])
    score = to_int(s[r, slot_owner[slot]])
    # Leaving a mentee out costs more than any achievable score gain (coverage first).
    out_cost = float((n_rows + 2) * (SCALE + 1))
    g = sp.csr_matrix((np.concatenate([1.0 + SCALE - score, np.full(n_rows, out_cost)]),
                       (np.concatenate([r, np.arange(n_rows)]),
                        np.concatenate([slot, n_slots + np.arange(n_rows)]))),
                      shape=(n_rows, n_slots + n_rows))
    _, col = min_weight_full_bipartite_matching(g)
    real = col < n_slots
    rows = np.flatnonzero(real)
    total = int(to_int(s[rows, slot_owner[col[real]]]).sum())
    return int(real.sum()), total


def check_against_exact(inp: MatchingInput) -> None:
    res = run_matching(inp)
    pairs, total = exact_optimum(inp)
    # Invariants a user would notice: nobody over capacity, nobody matched twice.
    enr = {(e.person_id, e.role): e for e in inp.enrollments}
    seen = Counter(x for m in res.matches for x in m.mentee_ids)
    assert not seen or max(seen.values()) == 1
    for m in res.matches:
        assert len(m.mentee_ids) <= room(inp, enr[(m.mentor_id, "mentor")])
        for x in m.mentee_ids:
            assert allowed_by_rules(inp, x, m.mentor_id)
    ours = sum(int(to_int(np.array(m.pair_scores)).sum()) for m in res.matches)
    assert res.stats.matched_seekers == pairs
    assert ours == total
    assert res.stats.proven_optimal is True


@SETTINGS
@given(seed=st.integers(0, 10**6), n=st.integers(150, 320), n_depts=st.integers(2, 8),
       skew=st.sampled_from([0.2, 0.5, 0.9]), chain=st.sampled_from([0.1, 0.5, 0.9]),
       enrolled=st.sampled_from([0.6, 0.9]), n_zones=st.integers(3, 20),
       kind=st.sampled_from(["one_on_one", "group", "reverse"]),
       diff_dept=st.booleans(), overlap=st.sampled_from([None, 2, 5]),
       top_k=st.sampled_from([2, 5, 25]), group_size=st.integers(1, 3))
def test_engine_equals_exact_optimum_over_all_allowed_pairs(
        seed: int, n: int, n_depts: int, skew: float, chain: float, enrolled: float,
        n_zones: int, kind: str, diff_dept: bool, overlap: int | None, top_k: int,
        group_size: int) -> None:
    inp = build_org(seed, n, n_depts, skew, chain, enrolled, n_zones, kind, diff_dept, overlap,
                    top_k, group_size)
    check_against_exact(inp)


def test_thirty_mentors_one_of_them_everyones_manager() -> None:
    """The reported case: one-on-one, default rules, m1 manages all 59 others. m1 may mentor
    nobody, nobody gets two mentees, and 29 of the 30 mentees are matched (the optimum)."""
    rng = np.random.default_rng(1)
    people = [person("m1", level=8)]
    people += [person(f"m{i}", level=int(rng.integers(3, 8)), dept=str(rng.choice(list("ABC"))),
                      manager="m1", offset=float(rng.choice([-5.0, 0.0, 1.0, 5.5])))
               for i in range(2, 31)]
    people += [person(f"e{i}", level=int(rng.integers(1, 5)), dept=str(rng.choice(list("ABC"))),
                      manager="m1", offset=float(rng.choice([-5.0, 0.0, 1.0, 5.5])))
               for i in range(1, 31)]
    enr = [mentor(f"m{i}", tuple(rng.choice(SKILLS, 3, replace=False).tolist()))
           for i in range(1, 31)]
    enr += [mentee(f"e{i}", tuple(rng.choice(SKILLS, 2, replace=False).tolist()))
            for i in range(1, 31)]
    inp = make_input(people, enr)
    res = run_matching(inp)
    per_mentor = Counter(m.mentor_id for m in res.matches for _ in m.mentee_ids)
    assert max(per_mentor.values()) == 1
    assert "m1" not in per_mentor
    assert res.stats.matched_seekers == 29
    check_against_exact(inp)


def test_peer_bound_covers_every_allowed_pair() -> None:
    """The peer gap is measured against a bound on all allowed pairs: the bound is at least
    the full fractional relaxation (every pair, each person's row and column used once)."""
    for seed in (3, 4):
        base = build_org(seed, 220, 4, 0.5, 0.5, 0.9, 8, "one_on_one", False, None, 3, 1)
        enr = tuple(Enrollment(e.person_id, "peer", 1, e.skills_offered or ("sql",),
                               e.skills_wanted, e.goals) for e in base.enrollments)
        rules = ProgramRules("prog", kind="peer", top_k=3)
        inp = MatchingInput(base.people, enr, rules, TODAY, base.history, base.do_not_match)
        res = run_matching(inp)
        ctx, seekers, _ = build_context(inp)
        s = score_block(ctx, 0, len(seekers))
        w = np.where(np.isfinite(s), to_int(np.nan_to_num(s, neginf=0.0)), 0)
        r, c = linear_sum_assignment(w, maximize=True)
        relaxation = w[r, c].sum() / 2 / SCALE
        assert res.stats.upper_bound is not None
        assert res.stats.upper_bound >= relaxation - 1e-6
        assert res.stats.total_score <= res.stats.upper_bound + 1e-9


def test_restricted_re_solves_still_end_at_the_exact_optimum() -> None:
    """A pool where the top-3 graph is far from enough (even chosen by estimated prices):
    pricing forces re-solves, each of only the pairs near tight, and the result is still the
    optimum over all pairs."""
    for seed in (0, 1):
        inp = build_org(seed, 320, 4, 0.5, 0.5, 0.9, 10, "group", False, None, 3, 2)
        res = run_matching(inp)
        assert res.stats.proof_rounds is not None and res.stats.proof_rounds >= 3
        check_against_exact(inp)
