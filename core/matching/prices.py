"""Estimated mentor prices before the first solve: an auction on the scored candidate pool.

The exact solve's dual prices say what a mentor "costs" in score: a mentee's best pair is the
one with the highest score minus price, not the highest score. Choosing each mentee's
candidates by raw score puts popular mentors in everyone's list and leaves out the pairs the
optimum really uses (some rank 500th by raw score), so the first solve's prices are far off
and pricing forces several more solves. With estimated prices the first graph is chosen by
score minus price, and its solve is usually already the optimum over every allowed pair.

The estimate never decides anything by itself: the engine still solves exactly and proves the
result optimal against all allowed pairs. A poor estimate costs time, never correctness.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from functools import partial

import numpy as np

# Bid increments, large first: prices rise quickly to about the right level, then finer
# increments settle them (epsilon scaling). Within 0.002 of the exact prices is close enough
# that a mentee's top 25 by score minus price holds its optimal pair.
_EPS = (0.05, 0.01, 0.002)
# Rounds per increment; a few mentees bouncing between the same mentors at the end barely
# move any price, so stopping there loses little.
_MAX_ROUNDS = 250


# Rounds with at least this many bidding rows split them over the threads.
_SPLIT_ROWS = 4096


def _best_two(pad_s: np.ndarray, pad_c: np.ndarray, p: np.ndarray, active: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(best col, best value, second value or 0) of score minus price for each active row."""
    c_act = np.take(pad_c, active, axis=0)
    # np.take, not p[c_act]: fancy indexing with 16-bit indices is 1.7x slower.
    val = np.take(pad_s, active, axis=0) - np.take(p, c_act)
    at_best = val.argmax(axis=1)  # the first of a row's best, as ties go
    line = np.arange(len(active))
    best = val[line, at_best]
    val[line, at_best] = -np.inf
    return c_act[line, at_best], best, np.maximum(val.max(axis=1), np.float32(0))


def auction_prices(n_rows: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                   scores: np.ndarray, eps: tuple[float, ...] = _EPS, threads: int = 1,
                   ) -> np.ndarray:
    """Approximate equilibrium prices (score units, one per col) of the capacitated
    assignment restricted to the given pairs, where staying unmatched is worth 0.

    rows must be sorted. A Jacobi auction: every unassigned row bids at once for its best
    col (score minus price), raising that col's price by its margin over its second best
    plus the increment; a full col keeps its cap highest bids and its price is the lowest
    of them. Prices only rise, so it ends. Each finer increment starts every row afresh
    from the prices reached, less the previous increment (epsilon scaling). threads: rounds
    with many bidders find their best pairs on that many threads.
    """
    n_cols = len(cap)
    if len(rows) == 0 or n_cols == 0:
        return np.zeros(n_cols)
    # Each row's pairs side by side in one padded row (at most ~1.2x the pairs: rows hold
    # about as many each), so a round is a gather of the active rows and two reductions
    # along them, with no per-round index arithmetic over the pairs. float32 halves the memory
    # traffic; prices are estimates, and 1e-7 is far below eps.
    start = np.searchsorted(rows, np.arange(n_rows + 1))
    counts = np.diff(start)
    row_ix = np.asarray(rows, np.int64)
    at = np.arange(len(row_ix)) - start[row_ix]
    pad_s = np.full((n_rows, max(1, int(counts.max()))), -np.inf, np.float32)
    pad_c = np.zeros(pad_s.shape, np.int16 if n_cols <= np.iinfo(np.int16).max else np.int32)
    pad_s[row_ix, at] = scores
    pad_c[row_ix, at] = cols
    del row_ix, at
    width = max(1, int(cap.max(initial=0)))
    has = np.flatnonzero(counts > 0)
    with ThreadPoolExecutor(threads) if threads > 1 else nullcontext() as pool:
        return _rounds(n_cols, cap, pad_s, pad_c, has, width, eps, threads, pool)


def _rounds(n_cols: int, cap: np.ndarray, pad_s: np.ndarray, pad_c: np.ndarray,
            has: np.ndarray, width: int, eps: tuple[float, ...], threads: int,
            pool: ThreadPoolExecutor | None) -> np.ndarray:
    """The auction's phases on the padded pairs (see auction_prices)."""
    p = np.zeros(n_cols, np.float32)
    for i, e in enumerate(eps):
        if i:
            # Each coarse phase leaves prices up to its increment too high, and prices only
            # rise: without stepping back they stayed 0.05 above the exact ones at 50k (0.017
            # with it), and the first graph missed more of the optimum's pairs.
            p = np.maximum(p - np.float32(eps[i - 1]), np.float32(0))
        step = np.float32(e)
        slot_bid = np.full((n_cols, width), -np.inf, np.float32)
        slot_row = np.full((n_cols, width), -1, np.int64)
        active = has
        for _ in range(_MAX_ROUNDS):
            if len(active) == 0:
                break
            if pool is not None and len(active) >= _SPLIT_ROWS:
                # Chunks of _SPLIT_ROWS // 2 rows: larger ones left their temporaries
                # (tens of MB) in each thread's malloc arena, on top of the solver's peak.
                chunks = np.array_split(active, max(threads, 2 * len(active) // _SPLIT_ROWS))
                parts = list(pool.map(partial(_best_two, pad_s, pad_c, p), chunks))
                bc_all, best, second = (np.concatenate(x) for x in zip(*parts, strict=True))
            else:
                bc_all, best, second = _best_two(pad_s, pad_c, p, active)
            go = best > 0  # a row whose every pair costs more than it is worth stays out
            bidders = active[go]
            bc = bc_all[go].astype(np.int64)
            bid = p[bc] + (best[go] - second[go]) + step
            touched = np.unique(bc)
            held = slot_row[touched].ravel() >= 0
            ar = np.concatenate([slot_row[touched].ravel()[held], bidders])
            ac = np.concatenate([np.repeat(touched, width)[held], bc])
            ab = np.concatenate([slot_bid[touched].ravel()[held], bid])
            # By col, highest bid first, in one float key (bids lie in [0, 3), cols 4 apart):
            # a plain argsort of it costs a third of a two-key lexsort.
            o = np.argsort(ac * 4.0 - ab)
            ar, ac, ab = ar[o], ac[o], ab[o]
            rank = np.arange(len(ac)) - np.searchsorted(ac, ac, side="left")
            keep = rank < cap[ac]
            slot_bid[touched] = -np.inf
            slot_row[touched] = -1
            slot_bid[ac[keep], rank[keep]] = ab[keep]
            slot_row[ac[keep], rank[keep]] = ar[keep]
            full = (slot_row[touched] >= 0).sum(axis=1) >= cap[touched]
            lowest = slot_bid[touched, np.maximum(cap[touched] - 1, 0)]
            p[touched] = np.where(full & (cap[touched] > 0), lowest, p[touched])
            # Rows that found nothing worth bidding for sit out until the next increment.
            active = np.sort(ar[~keep])
    return p.astype(np.float64)
