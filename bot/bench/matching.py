"""Benchmark of the matching engine on a synthetic organisation (figures, not assertions)."""

from __future__ import annotations

import gc
import os
import resource
from collections.abc import Callable
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from core.matching.candidates import release_freed_memory
from core.matching.engine import build_context, mentor_capacity, run_matching_with_graph
from core.matching.scoring import score_block
from core.matching.solve_bipartite import SCALE, int_scores, solve_assignment, solve_greedy
from core.matching.synthetic import synthetic_org
from core.matching.types import MatchingInput, ProgramRules


def exact_assignment(n_rows: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                     scores: np.ndarray) -> tuple[int, int]:
    """Independent exact optimum (pairs, int score) via scipy's sparse LAPJVsp.

    Mentors are expanded into capacity slots; every row also gets a private dummy column,
    priced so that leaving a row unmatched costs more than any score difference (coverage first).
    """
    s = int_scores(scores)
    slot_start = np.concatenate([[0], np.cumsum(cap)])
    reps = cap[cols]
    e_rows = np.repeat(rows, reps)
    e_score = np.repeat(s, reps)
    # Slot index of the t-th copy of each edge: offset within the mentor's slots.
    first = np.repeat(slot_start[cols], reps)
    within = np.arange(len(e_rows)) - np.repeat(np.cumsum(reps) - reps, reps)
    e_cols = first + within
    n_slots = int(slot_start[-1])
    dummy_w = float(2 + SCALE + (n_rows + 1) * SCALE)
    data = np.concatenate([1.0 + (SCALE - e_score), np.full(n_rows, dummy_w)])
    r = np.concatenate([e_rows, np.arange(n_rows)])
    c = np.concatenate([e_cols, n_slots + np.arange(n_rows)])
    g = sp.csr_matrix((data, (r, c)), shape=(n_rows, n_slots + n_rows))
    _, col_of_row = min_weight_full_bipartite_matching(g)
    real = col_of_row < n_slots
    slot_owner = np.repeat(np.arange(len(cap)), cap)
    lookup = dict(zip(zip(rows.tolist(), cols.tolist(), strict=True), s.tolist(), strict=True))
    total = sum(lookup[(i, int(slot_owner[j]))]
                for i, j in zip(np.flatnonzero(real).tolist(), col_of_row[real].tolist(),
                                strict=True))
    return int(real.sum()), int(total)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _mem_status(field: str) -> float:
    """A memory figure of this process from /proc (MB); 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _peak_of(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(fn(), seconds, MB the process's peak RSS rose above its RSS at the start).

    Linux lets a process reset its peak (write 5 to clear_refs); elsewhere the figure is 0.
    Run it in a fresh process (see _fresh): freed-but-resident memory would hide a peak.
    """
    gc.collect()
    # Memory freed before the run (the arguments' unpickling buffers in a fresh process) is
    # handed back first: otherwise it counts in the starting RSS and the run reuses it unseen.
    release_freed_memory()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    start = _mem_status("VmRSS")
    t = perf_counter()
    out = fn()
    seconds = perf_counter() - t
    return out, seconds, max(0.0, _mem_status("VmHWM") - start)


def _engine_child(inp: MatchingInput, warm: bool = True) -> tuple[float, float]:
    """In a fresh process: (seconds, peak MB) of run_matching_with_graph on inp.

    warm: after one run on 300 people, as in a server that has matched before. The first
    run of a process also pulls library code into memory (SciPy's sparse routines, OR-Tools)
    once and for good: a few MB that are not the algorithm's.
    """
    if warm:
        run_matching_with_graph(synthetic_org(300, 1).to_input(inp.rules))
    _, seconds, mb = _peak_of(lambda: run_matching_with_graph(inp))
    return seconds, mb


def _bare_child(n_rows: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                scores: np.ndarray) -> tuple[float, float]:
    """In a fresh process: (seconds, peak MB) of a bare OR-Tools solve of one graph, after
    one solve of a tiny graph (warm, as the engine's run is)."""
    solve_assignment(2, np.ones(1, np.int64), np.arange(2), np.zeros(2, np.int64),
                     np.full(2, 0.5))
    _, seconds, mb = _peak_of(lambda: solve_assignment(n_rows, cap, rows, cols, scores))
    return seconds, mb


def _fresh(fn: Callable[..., tuple[float, float]], *args: Any) -> tuple[float, float]:
    """Run fn(*args) in a newly spawned interpreter, so its peak memory is its own."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def all_pairs_exact(inp: MatchingInput) -> tuple[int, int]:
    """(pairs, integer score) of the optimum over every allowed pair, by SciPy's exact sparse
    assignment on the slot-expanded graph: independent of the engine's pruning and pricing.
    Memory grows with allowed pairs x capacity (about 5 GB at 10,000 people)."""
    ctx, seekers, mentors = build_context(inp)
    cap = np.array([mentor_capacity(inp.rules, e) for e in mentors], np.int64)
    rows, cols, scores = [], [], []
    step = max(1, 4_000_000 // max(1, len(mentors)))
    for r0 in range(0, len(seekers), step):
        s = score_block(ctx, r0, min(len(seekers), r0 + step), cap > 0)
        r, c = np.nonzero(np.isfinite(s))
        rows.append(r + r0)
        cols.append(c)
        scores.append(np.clip(s[r, c].astype(np.float64), 0.0, 1.0))
    if not rows:
        return 0, 0
    return exact_assignment(len(seekers), cap, np.concatenate(rows), np.concatenate(cols),
                            np.concatenate(scores))


def run_benchmark(participants: int, seed: int = 0, peer: bool = False,
                  kind: str = "group", group_size: int = 3,
                  exact: bool | None = None) -> dict[str, Any]:
    """Time and quality figures for one synthetic run; peer=True benchmarks a peer pool.

    exact: also solve over every allowed pair with SciPy for the % of the true optimum
    (default: at up to 10,000 participants, where it fits in memory).
    """
    t = perf_counter()
    org = synthetic_org(participants, seed)
    gen_s = perf_counter() - t
    rules = ProgramRules("prog-1", kind="peer" if peer else kind,  # type: ignore[arg-type]
                         group_size=group_size, top_k=20 if peer else 25)
    inp = org.to_input(rules)
    cpu = process_time()
    (result, graph, cap), total_s, engine_mb = _peak_of(lambda: run_matching_with_graph(inp))
    cpu_s = process_time() - cpu
    st = result.stats
    out: dict[str, Any] = {
        "participants": participants, "seed": seed, "kind": rules.kind,
        "synthetic_org_s": gen_s, "end_to_end_s": total_s, "timings": dict(st.timings),
        "seekers": st.seekers, "matched": st.matched_seekers, "coverage": st.coverage,
        "mean_score": st.mean_score, "total_score": st.total_score,
        "candidate_edges": st.candidate_edges,
    }
    # CPU time (every thread) and the load average: wall time on a busy machine is noisy.
    out["end_to_end_cpu_s (all threads)"] = cpu_s
    out["load_average_1min"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if peer:
        out["engine_peak_mb (this process)"] = engine_mb
        out["target_peer_10k_s"] = 5.0
        out["upper_bound_score_all_pairs"] = st.upper_bound
        out["gap_to_upper_bound_all_pairs"] = st.gap_to_upper_bound
        out["peak_rss_mb"] = _rss_mb()
        return out
    n_rows = st.seekers
    bare, bare_s, _ = _peak_of(
        lambda: solve_assignment(n_rows, cap, graph.rows, graph.cols, graph.scores))
    # Peak memory from fresh processes, one each: the engine on the same input, and a bare
    # OR-Tools solve of the engine's final graph.
    _, engine_mb = _fresh(_engine_child, inp)
    _, engine_cold_mb = _fresh(_engine_child, inp, False)
    _, bare_mb = _fresh(_bare_child, n_rows, cap, graph.rows, graph.cols, graph.scores)
    out["engine_peak_mb (fresh process, warm)"] = engine_mb
    out["engine_peak_mb (fresh process, first run)"] = engine_cold_mb
    s_int = int_scores(graph.scores)
    ours_int = sum(int(int_scores(np.array(m.pair_scores)).sum()) for m in result.matches)
    greedy = solve_greedy(n_rows, cap, graph.rows, graph.cols, graph.scores)
    solve_s = st.timings.get("solve", 0.0)
    out.update({
        "proven_optimal_over_all_pairs": st.proven_optimal,
        "proof_rounds (solves)": st.proof_rounds,
        "allowed_pairs": st.allowed_pairs,
        "pairs_priced_again": st.priced_pairs,
        "edges_added_by_pricing": st.added_by_pricing,
        "bare_ortools_solve_s (final graph)": bare_s,
        # Ours: every OR-Tools solve the engine ran (the first graph, then each restricted
        # re-solve), duals and pricing excluded (they are the proof's time). Bare: one
        # OR-Tools solve of the engine's final candidate graph, in this process, same code.
        "solves_counted": f"ours: {st.proof_rounds} solves; bare: 1 solve of "
                          f"{st.candidate_edges:,} edges",
        "ratio_solve_to_bare (target <= 1.5)": solve_s / bare_s if bare_s else None,
        # The auction that estimates mentor prices before the first solve is not an OR-Tools
        # solve, but it stands in for the re-solves it saves: counted with them here too.
        "ratio_solve_plus_price_estimate_to_bare":
            (solve_s + st.timings.get("price_estimate", 0.0)) / bare_s if bare_s else None,
        "ratio_end_to_end_to_bare": total_s / bare_s if bare_s else None,
        "bare_ortools_peak_mb (fresh process, warm)": bare_mb,
        "ratio_peak_mb_to_bare (target <= 2)": engine_mb / bare_mb if bare_mb else None,
        "ratio_peak_mb_to_bare (engine's first run)":
            engine_cold_mb / bare_mb if bare_mb else None,
        "bare_matches_ours": bool(int(bare.sum()) == st.matched_seekers
                                  and int(s_int[bare].sum()) == ours_int),
        "greedy_pairs": int(greedy.sum()),
        "greedy_pct_of_ours": 100.0 * int(s_int[greedy].sum()) / ours_int if ours_int else 100.0,
        "target_end_to_end_s": 2.0 if participants <= 10_000 else 10.0,
    })
    if exact is None:
        exact = participants <= 10_000
    if exact:
        (ex_pairs, ex_int), exact_s, _ = _peak_of(lambda: all_pairs_exact(inp))
        out.update({
            "exact_method": "SciPy min_weight_full_bipartite_matching, every allowed pair, "
                            "mentors expanded into slots",
            "exact_s": exact_s,
            "exact_pairs_all_allowed": ex_pairs,
            "ours_pairs": st.matched_seekers,
            "ours_pct_of_optimum_all_pairs": 100.0 * ours_int / ex_int if ex_int else 100.0,
            "greedy_pct_of_optimum_all_pairs":
                100.0 * int(s_int[greedy].sum()) / ex_int if ex_int else 100.0,
        })
    out["peak_rss_mb"] = _rss_mb()
    return out


def print_benchmark(result: dict[str, Any]) -> None:
    """Print a benchmark result as rich tables."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Matching benchmark: {result['participants']} participants "
                        f"({result['kind']}, seed {result['seed']})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for k, v in result.items():
        if k == "timings":
            for tk, tv in v.items():
                table.add_row(f"time: {tk}", f"{tv:.3f} s")
            continue
        if isinstance(v, float):
            text = f"{v:.4f}" if abs(v) < 10 else f"{v:.3f}"
        else:
            text = str(v)
        table.add_row(k, text)
    Console().print(table)
