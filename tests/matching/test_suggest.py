"""Self-select suggestions: best allowed mentors for one mentee, with the engine's reasons."""

from __future__ import annotations

import dataclasses
from datetime import date

from core.matching import Adjustments, PastMatch, run_matching, suggest_mentors
from core.matching.synthetic import synthetic_org
from core.matching.types import MatchingInput, ProgramRules
from tests.matching.helpers import SKILLS_ONLY, make_input, mentee, mentor, person

PEOPLE = [
    person("bea", 3, "Eng", manager="boss", name="Bea"),
    person("boss", 6, "Sales", name="Boss"),
    person("ann", 6, "Sales", name="Ann"),
    person("cal", 6, "Sales", name="Cal"),
    person("dee", 6, "Sales", name="Dee"),
    person("eve", 6, "Sales", name="Eve"),
]
MENTORS = [
    mentor("boss", ("sql", "python", "negotiation")),
    mentor("ann", ("sql", "python")),
    mentor("cal", ("sql",)),
    mentor("dee", ("negotiation", "python", "sql")),
    mentor("eve", ()),
]


def _inp(**kw: object) -> MatchingInput:
    return make_input(PEOPLE, [mentee("bea", ("sql", "python")), *MENTORS], **kw)  # type: ignore[arg-type]


def test_best_first_scores_descending_and_k() -> None:
    out = suggest_mentors(_inp(), "bea", k=3)
    assert len(out) == 3
    assert out[0].mentor_id in {"ann", "dee"}  # both offer everything Bea wants
    assert [m.score for m in out] == sorted((m.score for m in out), reverse=True)
    assert all(m.mentee_ids == ("bea",) and 0.0 <= m.score <= 1.0 for m in out)
    assert [m.mentor_id for m in out][2] == "cal"
    assert len(suggest_mentors(_inp(), "bea", k=1)) == 1
    assert len(suggest_mentors(_inp(), "bea", k=10)) == 4  # all but her own manager
    assert suggest_mentors(_inp(), "bea", k=0) == ()


def test_own_manager_never_suggested_even_as_best_fit() -> None:
    ids = {m.mentor_id for m in suggest_mentors(_inp(weights=SKILLS_ONLY), "bea", k=10)}
    assert "boss" not in ids and ids == {"ann", "cal", "dee", "eve"}


def test_manager_mentee_direction_also_blocked() -> None:
    people = [person("lead", 6, "Eng", name="Lead"), person("rep", 3, "Ops", "lead", name="Rep")]
    inp = make_input(people, [mentor("rep", ("sql",)), mentee("lead", ("sql",))],
                     kind="reverse")
    assert suggest_mentors(inp, "lead") == ()


def test_do_not_match_excluded_adjustment_and_past_pair_never_suggested() -> None:
    past = (PastMatch("ann", "bea", "other", date(2025, 3, 1)),)  # inside the cooldown
    inp = _inp(history=past, dnm=(("bea", "dee"),),
               adjustments=Adjustments(excluded=(("cal", "bea"),)))
    assert [m.mentor_id for m in suggest_mentors(inp, "bea", k=10)] == ["eve"]


def test_excluded_ids_skipped() -> None:
    out = suggest_mentors(_inp(), "bea", k=10, exclude={"ann", "dee"})
    assert [m.mentor_id for m in out] == ["cal", "eve"]


def test_capacity_department_and_overlap_rules_obeyed() -> None:
    people = [person("m1", 3, "Eng"), person("m2", 3, "Ops"), person("m3", 3, "Ops"),
              person("m4", 3, "Ops", offset=12.0), person("x", 6, "Eng")]
    enr = [mentor("m1", ("sql",), capacity=2), mentor("m2", ("sql",), capacity=0),
           mentor("m3", ("sql",), capacity=1), mentor("m4", ("sql",)), mentee("x", ("sql",))]
    ids = {m.mentor_id for m in suggest_mentors(make_input(people, enr, kind="reverse"), "x", 9)}
    assert ids == {"m1", "m3", "m4"}  # m2 has no room
    inp = make_input(people, enr, kind="reverse", require_different_department=True,
                     min_overlap_hours=4)
    assert [m.mentor_id for m in suggest_mentors(inp, "x", k=10)] == ["m3"]


def test_one_on_one_mentor_already_matched_not_suggested() -> None:
    taken = dataclasses.replace(MENTORS[1], assigned=1)  # Ann already has a mentee
    inp = make_input(PEOPLE, [mentee("bea", ("sql", "python")), taken, *MENTORS[2:]])
    assert "ann" not in {m.mentor_id for m in suggest_mentors(inp, "bea", k=10)}


def test_explanation_names_shared_skill_like_the_engine() -> None:
    out = suggest_mentors(_inp(), "bea", k=10, exclude={"ann", "dee"})
    assert "Cal offers sql, which Bea wants to learn" in out[0].explanation
    assert out[0].explanation.endswith(".")


def test_top_suggestion_agrees_with_the_engine() -> None:
    inp = _inp(weights=SKILLS_ONLY, dnm=(("bea", "dee"),))  # leaves Ann the unique best
    got = suggest_mentors(inp, "bea", k=1)[0]
    engine = run_matching(inp).matches[0]
    assert (got.mentor_id, got.mentee_ids, got.explanation) == (
        engine.mentor_id, engine.mentee_ids, engine.explanation)
    assert abs(got.score - engine.score) < 1e-6


def test_unknown_mentee_or_nobody_allowed() -> None:
    assert suggest_mentors(_inp(), "nobody") == ()
    assert suggest_mentors(_inp(), "ann") == ()  # a mentor, not a mentee
    everyone = {"boss", "ann", "cal", "dee", "eve"}
    assert suggest_mentors(_inp(), "bea", exclude=everyone) == ()


def test_one_mentee_against_many_mentors_is_feasible() -> None:
    org = synthetic_org(12_000, seed=3)
    inp = MatchingInput(org.people, org.enrollments, ProgramRules("p"), org.today, org.history,
                        org.do_not_match)
    seeker = next(e.person_id for e in org.enrollments if e.role == "mentee")
    out = suggest_mentors(inp, seeker, k=5)
    assert len(out) == 5
    assert [m.score for m in out] == sorted((m.score for m in out), reverse=True)
