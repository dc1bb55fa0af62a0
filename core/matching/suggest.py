"""Self-select: one mentee's best mentors, scored and explained exactly as the engine would."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from core.matching.engine import build_context, mentor_capacity
from core.matching.explain import explain_edges
from core.matching.scoring import score_block
from core.matching.types import Match, MatchingInput


def suggest_mentors(
    inp: MatchingInput, mentee_id: str, k: int = 3, exclude: Collection[str] = (),
    reader: str | None = None,
) -> tuple[Match, ...]:
    """The mentee's k best allowed mentors, best first, each with its plain-words explanation.

    Uses the engine's own context, so every hard rule applies (self, reporting chain, history
    and cooldown, do-not-match, excluded adjustments, department and overlap rules). Only
    mentors with room under the engine's capacity rule are offered; ids in `exclude` (mentors
    who already declined) are skipped. Only the mentee's row is scored. Unknown mentee or no
    allowed mentor -> (). ``reader`` ("mentee", "mentor" or None) is who reads the
    explanations: they are addressed as "you" (see ``explain_edges``).
    """
    if k <= 0:
        return ()
    ctx, seekers, mentors = build_context(inp)
    row = next((i for i, e in enumerate(seekers) if e.person_id == mentee_id), None)
    if row is None or not mentors:
        return ()
    skip = set(exclude)
    col_ok = np.array([mentor_capacity(inp.rules, e) > 0 and e.person_id not in skip
                       for e in mentors], dtype=bool)
    scores = score_block(ctx, row, row + 1, col_ok)[0]
    feasible = np.flatnonzero(np.isfinite(scores))
    if len(feasible) == 0:
        return ()
    # Stable sort keeps enrollment order among equal scores, so results are deterministic.
    best = feasible[np.argsort(-scores[feasible], kind="stable")[:k]]
    texts = explain_edges(ctx, np.full(len(best), row, np.int64), best.astype(np.int64),
                          reader=reader)
    out = []
    for c, text in zip(best.tolist(), texts, strict=True):
        s = float(np.clip(scores[c], 0.0, 1.0))
        out.append(Match(ctx.cols.ids[c], (mentee_id,), s, text, (s,)))
    return tuple(out)


__all__ = ["suggest_mentors"]
