"""The auction's price estimate lands near the exact dual prices of the same pairs (it only
guides which pairs the first graph holds, so close is what counts, not exact)."""

from __future__ import annotations

import numpy as np
import pytest

from core.matching.optimality import assignment_duals, coverage_bonus
from core.matching.prices import auction_prices
from core.matching.solve_bipartite import SCALE, int_scores, solve_assignment


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_estimate_is_close_to_the_exact_prices(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_rows, n_cols = 400, 80
    cap = np.full(n_cols, 3, np.int64)  # 240 places for 400 rows: every col fills up
    rows = np.repeat(np.arange(n_rows), n_cols)
    cols = np.tile(np.arange(n_cols), n_rows)
    # Popular cols score higher for everyone, as popular mentors do.
    scores = np.clip(0.5 * rng.random(n_rows * n_cols) + 0.4 * (cols / n_cols), 0, 1)
    scores = scores.astype(np.float32).astype(np.float64)
    chosen = solve_assignment(n_rows, cap, rows, cols, scores)
    bonus = coverage_bonus(n_rows)
    _, v = assignment_duals(n_rows, cap, rows, cols, bonus + int_scores(scores), chosen)
    exact = (v - bonus) / SCALE
    estimate = auction_prices(n_rows, cap, rows, cols, scores)
    assert np.abs(estimate - exact).mean() < 0.01
    assert np.abs(estimate - exact).max() < 0.03


def test_threads_find_the_same_prices() -> None:
    """Rounds with many bidders split them over threads: the prices are the same to the bit."""
    rng = np.random.default_rng(7)
    n_rows, n_cols = 6000, 300
    cap = np.full(n_cols, 3, np.int64)
    rows = np.repeat(np.arange(n_rows), 40)
    cols = rng.integers(0, n_cols, len(rows))
    scores = rng.random(len(rows)).astype(np.float32).astype(np.float64)
    one = auction_prices(n_rows, cap, rows, cols, scores)
    assert np.array_equal(one, auction_prices(n_rows, cap, rows, cols, scores, threads=2))
    assert (one > 0).any()
