"""Peer (non-bipartite) matching: bipartite double-cover relaxation, exact rounding of its
cycles and paths, then local improvement. Also returns the relaxation's upper bound."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import linear_sum_assignment, min_cost_flow

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


class _Graph:
    """The pool's edges as adjacency arrays, each person's neighbours best score first.

    A person's neighbours become a Python list only when a local move first looks at them:
    the moves visit the few people near a free vertex or a changed pair, and building lists
    (and a weight dict) for everyone cost more, at 10,000 people, than all the moves together.
    """

    def __init__(self, n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> None:
        self.n = n
        self.a, self.b, self.ab_w = a, b, w  # every edge once (a < b), for the 2-opt pass
        # Edges from the b side first: for edges sorted by (a, b), as they come, a stable sort
        # then breaks score ties by neighbour number.
        src = np.concatenate([b, a])
        dst = np.concatenate([a, b])
        ww = np.concatenate([w, w])
        # By person, then best score first (one integer sort key; scores are 0..SCALE).
        order = np.argsort(src * (SCALE + 1) + (SCALE - ww), kind="stable")
        self.dst, self.w = dst[order], ww[order]
        self.src = src[order]
        self.deg = np.bincount(src, minlength=n)
        self.ptr = np.concatenate([[0], np.cumsum(self.deg)])
        # Each person's best score (-1: nobody allowed), to skip swaps that cannot gain.
        self.row_max = np.full(n, -1, np.int64)
        has = self.deg > 0
        self.row_max[has] = self.w[self.ptr[:-1][has]]
        key = np.minimum(a, b) * n + np.maximum(a, b)
        korder = np.argsort(key)
        self.key, self.key_w = key[korder], w[korder]
        self._ptr: list[int] = self.ptr.tolist()
        self._rows: dict[int, list[tuple[int, int]]] = {}
        self._wmap: dict[int, dict[int, int]] = {}

    def __getitem__(self, v: int) -> list[tuple[int, int]]:
        """(neighbour, integer score) of v, best first."""
        row = self._rows.get(v)
        if row is None:
            p, q = self._ptr[v], self._ptr[v + 1]
            row = list(zip(self.dst[p:q].tolist(), self.w[p:q].tolist(), strict=True))
            self._rows[v] = row
        return row

    def weight(self, x: int, y: int) -> int | None:
        """Integer score of pair x-y, None if it is not an edge."""
        m = self._wmap.get(x)
        if m is None:
            m = self._wmap[x] = dict(self[x])
        return m.get(y)

    def lookup(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(weight, exists) of the pairs x-y (any order; -1 endpoints never exist)."""
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        k = lo * self.n + hi
        if len(self.key) == 0:
            return np.zeros(len(k), np.int64), np.zeros(len(k), bool)
        pos = np.minimum(np.searchsorted(self.key, k), len(self.key) - 1)
        found = (lo >= 0) & (self.key[pos] == k)
        return np.where(found, self.key_w[pos], 0), found

    def nbrs_by_score(self) -> list[list[int]]:
        """Every person's neighbours, best score first (for Edmonds' search order)."""
        d, p = self.dst.tolist(), self._ptr
        return [d[p[i]:p[i + 1]] for i in range(self.n)]


def _weight_cover_by_assignment(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray
                                ) -> tuple[np.ndarray, int] | None:
    """The maximum-weight double cover as a square assignment (OR-Tools' linear sum
    assignment, about 1.6x faster here than the min-cost flow); None if it does not solve.

    Person i's own column is a dummy priced like a zero-score pair, so everyone can be
    assigned. That ties i's two sides (both covered or neither), which costs nothing: the
    fractional matching has a half-integral optimum whose double cover covers both sides of
    every person it touches.
    """
    lsa = linear_sum_assignment.SimpleLinearSumAssignment()
    own = np.arange(n, dtype=np.int64)
    lsa.add_arcs_with_cost(np.concatenate([a, b, own]).astype(np.int32),
                           np.concatenate([b, a, own]).astype(np.int32),
                           np.concatenate([SCALE - w, SCALE - w, np.full(n, SCALE, np.int64)]))
    if lsa.solve() != lsa.OPTIMAL:
        return None
    right = np.fromiter((lsa.right_mate(i) for i in range(n)), np.int64, count=n)
    mate_out = np.where(right == own, -1, right)
    return mate_out, int(n * SCALE - lsa.optimal_cost())


def _double_cover(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray,
                  coverage_first: bool = False) -> tuple[np.ndarray, int]:
    """Solve the double cover; returns mate_out (left i -> right j, -1) and total int score.

    coverage_first: cover as many people as possible, then maximise the score; otherwise
    maximise the score alone.
    """
    if not coverage_first:
        solved = _weight_cover_by_assignment(n, a, b, w)
        if solved is not None:
            return solved
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
    a, b, w = np.asarray(a, np.int64), np.asarray(b, np.int64), np.asarray(w, np.int64)
    return _double_cover(n, a, b, w)


def _best_on_path(seq: list[int], ws: list[int]) -> tuple[int, list[tuple[int, int]]]:
    """Exact lexicographic best matching on a path v0-v1-... (ws[t]: score of seq[t]-seq[t+1]);
    returns its value and the chosen pairs."""
    L = len(seq)
    best = [0] * (L + 1)
    take = [False] * (L + 1)
    # best[t]: value of the suffix path starting at index t.
    for t in range(L - 2, -1, -1):
        skip = best[t + 1]
        with_edge = _PAIR + ws[t] + best[t + 2]
        best[t], take[t] = (with_edge, True) if with_edge > skip else (skip, False)
    pairs, t = [], 0
    while t < L - 1:
        if take[t]:
            pairs.append((seq[t], seq[t + 1]))
            t += 2
        else:
            t += 1
    return best[0], pairs


def _round(n: int, mate_out: np.ndarray, g: _Graph) -> np.ndarray:
    """Best integral matching inside every cycle and path of the double-cover solution."""
    mate_in = np.full(n, -1, np.int64)
    has = mate_out >= 0
    mate_in[mate_out[has]] = np.flatnonzero(has)
    # Score of each vertex's outgoing cover edge: consecutive vertices of a path or cycle.
    w_out = np.zeros(n, np.int64)
    w_out[has] = g.lookup(np.flatnonzero(has), mate_out[has])[0]
    out, inn, wo = mate_out.tolist(), mate_in.tolist(), w_out.tolist()
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
        ws = [wo[x] for x in seq]
        if not is_cycle or len(seq) < 3:
            commit(_best_on_path(seq, ws)[1])
            continue
        # Leave out seq[0], or take its edge to seq[1], or its edge from seq[-1].
        v1, p1 = _best_on_path(seq[1:], ws[1:])
        v2, p2 = _best_on_path(seq[2:], ws[2:])
        v3, p3 = _best_on_path(seq[1:-1], ws[1:-1])
        options = [(v1, p1), (_PAIR + ws[0] + v2, [(seq[0], seq[1]), *p2]),
                   (_PAIR + ws[-1] + v3, [(seq[-1], seq[0]), *p3])]
        commit(max(options, key=lambda o: o[0])[1])
    return mate


def _improve(n: int, mate: np.ndarray, g: _Graph, rounds: int = 4) -> None:
    """Local search that never loses a pair: moves from free vertices (grab a free neighbour,
    length-3 augmenting paths, take a neighbour from its partner and leave the partner free or
    let it take someone else's partner in turn), then 2-opt swaps (alternating 4-cycles)."""
    for _ in range(rounds):
        changed = False
        mw = _pair_scores(mate, g)
        for u in range(n):
            if mate[u] >= 0:
                continue
            best_gain, best_move = 0, None
            for v, s in g[u]:
                m = int(mate[v])
                if m < 0:
                    gain = _PAIR + s
                    move = (v, -1, -1, -1, s, 0)
                else:
                    # u takes v; v's old partner m may pick up one of its free neighbours
                    # (one more pair) or take x from x's partner y, who is left free.
                    base = s - mw[v]
                    gain, move = base, (v, m, -1, -1, s, 0)
                    for x, sx in g[m]:
                        if x == u or x == v:
                            continue
                        y = int(mate[x])
                        if y < 0:
                            g2 = _PAIR + base + sx
                        elif y == u or y == v or y == m:
                            continue
                        else:
                            g2 = base + sx - mw[x]
                        if g2 > gain:
                            gain, move = g2, (v, m, x, y, s, sx)
                if gain > best_gain:
                    best_gain, best_move = gain, move
            if best_move is not None:
                v, m, x, y, s, sx = best_move
                if m >= 0:
                    mate[m], mw[m] = -1, 0
                if y >= 0:
                    mate[y], mw[y] = -1, 0
                mate[u], mate[v] = v, u
                mw[u] = mw[v] = s
                if x >= 0:
                    mate[m], mate[x] = x, m
                    mw[m] = mw[x] = sx
                changed = True
        if _two_opt(mate, g):
            changed = True
        if not changed:
            break


def _pair_scores(mate: np.ndarray, g: _Graph) -> list[int]:
    """Integer score of each person's current pair (0 if free)."""
    paired = np.flatnonzero(mate >= 0)
    out = np.zeros(g.n, np.int64)
    out[paired] = g.lookup(paired, mate[paired])[0]
    return out.tolist()


def _two_opt(mate: np.ndarray, g: _Graph) -> bool:
    """Swap partners across two pairs (a-b, c-d become a-c, b-d) wherever that raises the
    score; returns whether anything changed.

    Every edge a-c is checked at once with numpy (one direction is enough: c-a gives the same
    swap); only the few improving swaps are applied, best first, each re-checked against the
    swaps already made.
    """
    a, c = g.a, g.b
    b, d = mate[a], mate[c]
    mate_w = np.array(_pair_scores(mate, g), np.int64)
    live = (b >= 0) & (d >= 0) & (c != b) & (d != a)
    base = g.ab_w - mate_w[a] - mate_w[c]
    # b-d scores at most the smaller of b's and d's best: most swaps cannot gain at all.
    reach = base + np.minimum(g.row_max[np.maximum(b, 0)], g.row_max[np.maximum(d, 0)])
    cand = np.flatnonzero(live & (reach > 0))
    if len(cand) == 0:
        return False
    s_bd, has_bd = g.lookup(b[cand], d[cand])
    gain = base[cand] + s_bd
    ok = has_bd & (gain > 0)
    cand, gain = cand[ok], gain[ok]
    if len(cand) == 0:
        return False
    touched: set[int] = set()
    for e in cand[np.argsort(-gain, kind="stable")].tolist():
        x, y, bx, dy = int(a[e]), int(c[e]), int(b[e]), int(d[e])
        if {x, y, bx, dy} & touched:
            continue
        mate[x], mate[y], mate[bx], mate[dy] = y, x, dy, bx
        touched |= {x, y, bx, dy}
    return True


def _alternating(n: int, mate: np.ndarray, g: _Graph, max_pairs: int, budget: int,
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
    w = g.weight
    mt = mate.tolist()
    # Score of each person's current pair (0 if free), kept up to date by apply().
    mw = _pair_scores(mate, g)
    on_path = [False] * n
    changed = False
    steps = [0]
    # Free vertices, listed again only after a change (listing them per search cost O(n) each).
    free_now: list[list[int] | None] = [None]

    def apply(path: list[int]) -> None:
        # path[0] path[1] | path[2] path[3] | ...: were pairs (or virtual, -1);
        # path[1]-path[2], path[3]-path[4], ..., path[-1]-path[0] become pairs.
        k = len(path)
        for i in range(1, k, 2):
            x, y = path[i], path[(i + 1) % k]
            s = 0 if x < 0 or y < 0 else int(w(x, y) or 0)
            if x >= 0:
                mt[x], mw[x] = y, s
            if y >= 0:
                mt[y], mw[y] = x, s
        free_now[0] = None

    def search(first: int, second: int) -> list[int] | None:
        """Cycle opened by dropping pair (first, second); first == -1 is second's virtual."""
        path = [first, second]
        on_path[second] = True
        if first >= 0:
            on_path[first] = True
        free: list[int] = []
        if first >= 0:
            if free_now[0] is None:
                free_now[0] = [u for u in range(n) if mt[u] < 0]
            free = free_now[0]

        def go(x: int, gain: int, depth: int, jumped: bool) -> list[int] | None:
            last = depth + 1 >= max_pairs
            for y, s in g[x]:
                if gain + s <= 0:
                    break  # neighbours come best score first: none further can keep it positive
                if on_path[y]:
                    continue
                z = mt[y]
                if z < 0:
                    continue
                steps[0] += 1
                if steps[0] > budget:
                    return None
                g2 = gain + s - mw[y]
                if first < 0:
                    if g2 > 0:
                        return [*path, y, z]
                else:
                    # Looked up from first's side: one weight dict per search, not per z.
                    close = w(first, z)
                    if close is not None and g2 + close > 0:
                        return [*path, y, z]
                if last:
                    continue
                path.append(y)
                path.append(z)
                on_path[y] = on_path[z] = True
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

        g0 = 0 if first < 0 else -mw[first]
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


def _polish(n: int, mate: np.ndarray, g: _Graph, changed: np.ndarray, rounds: int = 6) -> None:
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
        near = changed.copy()
        near[g.dst[changed[g.src]]] = True
        starts = np.flatnonzero(near).tolist()
    for _ in range(rounds):
        if not _alternating(n, mate, g, max_pairs, POLISH_BUDGET, starts):
            break
        _improve(n, mate, g, rounds=1)


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
               exact_max_n: int = 14,
               cover: tuple[np.ndarray, int] | None = None) -> PeerSolution:
    """Max pairs, then max total score, on an undirected graph given as edges a < b.

    Pools of at most exact_max_n (14) people are solved exactly; larger ones by rounding the
    double cover, local search, Edmonds' augmenting paths where pairs are missing, and score
    polishing (the returned upper bound shows how close that got). The number of pairs is
    always the maximum (the cover's bound is met, or Edmonds proves it), so upper_bound_pairs
    is that maximum.
    cover: max_weight_double_cover's answer for this very graph, when the caller has already
    solved it (the engine has, for its bound), so it is rounded without being solved again;
    else it is solved here (one linear sum assignment).
    """
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    w = int_scores(np.asarray(scores, np.float64))
    if n < 2 or len(a) == 0:
        return PeerSolution(np.zeros(len(a), bool), 0, 0.0, 0.0, 0.0)
    mate_out, ub_score_int = _double_cover(n, a, b, w) if cover is None else cover
    if n <= exact_max_n:
        wt = dict(zip(zip(a.tolist(), b.tolist(), strict=True), w.tolist(), strict=True))
        mate = exact_small(n, wt)
    else:
        g = _Graph(n, a, b, w)
        # Coverage first. A person with no allowed pair can never be covered, so a cover of
        # everyone else is a maximum cover, and the maximum-weight one is then also the best
        # among maximum covers: round it. Otherwise solve the coverage-first cover and round
        # that (rounding a cover that leaves people out loses score, as augmenting paths pay
        # for the missing pairs later).
        if int((mate_out >= 0).sum()) < int((g.deg > 0).sum()):
            mate_out = _double_cover(n, a, b, w, coverage_first=True)[0]
        mate = _round(n, mate_out, g)
        _improve(n, mate, g)
        # Finish with Edmonds' augmenting paths (neighbours best-score first) unless the cover
        # shows no pair is missing, then polish the score with moves that keep every pair.
        prev = mate.copy()
        if int((mate >= 0).sum()) // 2 < int((mate_out >= 0).sum()) // 2:
            mate = max_cardinality(n, g.nbrs_by_score(), mate)
            if (mate != prev).any():
                _improve(n, mate, g)
        _polish(n, mate, g, mate != prev)
    chosen = mate[a] == b
    score = float(w[chosen].sum()) / SCALE
    pairs = int(chosen.sum())
    return PeerSolution(chosen, pairs, score, float(pairs), ub_score_int / 2.0 / SCALE)
