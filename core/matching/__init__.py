"""Pure matching engine: candidate generation, scoring, solving, explanations and audits."""

from core.matching.adjustments import swap_mentees
from core.matching.engine import run_matching
from core.matching.fairness import FairnessReport, audit_fairness
from core.matching.suggest import suggest_mentors
from core.matching.types import (
    Adjustments,
    Enrollment,
    Match,
    MatchingInput,
    MatchResult,
    PastMatch,
    Person,
    ProgramRules,
    Stats,
    Unmatched,
    Weights,
)

__all__ = [
    "Adjustments",
    "Enrollment",
    "FairnessReport",
    "Match",
    "MatchResult",
    "MatchingInput",
    "PastMatch",
    "Person",
    "ProgramRules",
    "Stats",
    "Unmatched",
    "Weights",
    "audit_fairness",
    "run_matching",
    "suggest_mentors",
    "swap_mentees",
]
