"""The peer solver's bound and its reuse of the engine's double cover."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from core.matching.solve_bipartite import int_scores
from core.matching.solve_peer import max_weight_double_cover, solve_peer

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def _graph(n: int, density: float, seed: int, ties: bool
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a, b = np.triu_indices(n, 1)
    keep = rng.random(len(a)) < density
    a, b = a[keep].astype(np.int64), b[keep].astype(np.int64)
    w = rng.random(len(a))
    if ties:
        w = np.round(w * 4) / 4  # equal scores and zero scores, where solvers pick arbitrarily
    return a, b, w


def _fractional_matching_optimum(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    """max sum w_e x_e subject to x(edges at v) <= 1, 0 <= x <= 1, by HiGHS: written
    separately from the solver, which gets the same value from a double cover."""
    if len(a) == 0:
        return 0.0
    incidence = np.zeros((n, len(a)))
    incidence[a, np.arange(len(a))] = 1.0
    incidence[b, np.arange(len(a))] = 1.0
    res = linprog(-w.astype(np.float64), A_ub=incidence, b_ub=np.ones(n), bounds=(0.0, 1.0),
                  method="highs")
    assert res.status == 0
    return float(-res.fun)


@SETTINGS
@given(st.integers(2, 40), st.floats(0.05, 1.0), st.integers(0, 10**6), st.booleans())
def test_double_cover_total_is_twice_the_fractional_matching_optimum(
        n: int, density: float, seed: int, ties: bool) -> None:
    a, b, s = _graph(n, density, seed, ties)
    w = int_scores(s)
    mate_out, total = max_weight_double_cover(n, a, b, w)
    assert total == round(2 * _fractional_matching_optimum(n, a, b, w))
    # mate_out is a double cover of the graph's own edges, worth that total.
    edges = {(int(x), int(y)): int(s_) for x, y, s_ in zip(a, b, w, strict=True)}
    got = 0
    for i, j in enumerate(mate_out.tolist()):
        if j >= 0:
            got += edges[(min(i, j), max(i, j))]
    assert got == total
    assert len(set(mate_out[mate_out >= 0].tolist())) == int((mate_out >= 0).sum())


def test_reused_cover_gives_the_same_matching_as_a_fresh_solve() -> None:
    n = 400
    a, b, s = _graph(n, 0.03, 11, ties=False)
    fresh = solve_peer(n, a, b, s)
    reused = solve_peer(n, a, b, s, cover=max_weight_double_cover(n, a, b, int_scores(s)))
    assert (reused.chosen == fresh.chosen).all()
    assert reused.upper_bound_score == fresh.upper_bound_score
