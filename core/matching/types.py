"""Plain, frozen input and output records of the matching engine.

Timezones are UTC offsets in hours (e.g. -5.0, 5.5); working hours are local clock hours
[work_start, work_end). Callers resolve IANA names to an offset for the matching date, which
keeps the engine free of tz databases and daylight-saving I/O.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

Kind = Literal["one_on_one", "group", "peer", "reverse"]
Role = Literal["mentor", "mentee", "peer"]
COMPONENTS: tuple[str, ...] = ("skills", "seniority", "goals", "department", "timezone")


@dataclass(frozen=True, slots=True)
class Person:
    """HRIS attributes of one person. Deliberately has no protected attributes."""

    id: str
    name: str
    department: str
    level: int
    manager_id: str | None = None
    utc_offset: float = 0.0
    work_start: float = 9.0
    work_end: float = 17.0


@dataclass(frozen=True, slots=True)
class Enrollment:
    """One person's enrollment in the program being matched."""

    person_id: str
    role: Role
    capacity: int = 1
    skills_offered: tuple[str, ...] = ()
    skills_wanted: tuple[str, ...] = ()
    goals: str = ""
    # Mentees already assigned in live matches: the program's capacity rule minus this is room.
    assigned: int = 0


@dataclass(frozen=True, slots=True)
class PastMatch:
    """A pair matched before, in some program, on some date."""

    person_a: str
    person_b: str
    program_id: str
    matched_on: date


@dataclass(frozen=True, slots=True)
class Weights:
    """Per-program weight of each score component; normalised to sum 1 when scoring."""

    skills: float = 0.4
    seniority: float = 0.2
    goals: float = 0.2
    department: float = 0.1
    timezone: float = 0.1

    def normalised(self) -> dict[str, float]:
        """Component weights scaled to sum to 1 (all zero -> equal weights)."""
        raw = {c: max(0.0, float(getattr(self, c))) for c in COMPONENTS}
        total = sum(raw.values())
        if total <= 0:
            return {c: 1.0 / len(COMPONENTS) for c in COMPONENTS}
        return {c: v / total for c, v in raw.items()}


@dataclass(frozen=True, slots=True)
class ProgramRules:
    """The rules of the program being matched."""

    program_id: str
    kind: Kind = "one_on_one"
    purpose: str = "general"
    group_size: int = 1
    weights: Weights = field(default_factory=Weights)
    require_different_department: bool = False
    min_overlap_hours: int | None = None
    cooldown_days: int = 365
    top_k: int = 25


@dataclass(frozen=True, slots=True)
class Adjustments:
    """Admin overrides: locked pairs are forced in when feasible, excluded pairs never happen.

    Pairs are (mentor_id, mentee_id); for peer programs the order does not matter.
    """

    locked: tuple[tuple[str, str], ...] = ()
    excluded: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MatchingInput:
    """Everything one matching run needs, as plain data."""

    people: tuple[Person, ...]
    enrollments: tuple[Enrollment, ...]
    rules: ProgramRules
    today: date
    history: tuple[PastMatch, ...] = ()
    do_not_match: tuple[tuple[str, str], ...] = ()
    adjustments: Adjustments = field(default_factory=Adjustments)


@dataclass(frozen=True, slots=True)
class Match:
    """One mentor with their mentee(s); for peer programs mentor_id is simply the first peer."""

    mentor_id: str
    mentee_ids: tuple[str, ...]
    score: float
    explanation: str
    pair_scores: tuple[float, ...] = ()
    locked: bool = False


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A person left without a match, with a kind, specific reason."""

    person_id: str
    role: Role
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Stats:
    """Run statistics; timings are seconds per phase."""

    seekers: int
    matched_seekers: int
    coverage: float
    mean_score: float
    total_score: float
    candidate_edges: int
    timings: dict[str, float]
    upper_bound: float | None = None
    gap_to_upper_bound: float | None = None
    notes: tuple[str, ...] = ()
    # Mentor/mentee runs: shown optimal over every allowed pair by dual prices (see
    # core.matching.optimality) after proof_rounds solves; priced_pairs were scored again.
    proven_optimal: bool | None = None
    proof_rounds: int | None = None
    allowed_pairs: int | None = None
    priced_pairs: int | None = None
    added_by_pricing: int | None = None
    # With the opt-in fairness floor: the mean score the same pool had without it.
    mean_score_without_floor: float | None = None


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Matches, unmatched people with reasons, stats, and how often each mentor was a candidate."""

    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    stats: Stats
    candidate_counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)
