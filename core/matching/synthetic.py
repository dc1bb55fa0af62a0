"""A seeded, realistic synthetic organisation for tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from core.matching.types import Enrollment, MatchingInput, PastMatch, Person, ProgramRules

_TOPICS = (
    "negotiation public-speaking leadership python sql data-analysis product-management "
    "stakeholder-management hiring coaching budgeting strategy design ux-research writing "
    "machine-learning cloud security sales marketing finance legal operations agile "
    "presentation conflict-resolution delegation feedback mentoring architecture testing"
).split()
_GOAL_WORDS = (
    "confidence visibility promotion influence communication strategy execution career growth "
    "delegation prioritisation feedback presenting storytelling networking leadership teams "
    "technical depth breadth product customers data decisions planning roadmap hiring "
    "coaching resilience balance burnout focus impact ownership writing clarity negotiation "
    "stakeholders conflict managing remote culture inclusion change transformation innovation"
).split()
_DEPTS = ("Engineering", "Sales", "Marketing", "Finance", "People", "Operations", "Legal",
          "Product", "Design", "Support", "Data", "Security")
_OFFSETS = (-8.0, -5.0, -3.0, 0.0, 1.0, 2.0, 5.5, 8.0, 9.0, 10.0)
_OFFSET_P = (0.15, 0.25, 0.05, 0.12, 0.18, 0.07, 0.08, 0.04, 0.03, 0.03)


@dataclass(frozen=True)
class SyntheticOrg:
    """People, enrollments, history, do-not-match pairs and (separately) protected attributes."""

    people: tuple[Person, ...]
    enrollments: tuple[Enrollment, ...]
    history: tuple[PastMatch, ...]
    do_not_match: tuple[tuple[str, str], ...]
    protected: dict[str, dict[str, str]] = field(default_factory=dict)
    today: date = date(2025, 6, 1)

    def to_input(self, rules: ProgramRules) -> MatchingInput:
        """A MatchingInput for the given rules (peer programs enrol everyone as a peer)."""
        enr = self.enrollments
        if rules.kind == "peer":
            enr = tuple(Enrollment(e.person_id, "peer", 1, e.skills_offered, e.skills_wanted,
                                   e.goals) for e in enr)
        return MatchingInput(self.people, enr, rules, self.today, self.history,
                             self.do_not_match)


def _skill_names(n: int) -> list[str]:
    names = [t.replace("-", " ") for t in _TOPICS]
    i = 0
    while len(names) < n:
        names.append(f"{_TOPICS[i % len(_TOPICS)].replace('-', ' ')} {i // len(_TOPICS) + 2}")
        i += 1
    return names[:n]


def synthetic_org(participants: int, seed: int = 0, n_skills: int = 150) -> SyntheticOrg:
    """A seeded organisation of `participants` people, 20% of them mentors with capacity 1..3."""
    rng = np.random.default_rng(seed)
    n = participants
    parent = np.full(n, -1, np.int64)
    depth = np.zeros(n, np.int64)
    # Breadth-first manager tree with spans of 5-8.
    nxt, head = 1, 0
    while nxt < n:
        span = int(rng.integers(5, 9))
        take = min(span, n - nxt)
        parent[nxt:nxt + take] = head
        depth[nxt:nxt + take] = depth[head] + 1
        nxt += take
        head += 1
    level = np.maximum(1, 9 - depth - rng.integers(0, 2, n))
    dept = np.zeros(n, np.int64)
    for i in range(1, n):
        dept[i] = (i - 1) % len(_DEPTS) if parent[i] == 0 else dept[parent[i]]
    offsets = rng.choice(_OFFSETS, size=n, p=_OFFSET_P)
    starts = rng.choice([7.0, 8.0, 9.0, 10.0], size=n, p=[0.1, 0.3, 0.45, 0.15])
    ids = [f"p{i:06d}" for i in range(n)]
    people = tuple(
        Person(ids[i], f"Person {i}", _DEPTS[dept[i]], int(level[i]),
               ids[parent[i]] if parent[i] >= 0 else None, float(offsets[i]),
               float(starts[i]), float(starts[i] + 8))
        for i in range(n)
    )
    skills = _skill_names(n_skills)
    pop = 1.0 / np.arange(1, n_skills + 1) ** 1.05
    pop /= pop.sum()
    wpop = 1.0 / np.arange(1, len(_GOAL_WORDS) + 1) ** 0.8
    wpop /= wpop.sum()
    # Seniors are likelier to mentor.
    weight = level.astype(np.float64) ** 2
    n_mentors = max(1, n // 5) if n > 1 else 0
    mentor_set = set(rng.choice(n, size=n_mentors, replace=False,
                                p=weight / weight.sum()).tolist()) if n_mentors else set()
    enrollments = []
    for i in range(n):
        is_mentor = i in mentor_set
        k_off = int(rng.integers(3, 7)) if is_mentor else int(rng.integers(0, 3))
        k_want = int(rng.integers(0, 2)) if is_mentor else int(rng.integers(1, 4))
        off = tuple(skills[j] for j in rng.choice(n_skills, size=k_off, replace=False, p=pop))
        want = tuple(skills[j] for j in rng.choice(n_skills, size=k_want, replace=False, p=pop))
        words = rng.choice(len(_GOAL_WORDS), size=int(rng.integers(5, 12)), p=wpop)
        goals = "I want to grow my " + " ".join(_GOAL_WORDS[w] for w in words)
        enrollments.append(Enrollment(ids[i], "mentor" if is_mentor else "mentee",
                                      int(rng.integers(1, 4)) if is_mentor else 1,
                                      off, want, goals))
    today = date(2025, 6, 1)
    n_hist = n // 20
    a = rng.integers(0, n, n_hist)
    b = rng.integers(0, n, n_hist)
    history = tuple(
        PastMatch(ids[x], ids[y], "prog-1" if rng.random() < 0.3 else "prog-0",
                  today - timedelta(days=int(rng.integers(1, 720))))
        for x, y in zip(a.tolist(), b.tolist(), strict=True) if x != y
    )
    n_dnm = max(0, n // 200)
    a = rng.integers(0, n, n_dnm)
    b = rng.integers(0, n, n_dnm)
    dnm = tuple((ids[x], ids[y]) for x, y in zip(a.tolist(), b.tolist(), strict=True) if x != y)
    genders = rng.choice(["f", "m", "x"], size=n, p=[0.48, 0.48, 0.04])
    ages = rng.choice(["<30", "30-45", "45+"], size=n)
    protected = {ids[i]: {"gender": str(genders[i]), "age_band": str(ages[i])} for i in range(n)}
    return SyntheticOrg(people, tuple(enrollments), history, dnm, protected, today)
