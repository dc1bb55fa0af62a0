"""The peers' complaints, as tests: hard rules hold and odd cases do not crash."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.matching import Adjustments, PastMatch, run_matching, swap_mentees
from core.matching.constraints import chain_pairs
from tests.matching.helpers import TODAY, make_input, mentee, mentor, peer, person


def _pairs(res) -> set[frozenset[str]]:
    return {frozenset((m.mentor_id, e)) for m in res.matches for e in m.mentee_ids}


def test_no_repeated_pair_from_this_program_or_within_cooldown() -> None:
    people = [person("x", 6), person("y", 6), person("z", 6), person("a"), person("b"),
              person("c")]
    enr = [mentor("x"), mentor("y"), mentor("z"), mentee("a"), mentee("b"), mentee("c")]
    hist = (PastMatch("x", "a", "prog", TODAY - timedelta(days=2000)),
            PastMatch("b", "y", "other", TODAY - timedelta(days=10)),
            PastMatch("z", "c", "other", TODAY - timedelta(days=10)))
    res = run_matching(make_input(people, enr, history=hist, cooldown_days=90))
    got = _pairs(res)
    assert not got & {frozenset("xa"), frozenset("yb"), frozenset("zc")}
    assert res.stats.coverage == 1.0
    # Outside the cooldown, another program's pair is allowed again.
    res2 = run_matching(make_input(people, enr[:1] + enr[3:4], history=(
        PastMatch("x", "a", "other", TODAY - timedelta(days=400)),), cooldown_days=90))
    assert _pairs(res2) == {frozenset("xa")}


def test_do_not_match_honoured_both_directions() -> None:
    people = [person("x", 6), person("a"), person("b")]
    enr = [mentor("x", capacity=2), mentee("a"), mentee("b")]
    res = run_matching(make_input(people, enr, kind="reverse", dnm=(("a", "x"),)))
    assert frozenset("xa") not in _pairs(res)
    assert frozenset("xb") in _pairs(res)


def test_no_own_or_skip_level_manager_either_direction() -> None:
    people = [person("boss", 8), person("mgr", 6, manager="boss"), person("ic", 3, manager="mgr"),
              person("other", 6), person("ic2", 2, manager="ic")]
    enr = [mentor("boss"), mentor("mgr"), mentee("ic"), mentee("ic2"), mentor("other")]
    res = run_matching(make_input(people, enr))
    got = _pairs(res)
    for bad in ("boss-ic", "mgr-ic", "boss-ic2", "mgr-ic2"):
        assert frozenset(bad.split("-")) not in got
    reasons = {u.person_id: u for u in res.unmatched}
    assert "ic" in reasons or "ic2" in reasons
    blocked = reasons.get("ic2") or reasons["ic"]
    assert blocked.code in ("all_excluded", "no_room")


def test_mentor_below_in_chain_also_blocked() -> None:
    # Reverse direction: the mentee manages the mentor.
    people = [person("lead", 7), person("jr", 2, manager="lead")]
    res = run_matching(make_input(people, [mentor("jr"), mentee("lead")], kind="reverse"))
    assert not res.matches
    assert res.unmatched[0].code == "all_excluded"
    assert "reporting line" in res.unmatched[0].reason


def test_cycle_in_manager_tree_does_not_hang() -> None:
    people = [person("a", manager="c"), person("b", manager="a"), person("c", manager="b"),
              person("d", manager="d"), person("e", manager="missing")]
    d, anc = chain_pairs(__import__("numpy").array([2, 0, 1, 3, -1]))
    assert set(zip(d.tolist(), anc.tolist(), strict=True)) >= {(0, 1), (0, 2), (1, 0), (2, 1)}
    enr = [mentor("a"), mentee("b"), mentor("d"), mentee("e")]
    res = run_matching(make_input(people, enr))
    assert frozenset("ab") not in _pairs(res)
    long_cycle = [person(f"p{i}", manager=f"p{(i + 1) % 200}") for i in range(200)]
    res = run_matching(make_input(long_cycle, [mentor("p0"), mentee("p150")]))
    assert not res.matches


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5])
def test_small_peer_pools(n: int) -> None:
    people = [person(f"p{i}") for i in range(n)]
    res = run_matching(make_input(people, [peer(f"p{i}") for i in range(n)], kind="peer"))
    assert res.stats.matched_seekers == n - n % 2
    assert len(res.unmatched) == n % 2
    if n == 1:
        assert res.unmatched[0].code == "no_candidates"
    elif n % 2:
        assert res.unmatched[0].code == "odd_one_out"
        assert "odd number" in res.unmatched[0].reason


def test_peer_hard_rules() -> None:
    people = [person("m", 5), person("r", 4, manager="m"), person("s", 4), person("t", 4)]
    res = run_matching(make_input(people, [peer(p.id) for p in people], kind="peer",
                                  dnm=(("s", "t"),)))
    got = _pairs(res)
    assert frozenset("mr") not in got and frozenset("st") not in got
    assert len(got) == 2


def test_locks_excludes_and_swap() -> None:
    people = [person("x", 6, "A"), person("y", 6, "B"), person("a", 3, "C"), person("b", 3, "D")]
    enr = [mentor("x", ("sql",)), mentor("y", ("go",)), mentee("a", ("sql",)),
           mentee("b", ("go",))]
    res = run_matching(make_input(people, enr))
    assert _pairs(res) == {frozenset("xa"), frozenset("yb")}
    adj = swap_mentees(Adjustments(), res.matches, "a", "b")
    res2 = run_matching(make_input(people, enr, adjustments=adj))
    assert _pairs(res2) == {frozenset("xb"), frozenset("ya")}
    assert all(m.locked for m in res2.matches)
    # An infeasible lock (manager pair) is dropped with a note.
    people2 = people + [person("c", 2, manager="x")]
    res3 = run_matching(make_input(people2, enr + [mentee("c")],
                                   adjustments=Adjustments(locked=(("x", "c"),))))
    assert frozenset("xc") not in _pairs(res3) and res3.stats.notes


def test_different_department_and_overlap_rules() -> None:
    people = [person("x", 6, "A"), person("a", 3, "A"), person("y", 6, "B", offset=3.0),
              person("b", 3, "C", offset=-8.0)]
    enr = [mentor("x"), mentor("y"), mentee("a"), mentee("b")]
    res = run_matching(make_input(people, enr, require_different_department=True,
                                  min_overlap_hours=2))
    got = _pairs(res)
    assert frozenset("xa") not in got and frozenset("yb") not in got
    assert frozenset("ya") in got
    reason = {u.person_id: u for u in res.unmatched}["b"]
    assert reason.code == "no_overlap" and "2 working hours" in reason.reason
