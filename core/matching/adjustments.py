"""Admin adjustments expressed as locks and exclusions for the next run."""

from __future__ import annotations

from collections.abc import Iterable

from core.matching.types import Adjustments, Match


def swap_mentees(
    adjustments: Adjustments, matches: Iterable[Match], mentee_a: str, mentee_b: str
) -> Adjustments:
    """Swap the mentors of two matched mentees: lock the crossed pairs, exclude the old ones."""
    mentor_of = {m: match.mentor_id for match in matches for m in match.mentee_ids}
    if mentee_a not in mentor_of or mentee_b not in mentor_of:
        raise ValueError("both mentees must currently be matched")
    ma, mb = mentor_of[mentee_a], mentor_of[mentee_b]
    keep = tuple(p for p in adjustments.locked if p[1] not in (mentee_a, mentee_b))
    return Adjustments(
        locked=keep + ((ma, mentee_b), (mb, mentee_a)),
        excluded=adjustments.excluded + ((ma, mentee_a), (mb, mentee_b)),
    )
