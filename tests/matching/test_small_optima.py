"""Hand-checked instances: optimum beats greedy, coverage comes first, groups fill up."""

from __future__ import annotations

import numpy as np

from core.matching import run_matching
from core.matching.solve_bipartite import solve_assignment, solve_greedy
from tests.matching.helpers import SKILLS_ONLY, make_input, mentee, mentor, person


def _total(mask: np.ndarray, s: np.ndarray) -> float:
    return float(s[mask].sum())


def test_three_mentors_four_mentees_optimum_beats_greedy() -> None:
    # rows = mentees 0..3, cols = mentors 0..2 (capacity 1 each)
    rows = np.array([0, 0, 1, 1, 2, 2, 3])
    cols = np.array([0, 1, 0, 2, 1, 2, 2])
    s = np.array([0.9, 0.8, 0.85, 0.1, 0.3, 0.2, 0.5])
    cap = np.ones(3, np.int64)
    ours = solve_assignment(4, cap, rows, cols, s)
    greedy = solve_greedy(4, cap, rows, cols, s)
    # Greedy takes 0.9 (m0-x0), then 0.5 (m3-x2), then 0.3 (m2-x1): 1.7.
    assert abs(_total(greedy, s) - 1.7) < 1e-9
    # Optimum: m0-x1 0.8, m1-x0 0.85, m3-x2 0.5 = 2.15.
    assert abs(_total(ours, s) - 2.15) < 1e-9
    assert ours.sum() == 3


def test_coverage_first_beats_higher_score_with_fewer_matches() -> None:
    rows = np.array([0, 0, 1])
    cols = np.array([0, 1, 0])
    s = np.array([0.9, 0.1, 0.1])
    ours = solve_assignment(2, np.ones(2, np.int64), rows, cols, s)
    assert ours.sum() == 2
    assert abs(_total(ours, s) - 0.2) < 1e-9


def test_engine_finds_optimum_on_skill_instance() -> None:
    people = [person(p, dept=d) for p, d in
              [("x", "A"), ("y", "B"), ("a", "C"), ("b", "D")]]
    enr = [mentor("x", ("sql", "python")), mentor("y", ("sql",)),
           mentee("a", ("sql", "python")), mentee("b", ("python",))]
    res = run_matching(make_input(people, enr, weights=SKILLS_ONLY))
    pairs = {m.mentee_ids[0]: m.mentor_id for m in res.matches}
    # b can only learn python from x, so a must go to y although x fits a better.
    assert pairs == {"a": "y", "b": "x"}
    assert res.stats.coverage == 1.0


def test_group_program_fills_mentors_up_to_group_size() -> None:
    people = [person("m1", 6), person("m2", 6)] + [person(f"e{i}", 3) for i in range(7)]
    enr = [mentor("m1", ("sql",)), mentor("m2", ("go",))] + [mentee(f"e{i}", ("sql",))
                                                            for i in range(7)]
    res = run_matching(make_input(people, enr, kind="group", group_size=3))
    sizes = sorted(len(m.mentee_ids) for m in res.matches)
    assert sizes == [3, 3]
    assert res.stats.matched_seekers == 6
    assert all(len(m.pair_scores) == len(m.mentee_ids) for m in res.matches)
    left = [u for u in res.unmatched if u.role == "mentee"]
    assert len(left) == 1 and "room" in left[0].reason


def test_one_on_one_ignores_enrollment_capacity() -> None:
    people = [person("m", 6), person("a"), person("b")]
    enr = [mentor("m", capacity=3), mentee("a"), mentee("b")]
    res = run_matching(make_input(people, enr))
    assert [len(m.mentee_ids) for m in res.matches] == [1]
