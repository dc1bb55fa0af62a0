"""The invariant check every result passes before it can be stored: it must catch breakage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.matching import run_matching
from core.matching.invariants import InvariantError, check_result
from core.matching.types import Match
from tests.matching.helpers import make_input, mentee, mentor, person


def _input():  # type: ignore[no-untyped-def]
    people = [person("boss", level=8), person("m1", level=6, manager="boss"),
              person("m2", level=6), person("e1", level=2, manager="m1"),
              person("e2", level=2), person("e3", level=2)]
    enr = [mentor("m1", ("SQL",)), mentor("m2", ("SQL",)), mentee("e1", ("SQL",)),
           mentee("e2", ("SQL",)), mentee("e3", ("SQL",))]
    return make_input(people, enr, dnm=(("m2", "e3"),))


def test_a_real_result_passes() -> None:
    inp = _input()
    check_result(inp, run_matching(inp))


@pytest.mark.parametrize("matches, problem", [
    ((Match("m2", ("e2", "e1"), 0.5, ""),), "room for 1"),
    ((Match("m1", ("e1",), 0.5, ""),), "reporting line"),
    ((Match("m2", ("e3",), 0.5, ""),), "do-not-match"),
    ((Match("m1", ("e2",), 0.5, ""), Match("m2", ("e2",), 0.5, "")), "e2 is in 2 matches"),
    ((Match("e2", ("e3",), 0.5, ""),), "did not enroll as one"),
])
def test_a_broken_result_raises(matches: tuple[Match, ...], problem: str) -> None:
    inp = _input()
    good = run_matching(inp)
    broken = replace(good, matches=matches, unmatched=())
    with pytest.raises(InvariantError, match=problem):
        check_result(inp, broken)
