"""Coverage-first, then best-total-score capacitated assignment with OR-Tools min-cost flow."""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

SCALE = 1_000_000


def int_scores(scores: np.ndarray) -> np.ndarray:
    """Scores as integers in 0..SCALE: the objective every solver here optimises."""
    # Always in float64: a float32 score multiplied in float32 would round differently.
    return np.rint(np.clip(np.asarray(scores, np.float64), 0.0, 1.0) * SCALE).astype(np.int64)


def solve_assignment(
    n_rows: int, col_capacity: np.ndarray, rows: np.ndarray, cols: np.ndarray, scores: np.ndarray
) -> np.ndarray:
    """Boolean mask of chosen edges: max number of rows matched, then max total score.

    Each row takes at most one edge; col j takes at most col_capacity[j] edges.
    """
    m = len(rows)
    if m == 0 or n_rows == 0:
        return np.zeros(m, dtype=bool)
    n_cols = len(col_capacity)
    source, sink = 0, n_rows + n_cols + 1
    tails = np.concatenate([np.zeros(n_rows, np.int64), rows + 1, n_rows + 1 + np.arange(n_cols)])
    heads = np.concatenate([1 + np.arange(n_rows), n_rows + 1 + cols, np.full(n_cols, sink)])
    caps = np.concatenate([np.ones(n_rows + m, np.int64), col_capacity.astype(np.int64)])
    # Max flow fixes coverage; among max flows, minimising SCALE - score maximises total score.
    costs = np.concatenate([np.zeros(n_rows, np.int64), SCALE - int_scores(scores),
                            np.zeros(n_cols, np.int64)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_nodes_supplies(np.array([source, sink]), np.array([n_rows, -n_rows]))
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(np.arange(n_rows, n_rows + m))
    return flows > 0


def solve_greedy(
    n_rows: int, col_capacity: np.ndarray, rows: np.ndarray, cols: np.ndarray, scores: np.ndarray
) -> np.ndarray:
    """Baseline: take edges best-first while the row is free and the col has room."""
    taken = np.zeros(len(rows), dtype=bool)
    free_row = np.ones(n_rows, dtype=bool)
    room = col_capacity.astype(np.int64).copy()
    for e in np.argsort(-scores, kind="stable").tolist():
        r, c = rows[e], cols[e]
        if free_row[r] and room[c] > 0:
            free_row[r] = False
            room[c] -= 1
            taken[e] = True
    return taken
