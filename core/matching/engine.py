"""run_matching: the whole pipeline from plain input records to a MatchResult."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from time import perf_counter

import numpy as np

from core.matching.candidates import (
    Edges,
    candidate_graph,
    concat,
    empty_edges,
    release_freed_memory,
    symmetrise,
    top_k,
    workers,
)
from core.matching.constraints import build_forbidden, relevant_history
from core.matching.explain import explain_edges, unmatched_reason
from core.matching.invariants import check_result
from core.matching.optimality import (
    Pricer,
    assignment_duals,
    coverage_bonus,
    price_reserve,
)
from core.matching.prices import auction_prices
from core.matching.scoring import ScoreContext, build_features, make_context, score_block, subset
from core.matching.solve_bipartite import SCALE, int_scores, solve_assignment
from core.matching.solve_peer import max_weight_double_cover, solve_peer
from core.matching.types import (
    Enrollment,
    Match,
    MatchingInput,
    MatchResult,
    ProgramRules,
    Stats,
    Unmatched,
)


def mentor_capacity(rules: ProgramRules, e: Enrollment) -> int:
    """Room left: 1 in one-on-one, the group size in groups, else the mentor's own capacity."""
    if rules.kind == "one_on_one":
        total = 1
    elif rules.kind == "group":
        total = max(1, rules.group_size)
    else:
        total = max(0, e.capacity)
    return max(0, total - e.assigned)


def _capacity(inp: MatchingInput, e: Enrollment) -> int:
    return mentor_capacity(inp.rules, e)


def build_context(inp: MatchingInput) -> tuple[ScoreContext, list[Enrollment], list[Enrollment]]:
    """Score context plus the seeker (row) and mentor (col) enrollments it indexes."""
    rules = inp.rules
    people = {p.id: p for p in inp.people}
    seen: set[tuple[str, str]] = set()
    enrolled: list[Enrollment] = []
    for e in inp.enrollments:
        role = "peer" if rules.kind == "peer" else e.role
        if e.person_id in people and (e.person_id, role) not in seen:
            seen.add((e.person_id, role))
            enrolled.append(e)
    if rules.kind == "peer":
        seekers, mentors = enrolled, enrolled
    else:
        seekers = [e for e in enrolled if e.role == "mentee"]
        mentors = [e for e in enrolled if e.role == "mentor"]
    both = seekers if rules.kind == "peer" else seekers + mentors
    feats = build_features([people[e.person_id] for e in both], both, {})
    n_rows = len(seekers)
    row_ix = np.arange(n_rows)
    col_ix = row_ix if rules.kind == "peer" else n_rows + np.arange(len(mentors))
    rows, cols = subset(feats, row_ix), subset(feats, col_ix)

    person_index = {p.id: i for i, p in enumerate(inp.people)}
    parent = np.array([person_index.get(p.manager_id, -1) if p.manager_id else -1
                       for p in inp.people], dtype=np.int64)
    row_of = np.full(len(inp.people), -1, np.int64)
    col_of = np.full(len(inp.people), -1, np.int64)
    row_of[[person_index[e.person_id] for e in seekers]] = np.arange(n_rows)
    col_of[[person_index[e.person_id] for e in mentors]] = np.arange(len(mentors))
    dnm = list(inp.do_not_match) + list(inp.adjustments.excluded)
    hist = relevant_history(inp.history, rules.program_id, inp.today, rules.cooldown_days)
    forbidden = build_forbidden(row_of, col_of, person_index, parent, hist, dnm, symmetric=False)
    ctx = make_context(rules.kind, rules.purpose, rules.weights.normalised(), rows, cols,
                       forbidden, rules.require_different_department,
                       None if rules.min_overlap_hours is None else float(rules.min_overlap_hours))
    return ctx, seekers, mentors


def _locks(ctx: ScoreContext, inp: MatchingInput, cap: np.ndarray) -> tuple[Edges, list[str]]:
    """Feasible locked pairs (mentor, mentee); infeasible ones are reported in notes."""
    r_of = {pid: i for i, pid in enumerate(ctx.rows.ids)}
    c_of = {pid: i for i, pid in enumerate(ctx.cols.ids)}
    rows, cols, scores, notes = [], [], [], []
    used: set[int] = set()
    for mentor_id, mentee_id in inp.adjustments.locked:
        r, c = r_of.get(mentee_id), c_of.get(mentor_id)
        if ctx.peer and r is not None and c is not None and r > c:
            r, c = c, r
        ok = r is not None and c is not None and r not in used
        if ok and ctx.peer:
            ok = c not in used and c != r
        s = float(score_block(ctx, r, r + 1)[0, c]) if ok else -np.inf
        if not ok or not np.isfinite(s) or (not ctx.peer and cap[c] <= 0):
            notes.append(f"locked pair {mentor_id}/{mentee_id} dropped: it breaks a hard rule")
            continue
        used.add(r)
        if ctx.peer:
            used.add(c)
        else:
            cap[c] -= 1
        rows.append(r)
        cols.append(c)
        scores.append(min(1.0, max(0.0, s)))
    return Edges(np.array(rows, np.int64), np.array(cols, np.int64),
                 np.array(scores, np.float64)), notes


# A second look at the chosen edges, given (rows, cols, scores, col capacity, chosen mask,
# locked-rows mask, row ids): returns a new chosen mask and a note for the stats. The engine never
# knows why; the fairness floor (core.matching.fairness) is the one user, and only it reads
# protected attributes.
Reselect = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                     tuple[str, ...]], tuple[np.ndarray, str]]

# Each mentor's best mentees are also scored into the pool the first graph is chosen from, so a
# mentor nobody ranks in their top k still has pairs for the price estimate and the first solve.
_COL_K = 10
# Pairs this close to improving (in score units of 1e-6) join the graph with the ones that do.
# 0.02 rather than 0.05: at 50k the same 4 solves on a graph of 1.36M edges instead of 1.61M
# (about 1 s less CPU); the pairs between the two rarely enter an optimum.
_MARGIN = 20_000
# A re-solve keeps the graph's pairs within this reduced cost of tight (score units of 1e-6):
# the rest cannot enter an optimum unless prices move that far, and pricing would bring them
# back if they did. 0.02 rather than 0.05: with a price-guided first graph the re-solve (at
# 50k) keeps 122k pairs instead of 345k and takes 0.34 s instead of 0.40, in as many solves.
_KEEP_SLACK = 20_000
# Restricted re-solves before the whole graph is solved again, which guarantees an end.
_RESTRICTED_ROUNDS = 8
# Each row's next best _RESERVE * k pairs are kept from the one scoring pass, so pricing checks
# them exactly without scoring again; only rows whose bound beyond them still bites are rescored.
_RESERVE = 3
# Label-correcting passes a price repair may take before the graph is solved again instead.
_REPAIR_PASSES = 200
# Relaxation re-solves before the peer bound is made feasible for every pair by raising prices.
_PEER_BOUND_ROUNDS = 2


@dataclass(frozen=True, eq=False)
class _Proof:
    """How the solution was shown optimal over every allowed pair."""

    rounds: int
    priced_pairs: int
    added_edges: int
    allowed_pairs: int
    floor_note: str = ""
    mean_without_floor: float | None = None


def _new_pairs(graph_keys: np.ndarray, extra: Edges, n_cols: int) -> Edges:
    """The pairs of extra not already in the graph (its row * n_cols + col keys, sorted), each
    once, sorted by row. (np.isin would hash the whole graph again every round.)"""
    if len(extra) == 0:
        return extra
    key, first = np.unique(extra.rows * n_cols + extra.cols, return_index=True)
    pos = np.minimum(np.searchsorted(graph_keys, key), max(0, len(graph_keys) - 1))
    fresh = graph_keys[pos] != key if len(graph_keys) else np.ones(len(key), bool)
    idx = first[fresh]
    return Edges(extra.rows[idx], extra.cols[idx], extra.scores[idx])


def _index_type(n: int) -> type[np.signedinteger]:
    """The smallest signed integer type that holds indices below n."""
    return np.int16 if n <= np.iinfo(np.int16).max else np.int32


def _price_guided_graph(n_rows: int, k: int, cap: np.ndarray, pool: list[Edges],
                        pricer: Pricer, bonus: int) -> tuple[Edges, Edges]:
    """(graph, reserve): each row's k best pairs by score minus the mentors' estimated
    prices, and the rest of the scored pool.

    pool holds the pairs scored so far (each row's top k and reserve by raw score, each
    col's best rows); it is emptied, so that its arrays are freed as soon as they are merged.
    The prices come from an auction on them. Pairs outside the pool that would beat a row's
    best under those prices are found by pricing them (the same exact pricing the proof
    uses, which remembers what it scored) and join it first. See core.matching.prices.
    """
    n_cols = len(cap)
    # One row-sorted list in 32 bits: these are the largest arrays of the run. Scores are
    # float32 values already (widening them again later is exact).
    pool_r = np.concatenate([e.rows for e in pool], dtype=np.int32, casting="same_kind")
    pool_c = np.concatenate([e.cols for e in pool], dtype=np.int32, casting="same_kind")
    pool_s = np.concatenate([e.scores for e in pool], dtype=np.float32, casting="same_kind")
    pool.clear()
    o = np.argsort(pool_r, kind="stable")
    pool_r, pool_c, pool_s = pool_r[o], pool_c[o], pool_s[o]
    del o
    pricer.add_known(pool_r, pool_c)
    p = auction_prices(n_rows, cap, pool_r, pool_c, pool_s,
                       threads=workers(n_rows * n_cols)).astype(np.float32)
    start = np.searchsorted(pool_r, np.arange(n_rows + 1))
    has = start[1:] > start[:-1]
    best = np.zeros(n_rows, np.float32)
    if has.any():
        best[has] = np.maximum.reduceat(pool_s - p[pool_c], start[:-1][has])
    u_hat = np.rint(np.maximum(best, 0.0).astype(np.float64) * SCALE).astype(np.int64)
    v_hat = bonus + np.rint(p.astype(np.float64) * SCALE).astype(np.int64)
    # In the engine's units a col's price is bonus + v_hat and a row's is u_hat.
    extra = pricer.price(u_hat, v_hat, bonus, per_row=k, margin=_MARGIN)
    # Its references to the pool arrays would keep them alive beside their re-sorted copies
    # (6 MB at 10k people, the phase's peak); the same pairs are added back below.
    pricer.reset_known()
    release_freed_memory()
    new = _new_pairs(np.sort(pool_r.astype(np.int64) * n_cols + pool_c),
                     Edges(extra.rows, extra.cols, extra.scores), n_cols)
    del extra
    if len(new):
        pool_r = np.concatenate([pool_r, new.rows.astype(np.int32)])
        pool_c = np.concatenate([pool_c, new.cols.astype(np.int32)])
        pool_s = np.concatenate([pool_s, new.scores.astype(np.float32)])
    # One float key orders by row, then best first: rows are integers 4 apart and scores
    # minus prices lie in (-2, 1].
    # Both parts come out sorted by row, so the pricer keeps them without sorted copies.
    o = np.argsort(pool_r * 4.0 - (pool_s - p[pool_c]), kind="stable")
    ranked = pool_r[o]
    first = np.searchsorted(ranked, np.arange(n_rows + 1)).astype(np.int32)
    top = np.arange(len(o), dtype=np.int32) - first[ranked] < k
    del ranked
    sel = o[top]
    graph = Edges(pool_r[sel].astype(np.int64), pool_c[sel].astype(np.int64),
                  pool_s[sel].astype(np.float64))
    sel = o[~top]
    del o, top
    # The reserve stays in memory through every solve: its indices in 16 bits where they fit.
    spare = Edges(pool_r[sel].astype(_index_type(n_rows)), pool_c[sel].astype(_index_type(n_cols)),
                  pool_s[sel])
    del pool_r, pool_c, pool_s, sel
    # The same pairs as known so far, now held by the graph and the reserve.
    pricer.add_known(spare.rows, spare.cols)
    pricer.add_known(graph.rows, graph.cols)
    release_freed_memory()
    return graph, spare


def _solve_bipartite(ctx: ScoreContext, k: int, cap: np.ndarray, free: np.ndarray,
                     timings: dict[str, float], reselect: Reselect | None = None,
                     ) -> tuple[Edges, Edges, np.ndarray, np.ndarray, _Proof]:
    """(graph, chosen edges, candidate counts, rows with any allowed pair, proof).

    Solves the sparse top-k graph, then prices every allowed pair left out against the
    solution's dual prices; pairs that could improve it join the graph and it is solved again,
    until none can. The result is optimal over all allowed pairs, not just the graph's.
    """
    n_rows = len(ctx.rows.ids)
    t = perf_counter()
    col_ok = cap > 0
    cands = candidate_graph(ctx, k, np.flatnonzero(free), col_ok, k_col=_COL_K,
                            k_reserve=_RESERVE * k)
    release_freed_memory()
    timings["candidates_and_scoring"] = perf_counter() - t
    bonus = coverage_bonus(n_rows)
    pricer = Pricer(ctx, cands.rest_max, cands.col_max, col_ok)
    t = perf_counter()
    pool = [cands.edges, cands.reserve]
    cands = replace(cands, edges=empty_edges(), reserve=empty_edges())
    graph, spare = _price_guided_graph(n_rows, k, cap, pool, pricer, bonus)
    timings["price_estimate"] = perf_counter() - t
    counts = np.bincount(graph.cols, minlength=len(cap))
    rounds = priced = added = 0
    solve_s = proof_s = 0.0
    spare_left: np.ndarray | None = None  # reserve pairs not yet moved into the graph
    # Re-solves see only a restricted graph (column generation with column deletion): the
    # chosen pairs, pairs whose reduced cost is within _KEEP_SLACK of zero, and the pairs that
    # priced in. Every pair of the full graph is priced again each round, so nothing dropped
    # is lost; after _RESTRICTED_ROUNDS the whole graph is solved, so the loop always ends.
    master = np.ones(len(graph), bool)
    graph_keys: np.ndarray | None = None  # sorted row * n_cols + col, once pairs are added
    repaired: tuple[np.ndarray, np.ndarray] | None = None
    chosen = np.zeros(len(graph), bool)
    while True:
        if repaired is None:
            t = perf_counter()
            # The whole graph is passed as it is: copies would add to the peak memory.
            part = None if master.all() else np.flatnonzero(master)
            sub = graph if part is None else Edges(
                graph.rows[part], graph.cols[part], graph.scores[part])
            chosen_part = solve_assignment(n_rows, cap, sub.rows, sub.cols, sub.scores)
            solve_s += perf_counter() - t
            release_freed_memory()  # the solver's, before pricing allocates its own
            t = perf_counter()
            rounds += 1
            u, v = assignment_duals(n_rows, cap, sub.rows, sub.cols,
                                    bonus + int_scores(sub.scores), chosen_part)
            del sub
            if part is None:
                chosen = chosen_part
            else:
                chosen = np.zeros(len(graph), bool)
                chosen[part[chosen_part]] = True
        else:
            t = perf_counter()
            u, v = repaired
        # Reduced costs of every graph pair: negative means it could still improve things.
        slack = u[graph.rows] + v[graph.cols] - (bonus + int_scores(graph.scores))
        dropped_better = ~master & (slack < 0)
        from_reserve, checked = price_reserve(spare.rows, spare.cols, spare.scores, u, v,
                                              bonus, _MARGIN)
        if spare_left is not None:
            from_reserve &= spare_left
        release_freed_memory()  # this round's arrays, before pricing scores blocks
        extra = pricer.price(u, v, bonus, per_row=k, margin=_MARGIN)
        release_freed_memory()
        priced += extra.checked + checked + int((~master).sum())
        proof_s += perf_counter() - t
        if len(extra.rows) == 0 and not from_reserve.any() and not dropped_better.any():
            break
        spare_left = ~from_reserve if spare_left is None else spare_left & ~from_reserve
        if graph_keys is None:
            graph_keys = np.sort(graph.rows * len(cap) + graph.cols)
        new = _new_pairs(graph_keys, Edges(
            np.concatenate([extra.rows, spare.rows[from_reserve]]),
            np.concatenate([extra.cols, spare.cols[from_reserve]]),
            np.concatenate([extra.scores, spare.scores[from_reserve]])), len(cap))
        added += len(new)
        pricer.add_known(new.rows, new.cols)
        graph_keys = np.sort(np.concatenate([graph_keys, new.rows * len(cap) + new.cols]),
                             kind="stable")
        if rounds < _RESTRICTED_ROUNDS:
            keep = chosen | (slack <= _KEEP_SLACK) | dropped_better
        else:
            keep = np.ones(len(graph), bool)
        graph = Edges(np.concatenate([graph.rows, new.rows]),
                      np.concatenate([graph.cols, new.cols]),
                      np.concatenate([graph.scores, new.scores]))
        master = np.concatenate([keep, np.ones(len(new), bool)])
        chosen = np.concatenate([chosen, np.zeros(len(new), bool)])
        # The pairs that priced in may not improve anything: the solution can be optimal
        # while the prices that certified it were merely the smallest on the smaller graph.
        # Prices for the grown graph are sought first, and only if none certify the same
        # solution (it really can improve) is the graph solved again.
        t = perf_counter()
        release_freed_memory()
        try:
            repaired = assignment_duals(n_rows, cap, graph.rows, graph.cols,
                                        bonus + int_scores(graph.scores), chosen,
                                        max_passes=_REPAIR_PASSES)
            master[:] = True
        except RuntimeError:
            repaired = None
        proof_s += perf_counter() - t
    timings["solve"] = solve_s
    timings["optimality_proof"] = proof_s
    floor_note = ""
    mean_before = None
    if reselect is not None and chosen.any():
        t = perf_counter()
        mean_before = float(int_scores(graph.scores[chosen]).mean()) / SCALE
        chosen, floor_note = reselect(graph.rows, graph.cols, graph.scores, cap, chosen, ~free,
                                      ctx.rows.ids)
        timings["fairness_floor"] = perf_counter() - t
    has_allowed = np.zeros(n_rows, bool)
    has_allowed[graph.rows] = True
    has_allowed |= np.isfinite(cands.rest_max)
    sel = Edges(graph.rows[chosen], graph.cols[chosen], graph.scores[chosen])
    return graph, sel, counts, has_allowed, _Proof(rounds, priced, added, cands.allowed,
                                                   floor_note, mean_before)


def _peer_bound(ctx: ScoreContext, k: int, graph: Edges, rest_max: np.ndarray,
                free: np.ndarray, spare: Edges
                ) -> tuple[Edges, float, int, tuple[np.ndarray, int]]:
    """(graph with improving pairs added, upper bound on the total score over every allowed
    pair, pairs priced, the returned graph's maximum-weight double cover, which solve_peer
    rounds instead of solving it again).

    The bound is the fractional-matching relaxation's dual: with the double cover's prices
    (u, v), y = (u + v) / 2 satisfies y_a + y_b >= w_ab on the graph. Every allowed pair left
    out is priced; pairs that break it join the graph and the relaxation is solved again (a
    few rounds), then each person's price is raised by their largest remaining shortfall,
    which makes y feasible for all pairs: sum(y) bounds every matching over all allowed pairs.
    """
    n = len(ctx.rows.ids)
    priced = 0
    pricer = Pricer(ctx, rest_max, rest_max, free, score_factor=2)
    pricer.add_known(spare.rows, spare.cols)
    pricer.add_known(graph.rows, graph.cols)
    pricer.add_known(graph.cols, graph.rows)
    for round_ in range(_PEER_BOUND_ROUNDS):
        w = int_scores(graph.scores)
        src = np.concatenate([graph.rows, graph.cols])
        dst = np.concatenate([graph.cols, graph.rows])
        ww = np.concatenate([w, w])
        cover = max_weight_double_cover(n, graph.rows, graph.cols, w)
        mate_out = cover[0]
        chosen = mate_out[src] == dst
        u, v = assignment_duals(n, np.ones(n, np.int64), src, dst, ww, chosen)
        y2 = u + v  # twice y, kept in integers
        extra = pricer.price(y2, y2, 0, per_row=k)
        release_freed_memory()
        # The reserve (each person's next best pairs, scored once) is priced exactly.
        gain = 2 * int_scores(spare.scores) - y2[spare.rows] - y2[spare.cols]
        shortfall = extra.max_gain.copy()
        np.maximum.at(shortfall, spare.rows, np.maximum(gain, 0))
        priced += extra.checked + len(gain)
        last = round_ == _PEER_BOUND_ROUNDS - 1
        better = gain > 0
        if (len(extra.rows) == 0 and not better.any()) or last:
            return graph, float((y2.sum() + shortfall.sum()) / 2 / SCALE), priced, cover
        a = np.concatenate([extra.rows, spare.rows[better]])
        b = np.concatenate([extra.cols, spare.cols[better]])
        keep = a != b
        graph = concat(graph, Edges(np.minimum(a, b)[keep], np.maximum(a, b)[keep],
                                    np.concatenate([extra.scores, spare.scores[better]])[keep]))
        pricer.add_known(np.minimum(a, b)[keep], np.maximum(a, b)[keep])
        pricer.add_known(np.maximum(a, b)[keep], np.minimum(a, b)[keep])
    raise AssertionError("unreachable")


def _solve_peer(ctx: ScoreContext, k: int, free: np.ndarray, timings: dict[str, float]
                ) -> tuple[Edges, Edges, np.ndarray, float, float]:
    n = len(ctx.rows.ids)
    t = perf_counter()
    cands = candidate_graph(ctx, k, np.flatnonzero(free), free, k_reserve=_RESERVE * k)
    graph = symmetrise(cands.edges)
    release_freed_memory()
    counts = np.bincount(np.concatenate([graph.rows, graph.cols]), minlength=n)
    timings["candidates_and_scoring"] = perf_counter() - t
    t = perf_counter()
    graph, upper, _, cover = _peer_bound(ctx, k, graph, cands.rest_max, free, cands.reserve)
    timings["bound_over_all_pairs"] = perf_counter() - t
    t = perf_counter()
    sol = solve_peer(n, graph.rows, graph.cols, graph.scores, cover=cover)
    timings["solve"] = perf_counter() - t
    t = perf_counter()
    matched = np.zeros(n, bool)
    matched[graph.rows[sol.chosen]] = True
    matched[graph.cols[sol.chosen]] = True
    left = np.flatnonzero(free & ~matched)
    if len(left) >= 2:
        # People left out get candidates among each other; only a graph that really grew is
        # solved again, and the solution always belongs to the graph it was solved on.
        ok = np.zeros(n, bool)
        ok[left] = True
        extra = symmetrise(top_k(ctx, k, left, col_ok=ok))
        bigger = concat(graph, extra)
        if len(bigger) > len(graph):
            graph = bigger
            sol = solve_peer(n, graph.rows, graph.cols, graph.scores)
    timings["coverage_repair"] = perf_counter() - t
    sel = Edges(graph.rows[sol.chosen], graph.cols[sol.chosen], graph.scores[sol.chosen])
    score = float(int_scores(sel.scores).sum()) / SCALE
    upper = max(upper, score)  # rounding guard: the bound is never below a real matching
    gap = 0.0 if upper <= 0 else max(0.0, 1.0 - score / upper)
    return graph, sel, counts, upper, gap


def run_matching(inp: MatchingInput, reselect: Reselect | None = None) -> MatchResult:
    """Match one program: hard rules, coverage first, then the best total score.

    reselect (optional, mentor/mentee programs): re-chooses among the candidate graph's edges
    after the optimum is found, e.g. to meet a fairness floor; the invariants still hold.
    """
    return run_matching_with_graph(inp, reselect)[0]


def run_matching_with_graph(inp: MatchingInput, reselect: Reselect | None = None
                            ) -> tuple[MatchResult, Edges, np.ndarray]:
    """run_matching plus the final candidate graph and mentor capacities (for benchmarks)."""
    timings: dict[str, float] = {}
    t = perf_counter()
    ctx, seekers, mentors = build_context(inp)
    rules = inp.rules
    n_rows, n_cols = len(seekers), len(mentors)
    cap = np.array([_capacity(inp, e) for e in mentors], dtype=np.int64)
    timings["features_and_constraints"] = perf_counter() - t

    t = perf_counter()
    locked, notes = _locks(ctx, inp, cap)
    timings["locks"] = perf_counter() - t
    free = np.ones(n_rows, bool)
    free[locked.rows] = False
    if ctx.peer:
        free[locked.cols] = False
    k = max(1, rules.top_k)
    upper = gap = None
    proof: _Proof | None = None
    has_allowed: np.ndarray | None = None
    if ctx.peer:
        graph, sel, counts, upper, gap = _solve_peer(ctx, k, free, timings)
    else:
        graph, sel, counts, has_allowed, proof = _solve_bipartite(ctx, k, cap, free, timings,
                                                                  reselect)
        if proof.floor_note:
            notes.append(proof.floor_note)

    t = perf_counter()
    # Locked rows never enter the solve, so plain concatenation cannot duplicate an edge.
    final = Edges(np.concatenate([locked.rows, sel.rows]), np.concatenate([locked.cols, sel.cols]),
                  np.concatenate([locked.scores, sel.scores]))
    is_locked = np.zeros(len(final), bool)
    is_locked[: len(locked)] = True
    texts = explain_edges(ctx, final.rows, final.cols)
    matches: list[Match] = []
    if ctx.peer:
        for i in range(len(final)):
            matches.append(Match(ctx.rows.ids[final.rows[i]], (ctx.cols.ids[final.cols[i]],),
                                 float(final.scores[i]), texts[i], (float(final.scores[i]),),
                                 bool(is_locked[i])))
    else:
        by_mentor: dict[int, list[int]] = defaultdict(list)
        for i in np.argsort(-final.scores, kind="stable").tolist():
            by_mentor[int(final.cols[i])].append(i)
        for c in sorted(by_mentor):
            es = by_mentor[c]
            sc = tuple(float(final.scores[i]) for i in es)
            if len(es) == 1:
                text = texts[es[0]]
            else:
                text = " ".join(f"With {ctx.rows.names[final.rows[i]]}: {texts[i]}" for i in es)
            matches.append(Match(ctx.cols.ids[c], tuple(ctx.rows.ids[final.rows[i]] for i in es),
                                 float(np.mean(sc)), text, sc, bool(is_locked[es].any())))

    unmatched: list[Unmatched] = []
    matched_rows = np.zeros(n_rows, bool)
    matched_rows[final.rows] = True
    if ctx.peer:
        matched_rows[final.cols] = True
    left = np.flatnonzero(~matched_rows).tolist()
    offered = {s.lower() for sk in ctx.cols.offered_skills for s in sk}
    role = "peer" if ctx.peer else "mentee"
    for r in left:
        # Candidate generation skipped full mentors, so "no allowed pair" is only known
        # when every mentor had room; otherwise the row is scored again.
        known = has_allowed is not None and (bool(has_allowed[r]) or bool((cap > 0).all()))
        code, reason = unmatched_reason(
            ctx, r, offered, bool(has_allowed[r]) if known and has_allowed is not None else None)
        if ctx.peer and n_rows % 2 == 1 and len(left) == 1 and code in ("no_room",):
            code = "odd_one_out"
            reason = ("There was an odd number of people in the peer pool, so one person had to "
                      "sit out this round. You're first in line for the next round.")
        unmatched.append(Unmatched(ctx.rows.ids[r], role, code, reason))
    if not ctx.peer:
        used = np.bincount(final.cols, minlength=n_cols)
        for c in np.flatnonzero(used == 0).tolist():
            reason = ("Every mentee in this round was matched with a mentor who fit them more "
                      "closely, so nobody was paired with you this time. Your offer stays open "
                      "for the next round." if cap[c] > 0 else
                      "Your mentoring capacity for this program is zero, so nobody was paired "
                      "with you.")
            unmatched.append(Unmatched(ctx.cols.ids[c], "mentor", "mentor_unused", reason))
    timings["explain"] = perf_counter() - t

    pairs = len(final)
    seekers_matched = int(matched_rows.sum())
    total = float(final.scores.sum())
    cand_counts = {ctx.cols.ids[c]: int(n) for c, n in enumerate(counts.tolist()) if n}
    stats = Stats(
        seekers=n_rows,
        matched_seekers=seekers_matched,
        coverage=seekers_matched / n_rows if n_rows else 1.0,
        mean_score=total / pairs if pairs else 0.0,
        total_score=total,
        candidate_edges=len(graph),
        timings=timings,
        upper_bound=upper,
        gap_to_upper_bound=gap,
        notes=tuple(notes),
        # With a fairness floor the result is the floor's optimum on the candidate graph, which
        # the unconstrained proof does not cover.
        proven_optimal=None if proof is None else proof.mean_without_floor is None,
        mean_score_without_floor=None if proof is None else proof.mean_without_floor,
        proof_rounds=None if proof is None else proof.rounds,
        allowed_pairs=None if proof is None else proof.allowed_pairs,
        priced_pairs=None if proof is None else proof.priced_pairs,
        added_by_pricing=None if proof is None else proof.added_edges,
    )
    result = MatchResult(tuple(matches), tuple(unmatched), stats, cand_counts)
    t = perf_counter()
    # A broken capacity or hard rule is a bug: raise rather than let anyone store it.
    check_result(inp, result)
    timings["invariants"] = perf_counter() - t
    return result, graph, cap


__all__ = ["build_context", "empty_edges", "run_matching", "run_matching_with_graph"]
