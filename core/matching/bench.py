"""Benchmark of the matching engine on a synthetic organisation (figures, not assertions)."""

from __future__ import annotations

import resource
from time import perf_counter
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from core.matching.engine import run_matching_with_graph
from core.matching.solve_bipartite import SCALE, int_scores, solve_assignment, solve_greedy
from core.matching.synthetic import synthetic_org
from core.matching.types import ProgramRules


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


def run_benchmark(participants: int, seed: int = 0, peer: bool = False,
                  kind: str = "group", group_size: int = 3) -> dict[str, Any]:
    """Time and quality figures for one synthetic run; peer=True benchmarks a peer pool."""
    t = perf_counter()
    org = synthetic_org(participants, seed)
    gen_s = perf_counter() - t
    rules = ProgramRules("prog-1", kind="peer" if peer else kind,  # type: ignore[arg-type]
                         group_size=group_size, top_k=20 if peer else 25)
    inp = org.to_input(rules)
    t = perf_counter()
    result, graph, cap = run_matching_with_graph(inp)
    total_s = perf_counter() - t
    st = result.stats
    out: dict[str, Any] = {
        "participants": participants, "seed": seed, "kind": rules.kind,
        "synthetic_org_s": gen_s, "end_to_end_s": total_s, "timings": dict(st.timings),
        "seekers": st.seekers, "matched": st.matched_seekers, "coverage": st.coverage,
        "mean_score": st.mean_score, "total_score": st.total_score,
        "candidate_edges": st.candidate_edges, "peak_rss_mb_after_match": _rss_mb(),
    }
    out["scoring_plus_solving_s"] = sum(v for k, v in st.timings.items()
                                        if k in ("candidates_and_scoring", "solve",
                                                 "coverage_repair"))
    if peer:
        out["upper_bound_score"] = st.upper_bound
        out["gap_to_upper_bound"] = st.gap_to_upper_bound
        out["matched_share"] = st.coverage
        return out
    n_rows = st.seekers
    t = perf_counter()
    bare = solve_assignment(n_rows, cap, graph.rows, graph.cols, graph.scores)
    bare_s = perf_counter() - t
    s_int = int_scores(graph.scores)
    ours_pairs, ours_int = int(bare.sum()), int(s_int[bare].sum())
    t = perf_counter()
    ex_pairs, ex_int = exact_assignment(n_rows, cap, graph.rows, graph.cols, graph.scores)
    exact_s = perf_counter() - t
    greedy = solve_greedy(n_rows, cap, graph.rows, graph.cols, graph.scores)
    ours_score_int = int(round(st.total_score * SCALE))
    out.update({
        "bare_ortools_s": bare_s,
        "ratio_end_to_end_to_bare": total_s / bare_s if bare_s else None,
        "exact_method": "scipy min_weight_full_bipartite_matching on slot-expanded sparse graph",
        "exact_s": exact_s,
        "exact_pairs": ex_pairs,
        "ours_pairs_on_graph": ours_pairs,
        "ours_pct_of_optimum": 100.0 * ours_int / ex_int if ex_int else 100.0,
        "ours_result_pct_of_optimum": 100.0 * ours_score_int / ex_int if ex_int else 100.0,
        "greedy_pct_of_optimum": 100.0 * int(s_int[greedy].sum()) / ex_int if ex_int else 100.0,
        "greedy_pairs": int(greedy.sum()),
        "peak_rss_mb": _rss_mb(),
    })
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
