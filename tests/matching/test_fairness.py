"""Bias audit: four-fifths flags, per-group scores, top-mentor shares."""

from __future__ import annotations

from core.matching import Match, audit_fairness
from tests.matching.helpers import mentee, mentor


def _setup(matched: list[str]) -> list[Match]:
    return [Match("m1" if i % 2 else "m2", (pid,), 0.5 + 0.1 * i, "")
            for i, pid in enumerate(matched)]


ENR = [mentor("m1"), mentor("m2")] + [mentee(p) for p in ("a1", "a2", "b1", "b2")]
PROT = {"a1": {"gender": "f"}, "a2": {"gender": "f"}, "b1": {"gender": "m"},
        "b2": {"gender": "m"}}


def test_half_versus_full_match_rate_is_flagged() -> None:
    rep = audit_fairness(_setup(["a1", "b1", "b2"]), ENR, PROT)
    g = rep.attributes["gender"]
    assert g.groups["f"].match_rate == 0.5 and g.groups["m"].match_rate == 1.0
    assert g.match_rate_ratio == 0.5 and g.match_rate_flag
    assert rep.to_dict()["attributes"]["gender"]["match_rate_flag"] is True


def test_equal_rates_not_flagged_and_tiny_groups_computed() -> None:
    prot = dict(PROT, a1={"gender": "f", "disability": "yes"})
    rep = audit_fairness(_setup(["a1", "a2", "b1", "b2"]), ENR, prot)
    assert not rep.attributes["gender"].match_rate_flag
    tiny = rep.attributes["disability"].groups["yes"]
    assert tiny.enrolled == 1 and tiny.match_rate == 1.0 and tiny.mean_score is not None


def test_top_mentor_share_flagged_when_uneven() -> None:
    matches = [Match("star", ("a1",), 0.9, ""), Match("star", ("a2",), 0.9, ""),
               Match("m2", ("b1",), 0.5, ""), Match("m2", ("b2",), 0.5, "")]
    popularity = {"star": 50.0, "m2": 1.0}
    rep = audit_fairness(matches, ENR, PROT, popularity)
    g = rep.attributes["gender"]
    assert rep.top_mentors == ("star",)
    assert g.groups["f"].top_mentor_share == 1.0 and g.groups["m"].top_mentor_share == 0.0
    assert g.top_mentor_flag


def test_groups_under_the_minimum_size_do_not_drive_flags() -> None:
    from core.matching import Enrollment, Match, audit_fairness

    enr = [Enrollment(f"a{i}", "mentee") for i in range(10)] + [Enrollment("b0", "mentee"),
                                                                Enrollment("b1", "mentee")]
    matches = [Match("m", (f"a{i}",), 0.8, "") for i in range(10)]
    protected = {f"a{i}": {"g": "a"} for i in range(10)} | {"b0": {"g": "b"}, "b1": {"g": "b"}}
    tiny_counted = audit_fairness(matches, enr, protected).attributes["g"]
    assert tiny_counted.match_rate_flag  # 0% vs 100%
    report = audit_fairness(matches, enr, protected, min_group_size=5).attributes["g"]
    assert not report.match_rate_flag and report.groups["b"].match_rate == 0.0
