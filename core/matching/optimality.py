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
from core.matching.scoring import ScoreContext, score_rows, score_sub
from core.matching.solve_bipartite import SCALE, int_scores

_PRICE_CELLS = 250_000
_RESERVE_SLICE = 1 << 16


def coverage_bonus(n_rows: int) -> int:
    """B: one more matched row outweighs any total score difference."""
    return (n_rows + 1) * SCALE


def assignment_duals(n_rows: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                     w: np.ndarray, chosen: np.ndarray, max_passes: int | None = None,
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Dual prices (u per row, v per col) that certify `chosen` optimal on the given graph.

    w are integer edge weights; chosen must be a maximum-weight capacitated assignment of
    them. The smallest col prices satisfying every dual constraint and complementary
    slackness are longest-path distances along alternating paths; they are found by
    label-correcting (Bellman-Ford restricted to the cols whose price just rose). Raises
    RuntimeError if `chosen` is not optimal, which is a solver bug, never an input problem;
    or, with max_passes, also when the prices have not settled after that many passes (the
    caller then solves again instead of waiting for a proof that may not come).

    Prices only rise towards the smallest feasible ones, so the moment one passes its
    ceiling (0 for a col with room left, else its lowest chosen weight, or that row's u would
    be negative) no prices can certify `chosen`: it fails then, not after every pass.
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
    used = np.bincount(cols[chosen], minlength=n_cols)
    ceiling = np.full(n_cols, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(ceiling, cols[chosen], w[chosen])
    ceiling[used < cap] = 0
    not_optimal = "no dual prices certify this assignment: it is not optimal"
    if (v > ceiling).any():
        raise RuntimeError(not_optimal)
    # A matched row r (mate c') must not prefer c: v_c >= v_c' + w_rc - w_rc'.
    keep = ~free_row & ~chosen
    src = mate[rows[keep]]
    dst = cols[keep]
    delta = w[keep] - w_mate[rows[keep]]
    order = np.argsort(src, kind="stable")
    src, dst, delta = src[order], dst[order], delta[order]
    start = np.searchsorted(src, np.arange(n_cols + 1))
    frontier = np.arange(n_cols)
    for _ in range(n_cols + 2 if max_passes is None else min(n_cols + 2, max_passes)):
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
        if (v[frontier] > ceiling[frontier]).any():
            raise RuntimeError(not_optimal)
    else:
        raise RuntimeError("dual prices do not settle: the assignment is not optimal")
    u = np.where(mate >= 0, w_mate - v[np.maximum(mate, 0)], 0)
    if (v[used < cap] != 0).any() or (u < 0).any():
        raise RuntimeError(not_optimal)
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


# Rows whose bound reaches at least this share of the cols are scored against every col (as
# candidate generation does, no gathering), and remember the result for the next rounds.
_WIDE = 4
# Col groups of the remembered bounds: a row is scored again only if, in some group, prices
# fell by more than the room its best left-out pair there had.
_GROUPS = 128


def _cells(rows: np.ndarray, cols: np.ndarray, ri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position in ri, col) of the pairs whose row is in ri; rows must be sorted."""
    # ri in rows' own dtype: otherwise searchsorted converts the whole of rows on every call.
    ri = ri.astype(rows.dtype, copy=False)
    start = np.searchsorted(rows, ri, side="left")
    counts = np.searchsorted(rows, ri, side="right") - start
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    idx = np.repeat(start - np.cumsum(counts) + counts, counts) + np.arange(total)
    return np.repeat(np.arange(len(ri)), counts), cols[idx]


class Pricer:
    """Prices every allowed pair left out of the graph, round after round (column generation).

    A left-out pair of row r in col c scores at most min(rest_max[r], col_max[c]), so only
    pairs whose bound beats the row's price are scored at all. A row whose bound reaches many
    cols is scored against all of them in one block, and for each group of cols it remembers
    q = max(score - price) over its left-out pairs. In a later round a pair's gain is at most
    q plus how far its col's price fell since, so the row is scored again only if that bound
    lets some pair improve: once prices settle, proving optimality costs almost no scoring.
    All decisions are exact: floats only ever bound, and every pair that could improve is
    checked in integers.

    Pairs given to add_known are checked exactly elsewhere every round (the graph's by their
    reduced cost, the reserve's by price_reserve); they are left out of what is remembered, so
    their own tightness does not force rescoring.
    """

    def __init__(self, ctx: ScoreContext, rest_max: np.ndarray, col_max: np.ndarray,
                 col_ok: np.ndarray, score_factor: int = 1) -> None:
        self.ctx = ctx
        self.f = score_factor
        self.col_ok = col_ok
        f = score_factor
        self.bound_r = np.where(np.isfinite(rest_max),
                                f * int_scores(np.nan_to_num(rest_max, neginf=0.0)), -1)
        self.bound_c = np.where(np.isfinite(col_max),
                                f * int_scores(np.nan_to_num(col_max, neginf=0.0)), -1)
        n_rows, n_cols = len(rest_max), len(col_ok)
        self.group_start = np.unique(np.linspace(0, n_cols, min(_GROUPS, n_cols) + 1)
                                     .astype(np.int64)[:-1]) if n_cols else np.zeros(0, np.int64)
        self.slot = np.full(n_rows, -1, np.int64)  # row -> index into the remembered arrays
        self.q = np.zeros((0, len(self.group_start)))
        self.ref = np.zeros(0, np.int64)  # which round's prices each remembered row used
        self.v_ref: list[np.ndarray] = []
        self.bonus: int | None = None
        self.known: list[tuple[np.ndarray, np.ndarray]] = []

    def add_known(self, rows: np.ndarray, cols: np.ndarray) -> None:
        """Pairs that every round checks exactly elsewhere (they may or may not be priced)."""
        if len(rows):
            if (np.diff(rows) < 0).any():
                o = np.argsort(rows, kind="stable")
                rows, cols = rows[o], cols[o]
            self.known.append((rows, cols))

    def reset_known(self) -> None:
        """Forget the known pairs (the caller adds the same pairs again, held elsewhere)."""
        self.known = []

    def _remembered_bound(self, rows: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Upper bound on the gain of any left-out pair of each (remembered) row."""
        fs = float(self.f * SCALE)
        out = np.full(len(rows), np.inf)
        ref = self.ref[self.slot[rows]]
        for k in np.unique(ref).tolist():
            drop = np.where(self.col_ok, (self.v_ref[k] - v).astype(np.float64), -np.inf)
            d = np.maximum.reduceat(drop, self.group_start)
            sel = ref == k
            q = self.q[self.slot[rows[sel]]]
            out[sel] = (fs * q + d[None, :]).max(axis=1, initial=-np.inf)
        # int_scores rounds to the nearest unit (f / 2 at most) and floats err by far less
        # than one unit: two more units make it a bound.
        return out + self.f / 2 + 2 - u[rows]

    def price(self, u: np.ndarray, v: np.ndarray, bonus: int, per_row: int, margin: int = 0,
              ) -> Priced:
        """Every allowed pair outside the graph with B + f*s_rc > u_r + v_c (at most per_row a
        row), plus, if any, the pairs within `margin` of it (the next solve's prices move, and
        taking them now saves rounds). Known pairs may or may not be returned."""
        ctx, f = self.ctx, self.f
        empty = np.zeros(0, np.int64)
        if self.bonus is not None and bonus != self.bonus:
            raise ValueError("the coverage bonus must stay the same from round to round")
        self.bonus = bonus
        n_cols = len(self.col_ok)
        max_gain = np.zeros(len(u), np.int64)
        price = np.where(self.col_ok & (self.bound_c >= 0), v, np.iinfo(np.int64).max // 4)
        order = np.argsort(price, kind="stable")
        sorted_price = price[order]
        slack_r = u - bonus  # a pair of row r improves things only if f*s_rc > slack_r + v_c
        # Cols cheap enough for row r form a prefix of the price order.
        reach = np.where(self.bound_r >= 0, np.searchsorted(sorted_price,
                                                            self.bound_r - slack_r,
                                                            side="left"), 0)
        todo = np.flatnonzero(reach > 0)
        seen = todo[self.slot[todo] >= 0]
        if len(seen):
            # Rows remembered from an earlier round: only those whose bound still bites.
            quiet = seen[self._remembered_bound(seen, u, v) <= 0]
            todo = np.setdiff1d(todo, quiet, assume_unique=True)
        wide = todo[_WIDE * reach[todo] >= n_cols]
        narrow = todo[_WIDE * reach[todo] < n_cols]
        narrow = narrow[np.argsort(reach[narrow], kind="stable")]
        blocks: list[tuple[bool, np.ndarray]] = []
        i = 0
        while i < len(narrow):
            # Grow the block while the widest row keeps it under the cell budget.
            j = i + 1
            while j < len(narrow) and (j - i + 1) * int(reach[narrow[j]]) <= _PRICE_CELLS:
                j += 1
            blocks.append((False, narrow[i:j]))
            i = j
        step = max(1, _PRICE_CELLS // max(1, n_cols))
        blocks += [(True, wide[i:i + step]) for i in range(0, len(wide), step)]
        fs = float(f * SCALE)
        b_c = (v - bonus) / fs  # a col's price in score units

        def select(block: np.ndarray, ci: np.ndarray, s: np.ndarray, ok: np.ndarray
                   ) -> tuple[np.ndarray, ...]:
            flat = np.flatnonzero(ok)
            br, bc = np.divmod(flat, s.shape[1])
            sv = s.ravel()[flat].astype(np.float64)
            g = f * int_scores(sv) - (slack_r[block][br] + v[ci][bc])
            # br is sorted (row-major order): each row's cells are one run.
            counts = np.bincount(br, minlength=len(block))
            has = counts > 0
            best = np.zeros(len(block), np.int64)
            if has.any():
                starts = (np.cumsum(counts) - counts)[has]
                best[has] = np.maximum(np.maximum.reduceat(g, starts), 0)
            # Keep every pair within the margin (whether any really improves is decided
            # below), and of a row with more, its per_row largest gains (ties may add a few):
            # a row lies in one block only. Sorting every cell close to its price would cost
            # far more than the scoring when prices are still low (early rounds).
            keep = g > (-margin if margin > 0 else 0)
            kept = np.flatnonzero(keep)
            n_kept = np.bincount(br[kept], minlength=len(block))
            ends = np.cumsum(n_kept)
            for h in np.flatnonzero(n_kept > per_row).tolist():
                seg = kept[ends[h] - n_kept[h]:ends[h]]  # this row's kept cells
                gs = g[seg]
                kth = np.partition(gs, len(gs) - per_row)[len(gs) - per_row]
                keep[seg[gs < kth]] = False
            return (block, best, np.array([s.size]), block[br[keep]], ci[bc[keep]], g[keep],
                    np.clip(sv[keep], 0.0, 1.0))

        def run(item: tuple[bool, np.ndarray]) -> tuple[np.ndarray, ...]:
            is_wide, block = item
            ci = np.arange(n_cols) if is_wide else order[:int(reach[block[-1]])]
            s = score_rows(ctx, block, self.col_ok) if is_wide else score_sub(ctx, block, ci)
            if (s < 0).any():  # scores are clipped to 0 before they count
                s = np.where(np.isfinite(s), np.maximum(s, 0), s)
            q = s.astype(np.float64)
            q -= b_c[ci]
            # The float test keeps a superset of the pairs within the margin: int_scores
            # moves a score by half a unit at most, far less than the 10 units of slack. (Cols
            # a narrow row reaches past its bound are priced too, harmlessly.)
            a_r = (slack_r[block] + bonus - margin) / fs - 1e-5
            out = select(block, ci, s, q >= a_r[:, None])
            if not is_wide:
                return (*out, None)
            for rows, cols in self.known:
                pr, pc = _cells(rows, cols, block)
                q[pr, pc] = -np.inf
            return (*out, np.maximum.reduceat(q, self.group_start, axis=1))

        # Threads or not by the pool's size, not this round's: a late round of a large pool
        # is still worth two cores, and a small pool's memory is kept low throughout.
        out = list(parallel_map(run, blocks, cells=len(u) * n_cols))
        checked = int(sum(int(o[2][0]) for o in out))
        for block, best, *_ in out:
            max_gain[block] = best
        remembered = [(o[0], o[7]) for o in out if o[7] is not None]
        if remembered:
            self._remember(np.concatenate([r for r, _ in remembered]),
                           np.concatenate([q for _, q in remembered]), v)
        if not out:
            return Priced(empty, empty, empty.astype(np.float64), checked, max_gain)
        r = np.concatenate([o[3] for o in out])
        c = np.concatenate([o[4] for o in out])
        g = np.concatenate([o[5] for o in out])
        sc = np.concatenate([o[6] for o in out])
        if not (g > 0).any():
            return Priced(empty, empty, empty.astype(np.float64), checked, max_gain)
        return Priced(r, c, sc, checked, max_gain)

    def _remember(self, rows: np.ndarray, q: np.ndarray, v: np.ndarray) -> None:
        """Keep each row's per-group bound, replacing what was kept for it before."""
        self.v_ref.append(v.copy())
        keep = np.ones(len(self.ref), bool)
        keep[self.slot[rows][self.slot[rows] >= 0]] = False
        old_rows = np.flatnonzero(self.slot >= 0)
        old_rows = old_rows[keep[self.slot[old_rows]]]
        self.q = np.concatenate([self.q[self.slot[old_rows]], q])
        self.ref = np.concatenate([self.ref[self.slot[old_rows]],
                                   np.full(len(rows), len(self.v_ref) - 1, np.int64)])
        self.slot[:] = -1
        self.slot[old_rows] = np.arange(len(old_rows))
        self.slot[rows] = len(old_rows) + np.arange(len(rows))


def price_left_out(ctx: ScoreContext, u: np.ndarray, v: np.ndarray, bonus: int,
                   rest_max: np.ndarray, col_max: np.ndarray, col_ok: np.ndarray,
                   per_row: int, margin: int = 0, score_factor: int = 1) -> Priced:
    """Every allowed pair outside the graph with B + s_rc > u_r + v_c (at most per_row a row),
    in one round without memory (see Pricer). score_factor multiplies scores (the peer bound
    works with doubled prices to stay in integers)."""
    return Pricer(ctx, rest_max, col_max, col_ok, score_factor).price(u, v, bonus, per_row,
                                                                      margin)


def price_reserve(reserve_rows: np.ndarray, reserve_cols: np.ndarray, reserve_scores: np.ndarray,
                  u: np.ndarray, v: np.ndarray, bonus: int, margin: int = 0,
                  ) -> tuple[np.ndarray, int]:
    """Mask of reserve pairs (scored once already) that could improve the solution, plus
    those within `margin` of it when any can; and how many pairs were checked."""
    n = len(reserve_rows)
    take = np.zeros(n, bool)
    near = np.zeros(n, bool) if margin > 0 else take
    # In slices: the reserve is the largest array kept, and its 64-bit gains would add
    # several times its size to the peak memory.
    for a in range(0, n, _RESERVE_SLICE):
        b = min(n, a + _RESERVE_SLICE)
        gain = int_scores(reserve_scores[a:b])
        gain -= u[reserve_rows[a:b]]
        gain -= v[reserve_cols[a:b]]
        gain += bonus
        np.greater(gain, 0, out=take[a:b])
        if margin > 0:
            np.greater(gain, -margin, out=near[a:b])
    return (near if take.any() else take), n
