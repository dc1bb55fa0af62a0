"""Turn a program's rows into the matching engine's plain input (and protected data apart)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from core.matching import types as m
from core.matching.engine import mentor_capacity
from core.models import (
    AdjustmentKind,
    DoNotMatch,
    Enrollment,
    EnrollmentStatus,
    Match,
    MatchAdjustment,
    MatchMentee,
    MatchStatus,
    Person,
    Program,
    ProgramKind,
    ProtectedAttribute,
    Role,
)
from core.relationships.lifecycle import LIVE
from core.sql_lists import among
from core.training import texts as training_texts
from core.training import training_gaps

# Availability from the enrollment form, as local working hours the engine can overlap.
HOURS = {"mornings": (8.0, 13.0), "afternoons": (13.0, 18.0), "flexible": (9.0, 17.0)}


@dataclass(frozen=True)
class PoolPerson:
    """What callers of a loaded pool read about a person: plain values, not an ORM object
    per row (building 5,000 of those was most of the load)."""

    id: int
    name: str
    title: str
    department: str


@dataclass(frozen=True)
class LoadedProgram:
    """The engine input plus what only the audit and the messages may see."""

    input: m.MatchingInput
    people: dict[str, PoolPerson]
    protected: dict[str, dict[str, str]]
    # Mentors left out until they finish the program's training, with the reason they're told.
    held_back: tuple[m.Unmatched, ...] = ()


def utc_offset(tz: str, on: date) -> float:
    """Hours from UTC of an IANA zone on a date (UTC when the name is unknown)."""
    try:
        offset = datetime.combine(on, time(12), ZoneInfo(tz or "UTC")).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0.0
    return offset.total_seconds() / 3600 if offset else 0.0


def program_rules(program: Program) -> m.ProgramRules:
    """The engine's view of a program's matching rules."""
    defaults = m.Weights()
    weights = m.Weights(**{k: float(program.weights.get(k, getattr(defaults, k)))
                           for k in m.COMPONENTS}) if program.weights else defaults
    group = program.kind is ProgramKind.GROUP
    return m.ProgramRules(
        program_id=str(program.id), kind=program.kind.value, purpose=program.purpose.value,
        group_size=max(program.group_size, 1) if group else 1, weights=weights,
        require_different_department=program.require_different_department,
        min_overlap_hours=program.min_overlap_hours, cooldown_days=program.cooldown_days,
    )


def _live_load(session: Session, program: Program) -> tuple[set[int], dict[int, int]]:
    """Mentees already in a live match, and how many live mentees each mentor has."""
    rows = session.execute(
        select(Match.mentor_id, MatchMentee.person_id)
        .join(MatchMentee, MatchMentee.match_id == Match.id)
        .where(Match.program_id == program.id, Match.status.in_(LIVE))
    ).all()
    load: dict[int, int] = {}
    for mentor_id, _ in rows:
        load[mentor_id] = load.get(mentor_id, 0) + 1
    return {mentee for _, mentee in rows}, load


def load_program(session: Session, program: Program, today: date) -> LoadedProgram:
    """Everything one run needs: the pool, history, do-not-match lists and admin adjustments."""
    # One query for the pool and its people, as plain rows: no lazy load per enrollment and
    # no ORM object per row.
    pool_rows = session.execute(
        select(Enrollment.person_id, Enrollment.role, Enrollment.capacity,
               Enrollment.skills_offered, Enrollment.skills_wanted, Enrollment.goals,
               Enrollment.availability, Person.name, Person.title, Person.department,
               Person.level, Person.manager_id, Person.timezone)
        .join(Person, Person.id == Enrollment.person_id).where(
            Enrollment.program_id == program.id, Enrollment.status == EnrollmentStatus.ACTIVE,
            Person.active.is_(True))
    ).all()
    matched, load = _live_load(session, program)
    peer = program.kind is ProgramKind.PEER
    in_training, course_size = training_gaps(session, program)
    held_back: list[m.Unmatched] = []
    people: dict[str, PoolPerson] = {}
    engine_enrollments = []
    engine_people: list[m.Person] = []
    managers: set[int] = set()
    rules = program_rules(program)
    offsets: dict[str, float] = {}  # a few zones for thousands of people
    for e in pool_rows:
        if e.person_id in matched and (peer or e.role is Role.MENTEE):
            continue
        role: m.Role = "peer" if peer else e.role.value  # type: ignore[assignment]
        entry = m.Enrollment(
            person_id=str(e.person_id), role=role, capacity=e.capacity,
            skills_offered=tuple(e.skills_offered), skills_wanted=tuple(e.skills_wanted),
            goals=e.goals, assigned=load.get(e.person_id, 0) if role == "mentor" else 0)
        if role == "mentor" and mentor_capacity(rules, entry) == 0:
            continue  # full: leaving them out keeps the candidate graph small
        if role == "mentor" and e.person_id in in_training:
            held_back.append(m.Unmatched(str(e.person_id), "mentor", "training",
                                         training_texts.held_back_reason(
                                             in_training[e.person_id], course_size)))
            continue
        people[str(e.person_id)] = PoolPerson(e.person_id, e.name, e.title, e.department)
        engine_enrollments.append(entry)
        if e.timezone not in offsets:
            offsets[e.timezone] = utc_offset(e.timezone, today)
        start, end = HOURS.get(e.availability, HOURS["flexible"])
        engine_people.append(m.Person(
            id=str(e.person_id), name=e.name, department=e.department, level=e.level or 0,
            manager_id=str(e.manager_id) if e.manager_id else None,
            utc_offset=offsets[e.timezone], work_start=start, work_end=end))
        if e.manager_id:
            managers.add(e.manager_id)
    # The pool as a subquery rather than thousands of bound ids: the history, block and
    # protected-attribute queries stay one statement each however large the pool.
    pool = select(Enrollment.person_id).where(
        Enrollment.program_id == program.id, Enrollment.status == EnrollmentStatus.ACTIVE)
    # The reporting chain may run through people outside the pool: include every manager.
    engine_people += _managers_outside(session, set(people), managers)
    return LoadedProgram(
        input=m.MatchingInput(
            people=tuple(engine_people), enrollments=tuple(engine_enrollments), rules=rules,
            today=today, history=_history(session, pool), do_not_match=_blocked(session, pool),
            adjustments=_adjustments(session, program)),
        people=people, protected=_protected(session, pool), held_back=tuple(held_back))


def _managers_outside(session: Session, pool: set[str], managers: set[int]
                      ) -> list[m.Person]:
    """Managers above the pool who are not in it: one query per level of the hierarchy."""
    seen = set(pool)
    todo = managers
    extra: list[m.Person] = []
    while todo:
        batch = [i for i in todo if str(i) not in seen]
        todo = set()
        if not batch:
            break
        for p in session.execute(select(Person.id, Person.name, Person.department,
                                        Person.level, Person.manager_id)
                                 .where(among(session, Person.id, batch))).all():
            seen.add(str(p.id))
            extra.append(m.Person(id=str(p.id), name=p.name, department=p.department,
                                  level=p.level or 0,
                                  manager_id=str(p.manager_id) if p.manager_id else None))
            if p.manager_id and str(p.manager_id) not in seen:
                todo.add(p.manager_id)
    return extra


def _history(session: Session, ids: Select[tuple[int]]) -> tuple[m.PastMatch, ...]:
    rows = session.execute(
        select(Match.mentor_id, MatchMentee.person_id, Match.program_id, Match.created_at)
        .join(MatchMentee, MatchMentee.match_id == Match.id)
        .where(Match.status.not_in((MatchStatus.PROPOSED, MatchStatus.DISCARDED)),
               or_(Match.mentor_id.in_(ids), MatchMentee.person_id.in_(ids)))
    ).all()
    return tuple(m.PastMatch(str(a), str(b), str(prog), created.date())
                 for a, b, prog, created in rows)


def _blocked(session: Session, ids: Select[tuple[int]]) -> tuple[tuple[str, str], ...]:
    rows = session.execute(select(DoNotMatch.person_id, DoNotMatch.other_id).where(
        or_(DoNotMatch.person_id.in_(ids), DoNotMatch.other_id.in_(ids)))).all()
    return tuple((str(a), str(b)) for a, b in rows)


def _adjustments(session: Session, program: Program) -> m.Adjustments:
    rows = session.scalars(select(MatchAdjustment).where(
        MatchAdjustment.program_id == program.id)).all()
    pick = lambda kind: tuple((str(r.mentor_id), str(r.mentee_id))  # noqa: E731
                              for r in rows if r.kind is kind)
    return m.Adjustments(locked=pick(AdjustmentKind.LOCK), excluded=pick(AdjustmentKind.EXCLUDE))


def _protected(session: Session, ids: Select[tuple[int]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for row in session.scalars(select(ProtectedAttribute).where(
            ProtectedAttribute.person_id.in_(ids))).all():
        out.setdefault(str(row.person_id), {})[row.attribute] = row.value
    return out
