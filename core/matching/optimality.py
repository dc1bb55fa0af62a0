"""Proof that a matching on the sparse candidate graph is optimal over every allowed pair.

The mentor/mentee problem is the linear program

    max sum (B + s_rc) x_rc   s.t.  sum_c x_rc <= 1,  sum_r x_rc <= cap_c,  x >= 0,

where B = (rows + 1) * SCALE makes one more matched mentee worth more than any score (so the
optimum is "most mentees matched, then the highest total score"). Its dual is

    min sum u_r + sum cap_c v_c   s.t.  u_r + v_c >= B + s_rc,  u, v >= 0.

An optimal solution of the candidate graph yields dual prices (u, v) with equal objective. If
every allowed pair left out of the graph also satisfies u_r + v_c >= B + s_rc, those prices
are feasible for the full problem, so by weak duality no matching over all allowed pairs can do
better: the graph's solution is optimal for the full problem. Pairs that break the inequality
are the only ones that could improve it; they join the graph and it is solved again (column
generation). All arithmetic is in integers (scores times SCALE), so the proof is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.matching.candidates import parallel_map
from core.matching.scoring import ScoreContext, score_sub
from core.matching.solve_bipartite import SCALE, int_scores

_PRICE_CELLS = 250_000


def coverage_bonus(n_rows: int) -> int:
    """B: one more matched row outweighs any total score difference."""
    return (n_rows + 1) * SCALE


def assignment_duals(n_rows: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                     w: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dual prices (u per row, v per col) that certify `chosen` optimal on the given graph.

    w are integer edge weights; chosen must be a maximum-weight capacitated assignment of
    them. The smallest col prices satisfying every dual constraint and complementary
    slackness are longest-path distances along alternating paths; they are found by
    label-correcting (Bellman-Ford restricted to the cols whose price just rose). Raises
    RuntimeError if `chosen` is not optimal, which is a solver bug, never an input problem.
    """
    n_cols = len(cap)
    if n_cols == 0:
        return np.zeros(n_rows, np.int64), np.zeros(0, np.int64)
    rows = np.asarray(rows, np.int64)
    cols = np.asarray(cols, np.int64)
    w = np.asarray(w, np.int64)
    mate = np.full(n_rows, -1, np.int64)
    mate[rows[chosen]] = cols[chosen]
    w_mate = np.zeros(n_rows, np.int64)
    w_mate[rows[chosen]] = w[chosen]
    v = np.zeros(n_cols, np.int64)
    free_row = mate[rows] < 0
    # A row left unmatched pays nothing, so each of its cols must be priced at its weight.
    np.maximum.at(v, cols[free_row], w[free_row])
    # A matched row r (mate c') must not prefer c: v_c >= v_c' + w_rc - w_rc'.
    keep = ~free_row & ~chosen
    src = mate[rows[keep]]
    dst = cols[keep]
    delta = w[keep] - w_mate[rows[keep]]
    order = np.argsort(src, kind="stable")
    src, dst, delta = src[order], dst[order], delta[order]
    start = np.searchsorted(src, np.arange(n_cols + 1))
    frontier = np.arange(n_cols)
    for _ in range(n_cols + 2):
        if len(frontier) == 0:
            break
        counts = start[frontier + 1] - start[frontier]
        if counts.sum() == 0:
            break
        # Edge ids out of every frontier col, gathered without a Python loop.
        base = np.repeat(start[frontier] - np.cumsum(counts) + counts, counts)
        eids = base + np.arange(int(counts.sum()))
        cand = v[src[eids]] + delta[eids]
        better = cand > v[dst[eids]]
        if not better.any():
            break
        new = v.copy()
        np.maximum.at(new, dst[eids][better], cand[better])
        frontier = np.flatnonzero(new > v)
        v = new
    else:
        raise RuntimeError("dual prices do not settle: the assignment is not optimal")
    used = np.bincount(cols[chosen], minlength=n_cols)
    u = np.where(mate >= 0, w_mate - v[np.maximum(mate, 0)], 0)
    if (v[used < cap] != 0).any() or (u < 0).any():
        raise RuntimeError("no dual prices certify this assignment: it is not optimal")
    return u, v


@dataclass(frozen=True, eq=False)
class Priced:
    """Pairs left out of the graph that could improve the solution, and how many were checked."""

    rows: np.ndarray
    cols: np.ndarray
    scores: np.ndarray
    checked: int
    # Per row: the largest shortfall B + f*s_rc - u_r - v_c over the pairs priced (0 if none).
    max_gain: np.ndarray


def price_left_out(ctx: ScoreContext, u: np.ndarray, v: np.ndarray, bonus: int,
                   rest_max: np.ndarray, col_max: np.ndarray, col_ok: np.ndarray,
                   per_row: int, margin: int = 0, score_factor: int = 1) -> Priced:
    """Every allowed pair outside the graph with B + s_rc > u_r + v_c (at most per_row a row).

    A left-out pair of row r in col c scores at most min(rest_max[r], col_max[c]), so only
    pairs whose bound beats u_r - B + v_c are scored at all, and only rows with such a col.
    Pairs already in the graph satisfy their dual constraint, so they never come back.
    If any pair improves, pairs within `margin` of improving come along too: the next
    solve's prices move, and taking them now saves rounds. score_factor multiplies scores
    (the peer bound works with doubled prices to stay in integers).
    """
    empty = np.zeros(0, np.int64)
    f = score_factor
    bound_r = np.where(np.isfinite(rest_max),
                       f * int_scores(np.nan_to_num(rest_max, neginf=0.0)), -1)
    bound_c = np.where(np.isfinite(col_max),
                       f * int_scores(np.nan_to_num(col_max, neginf=0.0)), -1)
    max_gain = np.zeros(len(u), np.int64)
    price = np.where(col_ok & (bound_c >= 0), v, np.iinfo(np.int64).max // 4)
    order = np.argsort(price, kind="stable")
    sorted_price = price[order]
    slack_r = u - bonus  # a pair of row r improves things only if s_rc > slack_r + v_c
    # Cols cheap enough for row r form a prefix of the price order.
    reach = np.where(bound_r >= 0, np.searchsorted(sorted_price, bound_r - slack_r,
                                                   side="left"), 0)
    todo = np.flatnonzero(reach > 0)
    if len(todo) == 0:
        return Priced(empty, empty, empty.astype(np.float64), 0, max_gain)
    todo = todo[np.argsort(reach[todo], kind="stable")]
    blocks = []
    i = 0
    while i < len(todo):
        # Grow the block while the widest row keeps it under the cell budget.
        j = i + 1
        while j < len(todo) and (j - i + 1) * int(reach[todo[j]]) <= _PRICE_CELLS:
            j += 1
        blocks.append(todo[i:j])
        i = j

    def price(block: np.ndarray) -> tuple[np.ndarray, ...]:
        width = int(reach[block[-1]])
        ci = order[:width]
        s = score_sub(ctx, block, ci)
        ok = np.isfinite(s) & (np.arange(width)[None, :] < reach[block][:, None])
        si = np.where(ok, f * int_scores(np.where(ok, s, 0.0).astype(np.float64)), -1)
        gain = si - (slack_r[block][:, None] + v[ci][None, :])
        best = np.maximum(0, np.where(ok, gain, 0).max(axis=1, initial=0))
        # Keep every pair within the margin; whether any really improves is decided below.
        near = ok & (gain > (-margin if margin > 0 else 0))
        br, bc = np.nonzero(near)
        g = gain[br, bc]
        # A row lies in one block only: keep its per_row pairs of largest gain right here.
        o = np.lexsort((-g, br))
        br, bc, g = br[o], bc[o], g[o]
        take = (np.arange(len(br)) - np.searchsorted(br, br, side="left")) < per_row
        br, bc, g = br[take], bc[take], g[take]
        return (block, best, np.array([s.size]), block[br], ci[bc], g,
                np.clip(s[br, bc].astype(np.float64), 0.0, 1.0))

    out = list(parallel_map(price, blocks))
    checked = int(sum(int(o[2][0]) for o in out))
    for block, best, *_ in out:
        max_gain[block] = best
    if not out:
        return Priced(empty, empty, empty.astype(np.float64), checked, max_gain)
    r = np.concatenate([o[3] for o in out])
    c = np.concatenate([o[4] for o in out])
    g = np.concatenate([o[5] for o in out])
    sc = np.concatenate([o[6] for o in out])
    if not (g > 0).any():
        return Priced(empty, empty, empty.astype(np.float64), checked, max_gain)
    return Priced(r, c, sc, checked, max_gain)


def price_reserve(reserve_rows: np.ndarray, reserve_cols: np.ndarray, reserve_scores: np.ndarray,
                  u: np.ndarray, v: np.ndarray, bonus: int, margin: int = 0,
                  ) -> tuple[np.ndarray, int]:
    """Mask of reserve pairs (scored once already) that could improve the solution, plus
    those within `margin` of it when any can; and how many pairs were checked."""
    gain = (bonus + int_scores(reserve_scores)) - u[reserve_rows] - v[reserve_cols]
    take = gain > 0
    if take.any() and margin > 0:
        take = gain > -margin
    return take, len(gain)
