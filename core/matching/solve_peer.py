"""Peer (non-bipartite) matching: bipartite double-cover relaxation, exact rounding of its
cycles and paths, then local improvement. Also returns the relaxation's upper bounds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from core.matching.cardinality import max_cardinality
from core.matching.solve_bipartite import SCALE, int_scores

# Lexicographic value of a matching: one more pair beats any score difference.
_PAIR = 10 * SCALE * 1_000_000
# Score polishing once the cardinality is maximum: alternating cycles and even paths of any
# length for pools up to POLISH_EXHAUSTIVE_N people, even paths of at most POLISH_MAX_PAIRS
# pairs above it; at most POLISH_BUDGET search steps per pass either way.
POLISH_EXHAUSTIVE_N = 200
POLISH_MAX_PAIRS = 3
POLISH_BUDGET = 100_000


@dataclass(frozen=True, eq=False)
class PeerSolution:
    """Chosen edge mask plus upper bounds on pairs and on total score."""

    chosen: np.ndarray
    pairs: int
    score: float
    upper_bound_pairs: float
    upper_bound_score: float

    @property
    def gap(self) -> float:
        """Relative gap of total score to the upper bound (0 = provably optimal score)."""
        if self.upper_bound_score <= 0:
            return 0.0
        return max(0.0, 1.0 - self.score / self.upper_bound_score)


def _double_cover(
    n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray, coverage_first: bool
) -> tuple[np.ndarray, int]:
    """Solve the double cover; returns mate_out (left i -> right j, -1) and total int score."""
    m = len(a)
    tails = np.concatenate([np.zeros(n, np.int64), 1 + a, 1 + b, n + 1 + np.arange(n)])
    heads = np.concatenate([1 + np.arange(n), n + 1 + b, n + 1 + a, np.full(n, 2 * n + 1)])
    caps = np.ones(len(tails), np.int64)
    costs = np.concatenate([np.zeros(n, np.int64), SCALE - w, SCALE - w, np.zeros(n, np.int64)])
    if not coverage_first:
        # A bypass priced like a zero-score pair: only positive scores are worth matching.
        tails = np.append(tails, 0)
        heads = np.append(heads, 2 * n + 1)
        caps = np.append(caps, n)
        costs = np.append(costs, SCALE)
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_nodes_supplies(np.array([0, 2 * n + 1]), np.array([n, -n]))
    status = (smcf.solve_max_flow_with_min_cost() if coverage_first else smcf.solve())
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(np.arange(n, n + 2 * m)) > 0
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    mate_out = np.full(n, -1, np.int64)
    mate_out[src[flows]] = dst[flows]
    return mate_out, int(np.concatenate([w, w])[flows].sum())


def max_weight_double_cover(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray
                            ) -> tuple[np.ndarray, int]:
    """(mate_out, total integer weight) of a maximum-weight double cover (fractional matching
    x 2) of edges a-b; twice the relaxation's bound on the total score."""
    return _double_cover(n, np.asarray(a, np.int64), np.asarray(b, np.int64),
                         np.asarray(w, np.int64), coverage_first=False)


def _w(wt: dict[tuple[int, int], int], x: int, y: int) -> int:
    return wt[(x, y) if x < y else (y, x)]


def _best_on_path(seq: list[int], wt: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    """Exact lexicographic best matching on a path v0-v1-...; returns the chosen pairs."""
    L = len(seq)
    best = [0] * (L + 1)
    take = [False] * (L + 1)
    # best[t]: value of the suffix path starting at index t.
    for t in range(L - 2, -1, -1):
        skip = best[t + 1]
        with_edge = _PAIR + _w(wt, seq[t], seq[t + 1]) + best[t + 2]
        best[t], take[t] = (with_edge, True) if with_edge > skip else (skip, False)
    pairs, t = [], 0
    while t < L - 1:
        if take[t]:
            pairs.append((seq[t], seq[t + 1]))
            t += 2
        else:
            t += 1
    return pairs


def _value(pairs: list[tuple[int, int]], wt: dict[tuple[int, int], int]) -> int:
    return sum(_PAIR + _w(wt, x, y) for x, y in pairs)


def _round(n: int, mate_out: np.ndarray, wt: dict[tuple[int, int], int]) -> np.ndarray:
    """Best integral matching inside every cycle and path of the double-cover solution."""
    mate_in = np.full(n, -1, np.int64)
    has = mate_out >= 0
    mate_in[mate_out[has]] = np.flatnonzero(has)
    out, inn = mate_out.tolist(), mate_in.tolist()
    seen = [False] * n
    mate = np.full(n, -1, np.int64)

    def commit(pairs: list[tuple[int, int]]) -> None:
        for x, y in pairs:
            mate[x], mate[y] = y, x

    for start in range(n):
        if seen[start]:
            continue
        # Walk back to a path's head (or around a cycle), then forward.
        v, steps = start, 0
        while inn[v] >= 0 and inn[v] != start and steps <= n:
            v = inn[v]
            steps += 1
        is_cycle = inn[v] == start or (v == start and inn[start] >= 0)
        head = start if is_cycle else v
        seq = [head]
        seen[head] = True
        u = out[head]
        while u >= 0 and not seen[u]:
            seq.append(u)
            seen[u] = True
            u = out[u]
        if not is_cycle or len(seq) < 3:
            commit(_best_on_path(seq, wt))
            continue
        options = [
            _best_on_path(seq[1:], wt),
            [(seq[0], seq[1])] + _best_on_path(seq[2:], wt),
            [(seq[-1], seq[0])] + _best_on_path(seq[1:-1], wt),
        ]
        commit(max(options, key=lambda p: _value(p, wt)))
    return mate


def _improve(n: int, mate: np.ndarray, adj: list[list[tuple[int, int]]],
             wt: dict[tuple[int, int], int], rounds: int = 4) -> None:
    """Local search that never loses a pair: moves from free vertices (grab a free neighbour,
    length-3 augmenting paths, take a neighbour from its partner and leave the partner free or
    let it take someone else's partner in turn), then 2-opt swaps (alternating 4-cycles)."""
    def w(x: int, y: int) -> int | None:
        return wt.get((x, y) if x < y else (y, x))

    for _ in range(rounds):
        changed = False
        for u in range(n):
            if mate[u] >= 0:
                continue
            best_gain, best_move = 0, None
            for v, s in adj[u]:
                m = int(mate[v])
                if m < 0:
                    gain = _PAIR + s
                    move = (v, -1, -1, -1)
                else:
                    # u takes v; v's old partner m may pick up one of its free neighbours
                    # (one more pair) or take x from x's partner y, who is left free.
                    base = s - int(w(v, m) or 0)
                    gain, move = base, (v, m, -1, -1)
                    for x, sx in adj[m]:
                        if x == u or x == v:
                            continue
                        y = int(mate[x])
                        if y < 0:
                            g = _PAIR + base + sx
                        elif y == u or y == v or y == m:
                            continue
                        else:
                            g = base + sx - int(w(x, y) or 0)
                        if g > gain:
                            gain, move = g, (v, m, x, y)
                if gain > best_gain:
                    best_gain, best_move = gain, move
            if best_move is not None:
                v, m, x, y = best_move
                if m >= 0:
                    mate[m] = -1
                if y >= 0:
                    mate[y] = -1
                mate[u], mate[v] = v, u
                if x >= 0:
                    mate[m], mate[x] = x, m
                changed = True
        if _two_opt(n, mate, wt):
            changed = True
        if not changed:
            break


class _EdgeIndex:
    """Edge weights looked up by array, for vectorised moves over every edge at once."""

    def __init__(self, n: int, wt: dict[tuple[int, int], int]) -> None:
        ends = np.array(list(wt), np.int64).reshape(-1, 2)
        w = np.fromiter(wt.values(), np.int64, count=len(wt))
        key = ends[:, 0] * n + ends[:, 1]
        order = np.argsort(key)
        self.n = n
        self.key, self.w = key[order], w[order]
        # Both directions of every edge: the moves start from either end.
        self.src = np.concatenate([ends[:, 0], ends[:, 1]])
        self.dst = np.concatenate([ends[:, 1], ends[:, 0]])
        self.w_dir = np.concatenate([w, w])

    def lookup(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(weight, exists) of the pairs x-y (any order; -1 endpoints never exist)."""
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        k = lo * self.n + hi
        pos = np.minimum(np.searchsorted(self.key, k), max(len(self.key) - 1, 0))
        found = (lo >= 0) & (len(self.key) > 0) & (self.key[pos] == k)
        return np.where(found, self.w[pos], 0), found


def _two_opt(n: int, mate: np.ndarray, wt: dict[tuple[int, int], int],
             index: _EdgeIndex | None = None) -> bool:
    """Swap partners across two pairs (a-b, c-d become a-c, b-d) wherever that raises the
    score; returns whether anything changed.

    Every edge a-c is checked at once with numpy; only the few improving swaps are applied,
    best first, each re-checked against the swaps already made.
    """
    ix = index or _EdgeIndex(n, wt)
    a, c = ix.src, ix.dst
    b, d = mate[a], mate[c]
    live = (b >= 0) & (d >= 0) & (c != b) & (d != a)
    s_bd, has_bd = ix.lookup(np.where(live, b, -1), np.where(live, d, -1))
    s_ab, _ = ix.lookup(a, np.maximum(b, 0))
    s_cd, _ = ix.lookup(c, np.maximum(d, 0))
    gain = ix.w_dir + s_bd - s_ab - s_cd
    cand = np.flatnonzero(live & has_bd & (gain > 0))
    if len(cand) == 0:
        return False
    touched: set[int] = set()
    changed = False
    for e in cand[np.argsort(-gain[cand], kind="stable")].tolist():
        x, y, bx, dy = int(a[e]), int(c[e]), int(b[e]), int(d[e])
        if {x, y, bx, dy} & touched:
            continue
        mate[x], mate[y], mate[bx], mate[dy] = y, x, dy, bx
        touched |= {x, y, bx, dy}
        changed = True
    return changed


def _alternating(n: int, mate: np.ndarray, adj: list[list[tuple[int, int]]],
                 wt: dict[tuple[int, int], int], max_pairs: int, budget: int,
                 starts: list[int] | None = None) -> bool:
    """Apply score-improving alternating cycles and even alternating paths (both keep the
    number of pairs); returns whether anything changed.

    An even path from a free vertex u to a vertex z that it leaves free is treated as a cycle
    through a virtual vertex u' (pair u'-u, edge z-u', both worth 0), shown as -1 in paths.
    Cycles are grown Lin-Kernighan style: each (drop a pair, add an edge) step must keep the
    running gain positive. Some rotation of any improving cycle passes that test, so starting
    from every pair (and from every free vertex's virtual pair), and allowing one jump to a
    virtual pair mid-cycle, finds every improving cycle or even path of at most max_pairs
    pairs. Cycles from real pairs start at `starts` (default: everyone); at most `budget`
    steps are spent in all.
    """
    def w(x: int, y: int) -> int | None:
        return wt.get((x, y) if x < y else (y, x))

    mt = mate.tolist()
    on_path = [False] * n
    changed = False
    steps = [0]

    def apply(path: list[int]) -> None:
        # path[0] path[1] | path[2] path[3] | ...: were pairs (or virtual, -1);
        # path[1]-path[2], path[3]-path[4], ..., path[-1]-path[0] become pairs.
        k = len(path)
        for i in range(1, k, 2):
            x, y = path[i], path[(i + 1) % k]
            if x >= 0:
                mt[x] = y
            if y >= 0:
                mt[y] = x

    def search(first: int, second: int) -> list[int] | None:
        """Cycle opened by dropping pair (first, second); first == -1 is second's virtual."""
        path = [first, second]
        on_path[second] = True
        if first >= 0:
            on_path[first] = True
        free = [u for u in range(n) if mt[u] < 0] if first >= 0 else []

        def go(x: int, g: int, depth: int, jumped: bool) -> list[int] | None:
            for y, s in adj[x]:
                if on_path[y] or g + s <= 0:
                    continue
                z = mt[y]
                if z < 0:
                    continue
                steps[0] += 1
                if steps[0] > budget:
                    return None
                g2 = g + s - int(w(y, z) or 0)
                path.append(y)
                path.append(z)
                on_path[y] = on_path[z] = True
                if first < 0:
                    if g2 > 0:
                        return path[:]
                else:
                    close = w(z, first)
                    if close is not None and g2 + close > 0:
                        return path[:]
                if depth + 1 < max_pairs:
                    found = go(z, g2, depth + 1, jumped)
                    if found is not None:
                        return found
                    if not jumped and g2 > 0:
                        # z is left free (edge to a virtual vertex) and a free u goes on.
                        for u in free:
                            if on_path[u] or mt[u] >= 0:
                                continue
                            steps[0] += 1
                            if steps[0] > budget:
                                return None
                            path.append(-1)
                            path.append(u)
                            on_path[u] = True
                            found = go(u, g2, depth + 1, True)
                            if found is not None:
                                return found
                            on_path[u] = False
                            path.pop()
                            path.pop()
                on_path[y] = on_path[z] = False
                path.pop()
                path.pop()
            return None

        g0 = 0 if first < 0 else -int(w(first, second) or 0)
        found = go(second, g0, 1 if first >= 0 else 0, first < 0)
        for v in path:
            if v >= 0:
                on_path[v] = False
        return found

    for u in range(n):
        if mt[u] < 0 and steps[0] <= budget:
            found = search(-1, u)
            if found is not None:
                apply(found)
                changed = True
    for a in range(n) if starts is None else starts:
        if mt[a] < 0:
            continue
        if steps[0] > budget:
            break
        found = search(a, mt[a])
        if found is not None:
            apply(found)
            changed = True
    if changed:
        mate[:] = mt
    return changed


def _polish(n: int, mate: np.ndarray, adj: list[list[tuple[int, int]]],
            wt: dict[tuple[int, int], int], changed: np.ndarray, rounds: int = 6) -> None:
    """Score-only improvement of a maximum-cardinality matching (every move keeps the number of
    pairs): alternating cycles and even paths, then the cheap moves again.

    Small pools are searched (almost) exhaustively. In large pools the rounding is already
    within ~0.01% of the bound, so cycles of at most POLISH_MAX_PAIRS pairs are searched only
    around `changed` (vertices whose partner the augmenting paths changed).
    """
    small = n <= POLISH_EXHAUSTIVE_N
    max_pairs = n // 2 if small else POLISH_MAX_PAIRS
    starts = None
    if not small:
        near = np.zeros(n, bool)
        for v in np.flatnonzero(changed).tolist():
            near[v] = True
            for u, _ in adj[v]:
                near[u] = True
        starts = np.flatnonzero(near).tolist()
    for _ in range(rounds):
        if not _alternating(n, mate, adj, wt, max_pairs, POLISH_BUDGET, starts):
            break
        _improve(n, mate, adj, wt, rounds=1)


def exact_small(n: int, wt: dict[tuple[int, int], int]) -> np.ndarray:
    """Exact lexicographic optimum by subset DP (tiny pools only); returns mate array."""
    from functools import cache

    @cache
    def best(mask: int) -> tuple[int, tuple[tuple[int, int], ...]]:
        if mask == 0:
            return 0, ()
        i = (mask & -mask).bit_length() - 1
        rest = mask & ~(1 << i)
        out = best(rest)
        for j in range(i + 1, n):
            if rest >> j & 1 and (i, j) in wt:
                v, pairs = best(rest & ~(1 << j))
                if v + _PAIR + wt[(i, j)] > out[0]:
                    out = (v + _PAIR + wt[(i, j)], pairs + ((i, j),))
        return out

    mate = np.full(n, -1, np.int64)
    for x, y in best((1 << n) - 1)[1]:
        mate[x], mate[y] = y, x
    return mate


def solve_peer(n: int, a: np.ndarray, b: np.ndarray, scores: np.ndarray,
               exact_max_n: int = 14, weight_cover: int | None = None) -> PeerSolution:
    """Max pairs, then max total score, on an undirected graph given as edges a < b.

    Pools of at most exact_max_n (14) people are solved exactly; larger ones by rounding the
    double cover and local search (the returned upper bound shows how close that got).
    weight_cover: the total of a maximum-weight double cover of this very graph, when the
    caller has already solved it (saves one min-cost flow).
    """
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    w = int_scores(np.asarray(scores, np.float64))
    if n < 2 or len(a) == 0:
        return PeerSolution(np.zeros(len(a), bool), 0, 0.0, 0.0, 0.0)
    wt = dict(zip(zip(a.tolist(), b.tolist(), strict=True), w.tolist(), strict=True))
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for x, y, s in zip(a.tolist(), b.tolist(), w.tolist(), strict=True):
        adj[x].append((y, s))
        adj[y].append((x, s))
    mate_out, _ = _double_cover(n, a, b, w, coverage_first=True)
    ub_pairs = float((mate_out >= 0).sum()) / 2.0
    ub_score_int = (weight_cover if weight_cover is not None
                    else _double_cover(n, a, b, w, coverage_first=False)[1])
    if n <= exact_max_n:
        mate = exact_small(n, wt)
    else:
        mate = _round(n, mate_out, wt)
        _improve(n, mate, adj, wt)
        # Coverage first: finish with Edmonds' augmenting paths (neighbours best-score first),
        # then polish the score with moves that keep every pair.
        # (Skipped when the matching already reaches the relaxation's bound on pairs.)
        prev = mate.copy()
        if int((mate >= 0).sum()) // 2 < int(ub_pairs):
            nbrs = [[v for v, _ in sorted(row, key=lambda e: -e[1])] for row in adj]
            mate = max_cardinality(n, nbrs, mate)
            if (mate != prev).any():
                _improve(n, mate, adj, wt)
        _polish(n, mate, adj, wt, mate != prev)
    chosen = mate[a] == b
    score = float(w[chosen].sum()) / SCALE
    return PeerSolution(chosen, int(chosen.sum()), score, ub_pairs, ub_score_int / 2.0 / SCALE)
