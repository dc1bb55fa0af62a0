"""Top-K candidate graphs built block by block, so memory stays bounded."""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.matching.scoring import ScoreContext, score_block

# Small enough that the blocks in flight on every core stay well below the solver's own memory.
_BLOCK_CELLS = 250_000
# But never fewer rows than this: each block pays ~60 numpy calls of Python overhead under the
# GIL, which at 10,000 cols (25-row blocks) kept two scoring threads from running in parallel
# (50k people: 3.9 s with 25-row blocks, 3.1 s with 50).
_MIN_BLOCK_ROWS = 50


@dataclass(frozen=True, eq=False)
class Edges:
    """A candidate graph: parallel arrays of row, col and score."""

    rows: np.ndarray
    cols: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


# Less work than this many score cells runs on the calling thread: at 10k people (16M cells)
# two threads saved about 0.1 s of 1.2, while each thread's malloc arena kept the blocks it
# freed resident (5 MB, a fifth of the solver's own peak).
_PARALLEL_CELLS = 50_000_000


def workers(cells: int | None = None) -> int:
    """Threads for work over this many score cells: one per core (at most 4), or one below
    _PARALLEL_CELLS."""
    if cells is not None and cells < _PARALLEL_CELLS:
        return 1
    return min(4, os.cpu_count() or 1)


def parallel_map(fn: Callable[[Any], Any], items: list[Any], cells: int | None = None,
                 ) -> Iterator[Any]:
    """fn over items, in order, on a small thread pool (see workers)."""
    workers_ = min(workers(cells), len(items))
    if workers_ <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(workers_) as pool:
        yield from pool.map(fn, items)


def release_freed_memory() -> None:
    """Hand memory freed by the scoring threads back to the OS (glibc only; else nothing).

    Each worker thread frees its blocks into its own malloc arena, which glibc keeps resident:
    without this the solver's memory would come on top of every block ever scored.
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def empty_edges() -> Edges:
    """A graph with no edges."""
    return Edges(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))


def concat(a: Edges, b: Edges) -> Edges:
    """Union of two graphs; the first copy of a duplicated edge wins."""
    rows = np.concatenate([a.rows, b.rows])
    cols = np.concatenate([a.cols, b.cols])
    scores = np.concatenate([a.scores, b.scores])
    _, first = np.unique(rows * (int(cols.max(initial=0)) + 1) + cols, return_index=True)
    return Edges(rows[first], cols[first], scores[first])


def top_k(
    ctx: ScoreContext,
    k: int,
    row_ids: np.ndarray | None = None,
    col_ok: np.ndarray | None = None,
) -> Edges:
    """The k best feasible cols for each row (all rows, or only row_ids)."""
    n_cols = len(ctx.cols.ids)
    rows_all = np.arange(len(ctx.rows.ids)) if row_ids is None else np.asarray(row_ids)
    if n_cols == 0 or len(rows_all) == 0 or k <= 0:
        return empty_edges()
    out_r, out_c, out_s = [], [], []
    step = max(1, _BLOCK_CELLS // n_cols)
    # Contiguous runs of rows are scored together; row_ids are sorted so runs are long.
    rows_all = np.sort(rows_all)
    i = 0
    while i < len(rows_all):
        r0 = int(rows_all[i])
        r1 = min(r0 + step, int(rows_all[-1]) + 1)
        j = int(np.searchsorted(rows_all, r1))
        wanted = rows_all[i:j] - r0
        s = score_block(ctx, r0, r1, col_ok)[wanted]
        if n_cols > k:
            idx = np.argpartition(-s, k - 1, axis=1)[:, :k]
        else:
            idx = np.broadcast_to(np.arange(n_cols), (len(wanted), n_cols))
        vals = np.take_along_axis(s, idx, axis=1)
        ok = np.isfinite(vals)
        rr = np.broadcast_to((wanted + r0)[:, None], idx.shape)
        out_r.append(rr[ok])
        out_c.append(idx[ok])
        out_s.append(vals[ok].astype(np.float64))
        i = j
    return Edges(np.concatenate(out_r).astype(np.int64), np.concatenate(out_c).astype(np.int64),
                 np.clip(np.concatenate(out_s), 0.0, 1.0))


class ColTops:
    """The k best finite entries of each thin col (one that fewer than k rows picked among
    their own best), over row blocks that arrive one after another.

    Blocks only hand over entries above `floor` (each col's k-th best so far) from cols whose
    block maximum beats it, and a col stops being tracked once k rows have picked it (picks
    only grow, so it can never be thin). After the first blocks almost nothing is copied:
    the col-wise pass costs a comparison per col inside the row pass, instead of scoring
    every row again against the thin cols. The scoring threads merge their own blocks
    (offer, every _MERGE_EVERY blocks), so the floor lags only that far: merged on the main
    thread as results came in, scoring threads ran far ahead on the first, lowest floor and
    handed over 50 times as many entries. A floor read before a merge is only ever lower,
    which hands over a few more entries, never fewer. Ties are broken arbitrarily.
    """

    # Blocks' entries wait until this many blocks have come (or there are many): a merge
    # costs 0.2 ms however few entries it takes, and late blocks hand over a few dozen.
    _MERGE_EVERY = 8

    def __init__(self, n_cols: int, k: int) -> None:
        self.k = k
        self.floor = np.full(n_cols, np.finfo(np.float32).min, np.float32)
        self.picks = np.zeros(n_cols, np.int64)
        self._v = np.full((n_cols, k), -np.inf, np.float32)
        self._r = np.full((n_cols, k), -1, np.int64)
        self._lock = threading.Lock()
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def offer(self, s: np.ndarray, row_ids: np.ndarray, col_max: np.ndarray,
              picked: np.ndarray) -> None:
        """Merge a block of scores (rows row_ids, each col's maximum col_max, the cols its
        rows picked); thread-safe."""
        found = self.entries(s, row_ids, col_max)
        with self._lock:
            self.picks += np.bincount(picked, minlength=len(self.picks))
            self._pending.append(found)
            if (len(self._pending) >= self._MERGE_EVERY
                    or sum(len(f[1]) for f in self._pending) >= len(self.picks)):
                self._merge_pending()

    def _merge_pending(self) -> None:
        if self._pending:
            found = [np.concatenate(x) for x in zip(*self._pending, strict=True)]
            self._pending = []
            self.add(*found)

    def entries(self, s: np.ndarray, row_ids: np.ndarray, col_max: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, col, value) of the block's entries that may be among a col's k best, given
        the block's maximum of each col."""
        floor = self.floor  # one read: a merge replaces it, never writes into it
        hit = np.flatnonzero(col_max > floor)
        sub = s[:, hit]
        # Strictly above: a col holds k entries at its floor already, and ties are common
        # (scores are sums of a few discrete terms), so ">=" would copy them every block.
        above = sub > floor[hit]
        if len(sub) > self.k:
            # Nor below the block's own k-th best of the col (ties may add a few).
            above &= sub >= np.partition(sub, len(sub) - self.k, axis=0)[len(sub) - self.k]
        r, j = np.nonzero(above)
        return row_ids[r], hit[j], sub[r, j]

    def add(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        """Merge entries (from entries()) and raise the floor; one thread at a time."""
        floor = self.floor.copy()
        floor[self.picks >= self.k] = np.inf
        if len(cols):
            k = self.k
            # Grouped by col only: the partition below does the ordering. entries() kept
            # about k a col already (more only with ties).
            o = np.argsort(cols, kind="stable")
            rows, cols, vals = rows[o], cols[o], vals[o]
            first = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
            count = np.diff(np.r_[first, len(cols)])
            touched = cols[first]
            at = np.repeat(np.arange(len(touched)), count)
            slot = k + np.arange(len(cols)) - first[at]
            width = k + int(count.max())
            v = np.full((len(touched), width), -np.inf, np.float32)
            r = np.full((len(touched), width), -1, np.int64)
            v[:, :k], r[:, :k] = self._v[touched], self._r[touched]
            v[at, slot], r[at, slot] = vals, rows
            best = np.argpartition(-v, k - 1, axis=1)[:, :k]
            self._v[touched] = np.take_along_axis(v, best, axis=1)
            self._r[touched] = np.take_along_axis(r, best, axis=1)
            floor[touched] = np.maximum(self._v[touched].min(axis=1), floor[touched])
        self.floor = floor

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, col, value) of each thin col's k best entries."""
        self._merge_pending()
        c, j = np.nonzero((self._r >= 0) & (self.picks < self.k)[:, None])
        return self._r[c, j], c, self._v[c, j]


def _row_tops(s: np.ndarray, k2: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each row's k2 best finite entries of s (which has more than k2 cols), best first:
    (row, col, value, rank in its row, and per row the best entry left out, -inf if none).

    A full partition of every row is the slowest step of candidate generation. Instead the
    (k2+1)-th largest of 2 * (k2+1) chunk maxima bounds a row's (k2+1)-th best from below
    (that many distinct entries reach it), so only the entries at or above it are sorted.
    Ties are broken by col, so the result does not depend on how rows are blocked.
    """
    nb, n = s.shape
    n_chunks = min(n, 2 * (k2 + 1))
    size = n // n_chunks
    # Chunk j holds cols j, j + n_chunks, ...: the max runs along contiguous memory.
    cm = s[:, : size * n_chunks].reshape(nb, size, n_chunks).max(axis=1)
    if size * n_chunks < n:
        np.maximum(cm[:, : n - size * n_chunks], s[:, size * n_chunks:],
                   out=cm[:, : n - size * n_chunks])
    floor = np.partition(cm, n_chunks - k2 - 1, axis=1)[:, n_chunks - k2 - 1]
    # Never below the lowest finite value: a forbidden (-inf) pair is never a candidate.
    np.maximum(floor, np.float32(np.finfo(np.float32).min), out=floor)
    flat = np.flatnonzero(s >= floor[:, None])
    r, c = np.divmod(flat, n)
    v = s.ravel()[flat]
    # Row first, then best first; ties stay in col order (stable). The key is exact: a
    # float32's bits, flipped so that their unsigned order is the values' order, below the row.
    bits = v.view(np.int32).astype(np.int64)
    ordered = np.where(bits < 0, ~bits & 0xFFFFFFFF, bits | 0x80000000)
    o = np.argsort((r << 32) | (0xFFFFFFFF - ordered), kind="stable")
    r, c, v = r[o], c[o], v[o]
    rank = np.arange(len(r)) - np.searchsorted(r, r, side="left")
    rest = np.full(nb, -np.inf, np.float32)
    nxt = rank == k2
    rest[r[nxt]] = v[nxt]
    keep = rank < k2
    return r[keep], c[keep], v[keep], rank[keep], rest


def symmetrise(e: Edges) -> Edges:
    """Undirected peer graph (row < col) from directed top-K lists."""
    lo = np.minimum(e.rows, e.cols)
    hi = np.maximum(e.rows, e.cols)
    keep = lo != hi
    return concat(Edges(lo[keep], hi[keep], e.scores[keep]), empty_edges())


@dataclass(frozen=True, eq=False)
class Candidates:
    """A sparse candidate graph plus what the optimality proof needs about the pairs left out.

    rest_max[r]: the best score of any allowed pair of row r that is not in the graph (-inf
    when none is left out); col_max[c]: the best score of any allowed pair in col c. Together
    they bound every left-out pair's score without scoring it again.
    """

    edges: Edges
    rest_max: np.ndarray
    col_max: np.ndarray
    allowed: int
    # The next best pairs of each row after its top k (up to k_reserve of them): kept out of
    # the graph, but priced exactly without scoring anything again.
    reserve: Edges = field(default_factory=lambda: empty_edges())


def candidate_graph(ctx: ScoreContext, k: int, row_ids: np.ndarray, col_ok: np.ndarray,
                    k_col: int = 0, k_reserve: int = 0) -> Candidates:
    """Each row's k best allowed cols and each col's k_col best rows, in one blocked pass
    that also bounds the pairs left out.

    The col side matters when many rows crowd onto the same popular cols: a col in nobody's
    top k would otherwise enter the graph only through pricing, one more solve later.
    """
    n_rows, n_cols = len(ctx.rows.ids), len(ctx.cols.ids)
    rest = np.full(n_rows, -np.inf)
    col_max = np.full(n_cols, -np.inf)
    rows_all = np.sort(np.asarray(row_ids, np.int64))
    if n_cols == 0 or len(rows_all) == 0 or k <= 0:
        return Candidates(empty_edges(), rest, col_max, 0)
    out_r, out_c, out_s = [], [], []
    res_r, res_c, res_s = [], [], []
    allowed = 0
    step = max(_MIN_BLOCK_ROWS, _BLOCK_CELLS // n_cols)
    k2 = min(k + k_reserve, n_cols)
    k_col = min(k_col, len(rows_all))
    spans = []
    i = 0
    while i < len(rows_all):
        r0 = int(rows_all[i])
        r1 = min(r0 + step, int(rows_all[-1]) + 1)
        j = int(np.searchsorted(rows_all, r1))
        spans.append((r0, r1, rows_all[i:j] - r0))
        i = j
    col_tops = ColTops(n_cols, k_col) if k_col > 0 else None

    def block(span: tuple[int, int, np.ndarray]) -> tuple[np.ndarray, ...]:
        r0, r1, wanted = span
        s = score_block(ctx, r0, r1, col_ok)
        if len(wanted) != r1 - r0:
            s = s[wanted]
        n_allowed = np.array([np.count_nonzero(s > -np.inf)])
        cmax = s.max(axis=0, initial=-np.inf)
        row_ids_b = wanted + r0
        if n_cols > k2:
            r, c, v, rank, rest_b = _row_tops(s, k2)
            r = row_ids_b[r]
            top, spare = rank < k, rank >= k
            if col_tops is not None:
                col_tops.offer(s, row_ids_b, cmax, c[top])
            return (row_ids_b, rest_b, n_allowed, cmax, r[top], c[top], v[top],
                    r[spare], c[spare], v[spare])
        rest_b = np.full(len(wanted), -np.inf, np.float32)
        best = np.broadcast_to(np.arange(n_cols), (len(wanted), n_cols))
        rows_b = row_ids_b[:, None]
        if k2 > k:
            # Split the k2 best into the graph's top k and the reserve.
            inner = np.argpartition(-np.take_along_axis(s, best, axis=1), k - 1, axis=1)
            idx = np.take_along_axis(best, inner[:, :k], axis=1)
            spare = np.take_along_axis(best, inner[:, k:], axis=1)
            vals = np.take_along_axis(s, spare, axis=1)
            ok = np.isfinite(vals)
            reserve_b = (np.broadcast_to(rows_b, spare.shape)[ok], spare[ok], vals[ok])
        else:
            idx = best
            reserve_b = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
        vals = np.take_along_axis(s, idx, axis=1)
        ok = np.isfinite(vals)
        if col_tops is not None:
            col_tops.offer(s, row_ids_b, cmax, idx[ok])
        return (row_ids_b, rest_b, n_allowed, cmax,
                np.broadcast_to(rows_b, idx.shape)[ok], idx[ok], vals[ok], *reserve_b)

    # Blocks are independent and numpy releases the GIL in the heavy steps: score them on
    # as many threads as there are cores.
    for (rows_b, rest_b, n_allowed, cmax, er, ec, es, rr, rc, rs) in parallel_map(
            block, spans, cells=len(rows_all) * n_cols):
        rest[rows_b] = rest_b
        allowed += int(n_allowed[0])
        np.maximum(col_max, cmax, out=col_max)
        # Held in 32 bits until the end: the lists and their concatenation coexist, and at
        # 10k people they were the run's largest arrays (the reserve is 3 pairs in 4).
        out_r.append(er.astype(np.int32))
        out_c.append(ec.astype(np.int32))
        out_s.append(es)
        res_r.append(rr.astype(np.int32))
        res_c.append(rc.astype(np.int32))
        res_s.append(rs)
    if col_tops is not None:
        # Only the cols that too few rows picked take their own best rows.
        pr, pc, vals = col_tops.result()
        out_r.append(pr.astype(np.int32))
        out_c.append(pc.astype(np.int32))
        out_s.append(vals)
    rows = np.concatenate(out_r).astype(np.int64)
    cols = np.concatenate(out_c).astype(np.int64)
    scores = np.concatenate(out_s).astype(np.float64)
    del out_r, out_c, out_s
    if k_col > 0:
        _, first = np.unique(rows * n_cols + cols, return_index=True)
        rows, cols, scores = rows[first], cols[first], scores[first]
    # The reserve is the largest array the engine keeps through every solve: 32-bit indices
    # and the scores' own float32 (int_scores widens them exactly before rounding).
    reserve = (Edges(np.concatenate(res_r), np.concatenate(res_c),
                     np.clip(np.concatenate(res_s), 0.0, 1.0)) if res_r else empty_edges())
    return Candidates(Edges(rows, cols, np.clip(scores, 0.0, 1.0)), rest, col_max, allowed,
                      reserve)
