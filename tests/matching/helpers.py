"""Small builders for hand-made matching instances."""

from __future__ import annotations

from datetime import date

from core.matching.types import (
    Adjustments,
    Enrollment,
    MatchingInput,
    PastMatch,
    Person,
    ProgramRules,
    Weights,
)

TODAY = date(2025, 6, 1)


def person(pid: str, level: int = 3, dept: str = "Eng", manager: str | None = None,
           offset: float = 0.0, name: str | None = None) -> Person:
    return Person(pid, name or pid, dept, level, manager, offset, 9.0, 17.0)


def mentor(pid: str, offers: tuple[str, ...] = (), capacity: int = 1,
           goals: str = "") -> Enrollment:
    return Enrollment(pid, "mentor", capacity, offers, (), goals)


def mentee(pid: str, wants: tuple[str, ...] = (), goals: str = "") -> Enrollment:
    return Enrollment(pid, "mentee", 1, (), wants, goals)


def peer(pid: str, offers: tuple[str, ...] = (), wants: tuple[str, ...] = ()) -> Enrollment:
    return Enrollment(pid, "peer", 1, offers, wants, "")


def make_input(people: list[Person], enrollments: list[Enrollment], kind: str = "one_on_one",
               history: tuple[PastMatch, ...] = (), dnm: tuple[tuple[str, str], ...] = (),
               adjustments: Adjustments | None = None, **rule_kw: object) -> MatchingInput:
    rules = ProgramRules("prog", kind=kind, **rule_kw)  # type: ignore[arg-type]
    return MatchingInput(tuple(people), tuple(enrollments), rules, TODAY, history, dnm,
                         adjustments or Adjustments())


SKILLS_ONLY = Weights(skills=1.0, seniority=0.0, goals=0.0, department=0.0, timezone=0.0)
