"""Room left for a mentor: the program's rule minus mentees already in live matches."""

from __future__ import annotations

from dataclasses import replace

from core.matching import run_matching
from tests.matching.helpers import make_input, mentee, mentor, person


def _run(kind: str, assigned: int, capacity: int = 3, group_size: int = 3) -> int:
    senior, junior = (2, 6) if kind == "reverse" else (6, 2)  # reverse: the mentor is junior
    people = [person("m", level=senior)] + [person(f"e{i}", level=junior) for i in range(4)]
    enr = [replace(mentor("m", ("Negotiation",), capacity=capacity), assigned=assigned)]
    enr += [mentee(f"e{i}", ("Negotiation",)) for i in range(4)]
    result = run_matching(make_input(people, enr, kind=kind, group_size=group_size))
    return sum(len(m.mentee_ids) for m in result.matches)


def test_one_on_one_mentor_already_matched_has_no_room() -> None:
    assert _run("one_on_one", assigned=0) == 1
    assert _run("one_on_one", assigned=1) == 0


def test_group_room_is_group_size_minus_assigned() -> None:
    assert _run("group", assigned=0) == 3
    assert _run("group", assigned=2) == 1


def test_reverse_room_is_own_capacity_minus_assigned() -> None:
    assert _run("reverse", assigned=0, capacity=3) == 3
    assert _run("reverse", assigned=1, capacity=3) == 2
