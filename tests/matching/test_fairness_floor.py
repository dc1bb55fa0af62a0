"""The opt-in fairness floor: on, the lowest group's match rate reaches 4/5 of the best's
where the pool allows; off, protected attributes change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import app
from core.enrollment.bulk import import_enrollments
from core.match_runs.runs import proposed_matches, run_program, set_fairness_floor
from core.matching import audit_fairness, run_matching
from core.matching.fairness import floor_reselector
from core.models import AuditEntry, Person, Program, ProtectedAttribute, Workspace
from tests.cli_runner import runner
from tests.factories import seed
from tests.matching.helpers import make_input, mentee, mentor, person


def _pool() -> tuple:
    """10 one-on-one mentors who all offer SQL; 10 mentees of group a want SQL (a strong
    fit), 10 of group b want Go, which nobody offers (allowed, but a weaker fit). Without a
    floor every place goes to group a."""
    people = [person(f"m{i}", level=6, dept="X") for i in range(10)]
    people += [person(f"a{i}", level=3, dept="Y") for i in range(10)]
    people += [person(f"b{i}", level=3, dept="Y") for i in range(10)]
    enr = [mentor(f"m{i}", ("SQL",)) for i in range(10)]
    enr += [mentee(f"a{i}", ("SQL",)) for i in range(10)]
    enr += [mentee(f"b{i}", ("Go",)) for i in range(10)]
    protected = {f"a{i}": {"gender": "a"} for i in range(10)}
    protected |= {f"b{i}": {"gender": "b"} for i in range(10)}
    return make_input(people, enr), protected


def _ratio(result, inp, protected) -> float:  # type: ignore[no-untyped-def]
    audit = audit_fairness(result.matches, inp.enrollments, protected)
    return audit.attributes["gender"].match_rate_ratio


def test_floor_raises_the_lowest_group_to_four_fifths_without_losing_a_match() -> None:
    inp, protected = _pool()
    plain = run_matching(inp)
    assert _ratio(plain, inp, protected) < 0.8  # the problem the floor exists for
    floored = run_matching(inp, floor_reselector(protected, ["gender"]))
    assert _ratio(floored, inp, protected) >= 0.8
    assert floored.stats.matched_seekers == plain.stats.matched_seekers == 10
    # The price is visible: a lower mean score, and the mean without the floor is kept.
    assert floored.stats.mean_score < plain.stats.mean_score
    assert floored.stats.mean_score_without_floor == pytest.approx(plain.stats.mean_score)
    assert any("fairness floor (gender): met" in n for n in floored.stats.notes)


def test_floor_goes_as_far_as_the_pool_allows() -> None:
    """Every b mentee reports up through m1..m9, so only m0 may mentor them: the floor gets
    group b that one place, and drops nobody from group a to force the ratio."""
    inp, protected = _pool()
    chain = {f"m{i}": f"m{i + 1}" for i in range(1, 9)} | {
        f"b{i}": "m1" for i in range(10)}
    people = [person(p.id, level=p.level, dept=p.department, manager=chain.get(p.id))
              for p in inp.people]
    inp = make_input(people, list(inp.enrollments))
    floored = run_matching(inp, floor_reselector(protected, ["gender"]))
    matched_b = {x for m in floored.matches for x in m.mentee_ids if x.startswith("b")}
    assert len(matched_b) == 1
    assert floored.stats.matched_seekers == 10
    assert any("as close as the pool allows" in n for n in floored.stats.notes)


def _db_pool(sessions: sessionmaker[Session]) -> int:
    people = [(f"M{i}", f"UM{i}") for i in range(6)] + [(f"E{i}", f"UE{i}") for i in range(12)]
    ids = seed(sessions, people=people)
    rows = ["email,program,role,skills_offered,skills_wanted,goals,capacity,availability"]
    rows += [f"m{i}@acme.test,Leadership 1:1,mentor,Leadership,,,1," for i in range(6)]
    rows += [f"e{i}@acme.test,Leadership 1:1,mentee,,"
             f"{'Leadership' if i < 6 else 'Negotiation'},,," for i in range(12)]
    with sessions() as s, s.begin():
        ws = s.get(Workspace, ids["workspace_id"])
        assert ws is not None
        assert not import_enrollments(s, ws, "\n".join(rows) + "\n").errors
        for i in range(12):
            s.add(ProtectedAttribute(person_id=ids["people"][f"UE{i}"], attribute="gender",
                                     value="f" if i < 6 else "m"))
    return ids["programs"]["Leadership 1:1"]


def _pairs(sessions: sessionmaker[Session], program_id: int) -> set[tuple[str, str]]:
    with sessions() as s, s.begin():
        prog = s.get(Program, program_id)
        assert prog is not None
        run = run_program(s, prog)
        names = {p.id: p.name for p in s.scalars(select(Person))}
        return {(names[m.mentor_id], names[x.person_id]) for m in proposed_matches(s, run)
                for x in m.mentees}


def _permute(sessions: sessionmaker[Session]) -> None:
    """Give every mentee the next one's gender (the values rotate by one)."""
    with sessions() as s, s.begin():
        rows = s.scalars(select(ProtectedAttribute).order_by(ProtectedAttribute.id)).all()
        values = [r.value for r in rows]
        for r, v in zip(rows, values[1:] + values[:1], strict=True):
            r.value = v


def test_with_the_floor_off_permuting_protected_attributes_changes_nothing(
        db_url: str, sessions: sessionmaker[Session]) -> None:
    program_id = _db_pool(sessions)
    before = _pairs(sessions, program_id)
    _permute(sessions)
    assert _pairs(sessions, program_id) == before


def test_with_the_floor_on_the_attributes_do_matter_and_switching_is_audited(
        db_url: str, sessions: sessionmaker[Session]) -> None:
    """The counterpart of the test above, so that one can fail: on, permuting changes who
    is matched, and every switch lands in the audit log."""
    program_id = _db_pool(sessions)
    with sessions() as s, s.begin():
        prog = s.get(Program, program_id)
        assert prog is not None
        assert set_fairness_floor(s, prog, ["gender"])
        assert not set_fairness_floor(s, prog, ["gender"])  # no change, no entry
    before = _pairs(sessions, program_id)
    _permute(sessions)
    assert _pairs(sessions, program_id) != before
    with sessions() as s, s.begin():
        prog = s.get(Program, program_id)
        assert prog is not None
        set_fairness_floor(s, prog, [])
        log = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.detail["from"], e.detail["to"]) for e in log] == [
        ("fairness floor", [], ["gender"]), ("fairness floor", ["gender"], [])]


def test_cli_switches_the_floor_on_and_shows_its_cost(
        db_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        _db_pool(sessions)
        result = runner.invoke(app, ["match", "Leadership 1:1", "--fairness-floor", "gender"])
        assert result.exit_code == 0, result.output
        assert "Fairness floor on: gender" in result.output
        assert "The fairness floor lowers the mean score from" in result.output
    finally:
        get_settings.cache_clear()
