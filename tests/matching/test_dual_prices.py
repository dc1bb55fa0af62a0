"""The dual prices behind the optimality proof: they certify an optimal assignment exactly
(feasible, tight on every chosen pair, equal in total to the primal), and no prices are found
for an assignment that is not optimal, whether or not the passes are limited."""

from __future__ import annotations

import numpy as np
import pytest

from core.matching.optimality import assignment_duals, coverage_bonus
from core.matching.solve_bipartite import int_scores, solve_assignment


def _instance(seed: int, n_rows: int = 60
              ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_cols = 15
    cap = rng.integers(1, 4, n_cols)
    keep = rng.random(n_rows * n_cols) < 0.3
    rows = np.repeat(np.arange(n_rows), n_cols)[keep]
    cols = np.tile(np.arange(n_cols), n_rows)[keep]
    w = coverage_bonus(n_rows) + int_scores(np.round(rng.random(len(rows)), 3))
    return n_rows, cap, rows, cols, w


@pytest.mark.parametrize("seed", range(5))
def test_prices_certify_the_optimum(seed: int) -> None:
    n_rows, cap, rows, cols, w = _instance(seed)
    chosen = solve_assignment(n_rows, cap, rows, cols, w / 1e6 - coverage_bonus(n_rows) / 1e6)
    u, v = assignment_duals(n_rows, cap, rows, cols, w, chosen)
    assert (u >= 0).all() and (v >= 0).all()
    assert (u[rows] + v[cols] >= w).all()
    assert (u[rows[chosen]] + v[cols[chosen]] == w[chosen]).all()
    used = np.bincount(cols[chosen], minlength=len(cap))
    assert (v[used < cap] == 0).all()
    assert u.sum() + (cap * v).sum() == w[chosen].sum()  # strong duality, in integers


@pytest.mark.parametrize("passes", [None, 200, 1])
@pytest.mark.parametrize("seed", range(5))
def test_no_prices_for_an_assignment_that_is_not_optimal(seed: int, passes: int | None) -> None:
    n_rows, cap, rows, cols, w = _instance(seed)
    chosen = solve_assignment(n_rows, cap, rows, cols, w / 1e6 - coverage_bonus(n_rows) / 1e6)
    # Drop the chosen pair that loses least, so a row is left out although it could be matched.
    worse = chosen.copy()
    worse[np.flatnonzero(chosen)[np.argmin(w[chosen])]] = False
    with pytest.raises(RuntimeError):
        assignment_duals(n_rows, cap, rows, cols, w, worse, max_passes=passes)


@pytest.mark.parametrize("seed", range(8))
def test_no_prices_when_a_mentee_sits_with_a_worse_mentor(seed: int) -> None:
    """As many matched, a lower total: a mentee moved to a mentor it scores less with."""
    n_rows, cap, rows, cols, w = _instance(seed, n_rows=20)  # fewer mentees than places
    chosen = solve_assignment(n_rows, cap, rows, cols, w / 1e6 - coverage_bonus(n_rows) / 1e6)
    used = np.bincount(cols[chosen], minlength=len(cap))
    mate_w = dict(zip(rows[chosen].tolist(), w[chosen].tolist(), strict=True))
    moves = [e for e in range(len(rows)) if not chosen[e] and rows[e] in mate_w
             and used[cols[e]] < cap[cols[e]] and w[e] < mate_w[rows[e]]]
    if not moves:
        pytest.skip("no mentor with room that this seed's mentees score less with")
    e = moves[0]
    worse = chosen.copy()
    worse[chosen & (rows == rows[e])] = False
    worse[e] = True
    for passes in (None, 200):
        with pytest.raises(RuntimeError):
            assignment_duals(n_rows, cap, rows, cols, w, worse, max_passes=passes)
