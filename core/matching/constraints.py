"""Hard constraints as sparse forbidden-pair lists and small lookup tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from core.matching.types import PastMatch

# Why a pair is forbidden; used for unmatched-person reasons.
SELF, CHAIN, HISTORY, DNM = 0, 1, 2, 3
_VECTOR_STEPS = 64


@dataclass(frozen=True, eq=False)
class Forbidden:
    """Forbidden (row, col) pairs sorted by row, with the kind of rule that forbids each."""

    rows: np.ndarray
    cols: np.ndarray
    kinds: np.ndarray

    def for_rows(self, r0: int, r1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The slice of pairs whose row lies in [r0, r1)."""
        a, b = np.searchsorted(self.rows, [r0, r1])
        return self.rows[a:b], self.cols[a:b], self.kinds[a:b]


def chain_pairs(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (person, ancestor) pairs of the manager tree; terminates on cycles."""
    n = len(parent)
    nodes = np.arange(n)
    cur = parent.copy()
    descs: list[np.ndarray] = []
    ancs: list[np.ndarray] = []
    alive = cur >= 0
    steps = 0
    # Pointer jumping handles the normal, shallow tree in a few vectorised steps.
    while alive.any() and steps < _VECTOR_STEPS:
        descs.append(nodes[alive])
        ancs.append(cur[alive])
        cur = np.where(alive, parent[np.maximum(cur, 0)], -1)
        alive = cur >= 0
        steps += 1
    # Still walking after many steps means a cycle (or a freak depth): finish with a visited set.
    for v in np.flatnonzero(alive).tolist():
        seen: set[int] = set()
        u = int(parent[v])
        while u >= 0 and u not in seen:
            seen.add(u)
            u = int(parent[u])
        if seen:
            descs.append(np.full(len(seen), v))
            ancs.append(np.fromiter(seen, dtype=np.int64, count=len(seen)))
    if not descs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    d = np.concatenate(descs).astype(np.int64)
    a = np.concatenate(ancs).astype(np.int64)
    keep = d != a
    return d[keep], a[keep]


def relevant_history(
    history: Iterable[PastMatch], program_id: str, today: date, cooldown_days: int
) -> list[tuple[str, str]]:
    """Past pairs that block a rematch: same program ever, or any program within the cooldown."""
    out = []
    for h in history:
        if h.program_id == program_id or (today - h.matched_on).days < cooldown_days:
            out.append((h.person_a, h.person_b))
    return out


def build_forbidden(
    row_of: np.ndarray,
    col_of: np.ndarray,
    person_index: dict[str, int],
    parent: np.ndarray,
    history_pairs: list[tuple[str, str]],
    dnm_pairs: list[tuple[str, str]],
    symmetric: bool,
) -> Forbidden:
    """Forbidden (row, col) pairs from self, reporting chain, history and do-not-match rules.

    row_of/col_of map a person index to its row/column (-1 when absent).
    """
    rs: list[np.ndarray] = []
    cs: list[np.ndarray] = []
    ks: list[np.ndarray] = []

    def add(p: np.ndarray, q: np.ndarray, kind: int) -> None:
        # Either orientation can be the (row, col) one; both are checked.
        for x, y in ((p, q), (q, p)):
            r, c = row_of[x], col_of[y]
            ok = (r >= 0) & (c >= 0)
            rs.append(r[ok])
            cs.append(c[ok])
            ks.append(np.full(int(ok.sum()), kind, dtype=np.int8))

    everyone = np.arange(len(row_of))
    add(everyone, everyone, SELF)
    d, a = chain_pairs(parent)
    add(d, a, CHAIN)
    for pairs, kind in ((history_pairs, HISTORY), (dnm_pairs, DNM)):
        idx = [(person_index[x], person_index[y]) for x, y in pairs
               if x in person_index and y in person_index]
        if idx:
            arr = np.asarray(idx, dtype=np.int64)
            add(arr[:, 0], arr[:, 1], kind)
    rows = np.concatenate(rs).astype(np.int64)
    cols = np.concatenate(cs).astype(np.int64)
    kinds = np.concatenate(ks)
    if symmetric:
        rows, cols, kinds = (np.concatenate([rows, cols]), np.concatenate([cols, rows]),
                             np.concatenate([kinds, kinds]))
    order = np.lexsort((kinds, cols, rows))
    rows, cols, kinds = rows[order], cols[order], kinds[order]
    if len(rows):
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        rows, cols, kinds = rows[first], cols[first], kinds[first]
    return Forbidden(rows, cols, kinds)


def overlap_hours(
    s1: np.ndarray, e1: np.ndarray, s2: np.ndarray, e2: np.ndarray
) -> np.ndarray:
    """Hours two UTC working windows share, wrapping around midnight (broadcasts)."""
    total = np.zeros(np.broadcast(s1, s2).shape)
    for k in (-24.0, 0.0, 24.0):
        total += np.maximum(0.0, np.minimum(e1, e2 + k) - np.maximum(s1, s2 + k))
    return np.minimum(total, np.minimum(e1 - s1, e2 - s2))
