"""Bias audit over protected attributes, which only this module ever reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from core.matching.types import Enrollment, Match

FOUR_FIFTHS = 0.8


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """Figures for one group of one attribute."""

    enrolled: int
    matched: int
    match_rate: float
    mean_score: float | None
    top_mentor_share: float | None


@dataclass(frozen=True, slots=True)
class AttributeAudit:
    """Per-attribute figures, four-fifths ratios and flags."""

    attribute: str
    groups: dict[str, GroupFigures]
    match_rate_ratio: float | None
    match_rate_flag: bool
    top_mentor_ratio: float | None
    top_mentor_flag: bool


@dataclass(frozen=True, slots=True)
class FairnessReport:
    """The audit of one matching run."""

    attributes: dict[str, AttributeAudit]
    top_mentors: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def _ratio(values: list[float]) -> float | None:
    if not values:
        return None
    hi = max(values)
    return 1.0 if hi <= 0 else min(values) / hi


def audit_fairness(
    matches: Iterable[Match],
    enrollments: Iterable[Enrollment],
    protected: Mapping[str, Mapping[str, str]],
    mentor_popularity: Mapping[str, float] | None = None,
    min_group_size: int = 1,
) -> FairnessReport:
    """Match rate, mean score and top-mentor share per protected group, with 4/5ths flags.

    Seekers are mentees (or everyone in a peer program). Top mentors are the top decile by
    mentor_popularity (e.g. MatchResult.candidate_counts), else by mean match score.
    Groups smaller than min_group_size keep their figures but stay out of ratios and flags:
    a ratio over two or three people is noise, and flagging it would single them out.
    """
    matches = list(matches)
    enrolled = [e for e in enrollments]
    peer = all(e.role == "peer" for e in enrolled) and bool(enrolled)
    seekers = sorted({e.person_id for e in enrolled if peer or e.role == "mentee"})
    score_of: dict[str, float] = {}
    mentor_of: dict[str, str] = {}
    for m in matches:
        scores = m.pair_scores or tuple(m.score for _ in m.mentee_ids)
        for pid, s in zip(m.mentee_ids, scores, strict=False):
            score_of[pid], mentor_of[pid] = s, m.mentor_id
        if peer:
            score_of[m.mentor_id], mentor_of[m.mentor_id] = m.score, m.mentee_ids[0]
    if mentor_popularity is None:
        sums: dict[str, list[float]] = defaultdict(list)
        for pid, mentor in mentor_of.items():
            sums[mentor].append(score_of[pid])
        mentor_popularity = {k: sum(v) / len(v) for k, v in sums.items()}
    ranked = sorted(mentor_popularity, key=lambda k: (-mentor_popularity[k], k))
    top = tuple(ranked[: max(1, len(ranked) // 10)]) if ranked else ()
    top_set = set(top)

    attributes: dict[str, AttributeAudit] = {}
    names = sorted({a for pid in seekers for a in protected.get(pid, {})})
    for attr in names:
        members: dict[str, list[str]] = defaultdict(list)
        for pid in seekers:
            group = protected.get(pid, {}).get(attr)
            if group is not None:
                members[group].append(pid)
        groups: dict[str, GroupFigures] = {}
        for g, pids in sorted(members.items()):
            got = [p for p in pids if p in score_of]
            groups[g] = GroupFigures(
                enrolled=len(pids),
                matched=len(got),
                match_rate=len(got) / len(pids),
                mean_score=sum(score_of[p] for p in got) / len(got) if got else None,
                top_mentor_share=(sum(mentor_of[p] in top_set for p in got) / len(got)
                                  if got else None),
            )
        counted = [f for f in groups.values() if f.enrolled >= min_group_size]
        rate_ratio = _ratio([f.match_rate for f in counted])
        shares = [f.top_mentor_share for f in counted if f.top_mentor_share is not None]
        top_ratio = _ratio(shares)
        attributes[attr] = AttributeAudit(
            attribute=attr,
            groups=groups,
            match_rate_ratio=rate_ratio,
            match_rate_flag=rate_ratio is not None and rate_ratio < FOUR_FIFTHS,
            top_mentor_ratio=top_ratio,
            top_mentor_flag=top_ratio is not None and top_ratio < FOUR_FIFTHS,
        )
    return FairnessReport(attributes, top)
