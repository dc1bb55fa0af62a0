"""Each col's k best rows (candidate generation's col-wise pass), gathered block by block
inside the row pass: the same scores as a plain sort of each whole col, forbidden (-inf)
entries never, however the rows are cut into blocks."""

from __future__ import annotations

import numpy as np
import pytest

from core.matching.candidates import ColTops


@pytest.mark.parametrize(("n", "m", "k", "block"),
                         [(5000, 40, 10, 25), (900, 7, 3, 1), (50, 9, 10, 7), (3000, 5, 1, 300)])
def test_each_col_gets_its_k_best_finite_scores(n: int, m: int, k: int, block: int) -> None:
    rng = np.random.default_rng(n + m + k)
    # Coarse values make ties common; a sparse col has fewer than k allowed rows.
    s = np.round(rng.random((n, m)), 2).astype(np.float32)
    s[rng.random((n, m)) < 0.3] = -np.inf
    s[:, 0] = -np.inf
    s[rng.choice(n, 2, replace=False), 0] = 0.5
    tops = ColTops(m, k)
    for r0 in range(0, n, block):
        b = s[r0:r0 + block]
        tops.add(*tops.entries(b, np.arange(r0, r0 + len(b)), b.max(axis=0)))
    r, c, v = tops.result()
    assert np.array_equal(s[r, c], v)
    for j in range(m):
        col = s[:, j]
        want = np.sort(col[np.isfinite(col)])[::-1][:k]
        got = np.sort(v[c == j])[::-1]
        assert np.array_equal(got, want), j
        assert len(set(r[c == j].tolist())) == len(got)


def test_a_stale_floor_only_hands_over_more() -> None:
    """Blocks scored on other threads may read a floor from several blocks before."""
    rng = np.random.default_rng(3)
    s = rng.random((2000, 30)).astype(np.float32)
    tops = ColTops(30, 4)
    early = [tops.entries(s[r0:r0 + 20], np.arange(r0, r0 + 20), s[r0:r0 + 20].max(axis=0))
             for r0 in range(0, 400, 20)]
    for e in early:
        tops.add(*e)
    for r0 in range(400, 2000, 20):
        tops.add(*tops.entries(s[r0:r0 + 20], np.arange(r0, r0 + 20), s[r0:r0 + 20].max(axis=0)))
    _, c, v = tops.result()
    for j in range(30):
        assert np.array_equal(np.sort(v[c == j]), np.sort(s[:, j])[-4:])


def test_only_thin_cols_are_returned() -> None:
    """A col that k rows picked among their own best never needs its own best rows."""
    rng = np.random.default_rng(5)
    s = rng.random((600, 12)).astype(np.float32)
    tops = ColTops(12, 3)
    for r0 in range(0, 600, 30):
        b = s[r0:r0 + 30]
        # Every row "picks" col 0 and col 1; col 2 is picked twice in all.
        picked = np.r_[np.zeros(30, np.int64), np.ones(30, np.int64),
                       np.full(1 if r0 < 60 else 0, 2, np.int64)]
        tops.offer(b, np.arange(r0, r0 + 30), b.max(axis=0), picked)
    _, c, v = tops.result()
    assert set(c.tolist()) == set(range(2, 12))
    for j in range(2, 12):
        assert np.array_equal(np.sort(v[c == j]), np.sort(s[:, j])[-3:])
