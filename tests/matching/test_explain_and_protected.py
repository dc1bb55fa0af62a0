"""Explanations name the reasons; protected attributes cannot change any match."""

from __future__ import annotations

import dataclasses
import random

from core.matching import run_matching
from core.matching.scoring import PersonFeatures
from core.matching.synthetic import synthetic_org
from core.matching.types import Person, ProgramRules, Weights
from tests.matching.helpers import make_input, mentee, mentor, person


def test_explanation_names_skill_and_levels() -> None:
    people = [person("ana", 6, "Sales", name="Ana"), person("ben", 4, "Eng", name="Ben")]
    res = run_matching(make_input(people, [mentor("ana", ("negotiation",)),
                                           mentee("ben", ("negotiation",))]))
    text = res.matches[0].explanation
    assert "Ana offers negotiation, which Ben wants to learn" in text
    assert "Ana is 2 levels above Ben" in text
    assert "different departments" in text


def test_explanation_names_the_goal_words_both_mention() -> None:
    """Only words in both goals, alphabetical, at most three; stop words and case aside."""
    people = [person(p, level, name=p.title()) for p, level in
              (("ana", 6), ("ben", 4), ("cy", 5), ("dee", 3))]
    goals_weighted = Weights(skills=0.0, seniority=0.0, goals=1.0, department=0.0,
                             timezone=0.0)
    res = run_matching(make_input(people, [
        mentor("ana", goals="Grow Leadership and coaching; public speaking for executives"),
        mentee("ben", goals="I want better public speaking, coaching and leadership skills"),
        mentor("cy", goals="Budgeting"),
        mentee("dee", goals="budgeting with the finance team"),
    ], weights=goals_weighted))
    text = {m.mentor_id: m.explanation for m in res.matches}
    assert "both mention coaching, leadership and public in their goals" in text["ana"].lower()
    assert "both mention budgeting in their goals" in text["cy"].lower()


def test_unmatched_reason_mentions_skill_nobody_offers() -> None:
    people = [person("m", 6), person("a", 3), person("b", 3)]
    enr = [mentor("m", ("sql",)), mentee("a", ("sql",)), mentee("b", ("public speaking",))]
    res = run_matching(make_input(people, enr))
    u = {x.person_id: x for x in res.unmatched}["b"]
    assert u.code == "skill_not_offered"
    assert "public speaking" in u.reason and "next round" in u.reason


def test_scorer_types_carry_no_protected_attributes() -> None:
    banned = {"gender", "ethnicity", "age", "disability", "religion", "race"}
    for cls in (Person, PersonFeatures):
        names = {f.name for f in dataclasses.fields(cls)}
        assert not names & banned


def test_permuting_protected_attributes_changes_no_match() -> None:
    org = synthetic_org(300, seed=3)
    inp = org.to_input(ProgramRules("prog-1", kind="group", group_size=2))
    before = run_matching(inp).matches
    ids = list(org.protected)
    values = list(org.protected.values())
    random.Random(1).shuffle(values)
    shuffled = dataclasses.replace(org, protected=dict(zip(ids, values, strict=True)))
    after = run_matching(shuffled.to_input(inp.rules)).matches
    assert [(m.mentor_id, m.mentee_ids) for m in before] == \
        [(m.mentor_id, m.mentee_ids) for m in after]
