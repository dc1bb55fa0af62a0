"""A pair scores the same bits whichever way it is scored: in a block of every col (candidate
generation) or in a gathered sub-block (pricing). The optimality proof compares exact integer
scores, so a one-bit difference could let a better pair go unnoticed."""

from __future__ import annotations

import numpy as np
import pytest

from core.matching.engine import build_context
from core.matching.scoring import score_block, score_rows, score_sub
from core.matching.synthetic import synthetic_org
from core.matching.types import ProgramRules


@pytest.mark.parametrize("kind", ["one_on_one", "peer"])
def test_sub_blocks_score_the_same_bits_as_full_blocks(kind: str) -> None:
    org = synthetic_org(600, seed=3)
    ctx, _, _ = build_context(org.to_input(ProgramRules("p", kind=kind)))  # type: ignore[arg-type]
    n_rows, n_cols = len(ctx.rows.ids), len(ctx.cols.ids)
    full = score_block(ctx, 0, n_rows)
    rng = np.random.default_rng(0)
    # Narrow sets of cols are gathered first; wide ones are multiplied in full, then picked.
    for width in (3, n_cols // 5, n_cols // 3, n_cols):
        ri = np.sort(rng.choice(n_rows, size=min(40, n_rows), replace=False))
        ci = rng.permutation(n_cols)[:width]
        sub = score_sub(ctx, ri, ci)
        expected = full[ri][:, ci]
        assert np.array_equal(sub.view(np.int32), expected.view(np.int32)), width
    # A col-wise pass over every row (thin cols in candidate generation), forbidden pairs and all.
    ci = rng.permutation(n_cols)[:7]
    every = score_sub(ctx, np.arange(n_rows), ci)
    assert np.isneginf(every).any()
    assert np.array_equal(every.view(np.int32), full[:, ci].view(np.int32))


@pytest.mark.parametrize("kind", ["one_on_one", "peer"])
def test_rows_scored_against_every_col_keep_the_bits(kind: str) -> None:
    # Pricing scores scattered rows against every col and compares integer scores with
    # candidate generation's: the same bits, forbidden pairs and closed cols included.
    org = synthetic_org(600, seed=5)
    ctx, _, _ = build_context(org.to_input(ProgramRules("p", kind=kind)))  # type: ignore[arg-type]
    n_rows, n_cols = len(ctx.rows.ids), len(ctx.cols.ids)
    col_ok = np.random.default_rng(1).random(n_cols) > 0.2
    full = score_block(ctx, 0, n_rows, col_ok)
    for ri in (np.arange(5, 25), np.sort(np.random.default_rng(2).choice(n_rows, 30, False))):
        got = score_rows(ctx, ri, col_ok)
        assert np.isneginf(got).any()
        assert np.array_equal(got.view(np.int32), full[ri].view(np.int32))
