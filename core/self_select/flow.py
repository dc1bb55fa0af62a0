"""Suggest mentors, ask one, and carry the mentor's answer (or silence) back to the mentee."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_clock, today_of
from core.enrollment.programs import find_program
from core.events import Actor, DirectMessage, Intent, Reply, UpdateMessage
from core.ids import get_by_id
from core.language import writing_to
from core.match_runs.inputs import load_program, program_rules
from core.matching import suggest_mentors
from core.matching import types as m
from core.matching.engine import mentor_capacity
from core.models import (
    Enrollment,
    EnrollmentStatus,
    Match,
    MatchMentee,
    MatchStatus,
    MentorRequest,
    Person,
    Program,
    ProgramKind,
    ProgramStatus,
    RequestStatus,
    Role,
)
from core.relationships.lifecycle import LIVE, activate, live_match_of
from core.self_select import texts
from core.self_select.texts import REQUEST_DAYS


def _open_mentee_enrollment(session: Session, person: Person, name: str) -> Enrollment | None:
    """The person's active mentee enrollment, in the named program or the only one there is."""
    rows = session.scalars(
        select(Enrollment).join(Program, Program.id == Enrollment.program_id).where(
            Enrollment.person_id == person.id, Enrollment.role == Role.MENTEE,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Program.kind != ProgramKind.PEER,
            Program.status.in_((ProgramStatus.OPEN, ProgramStatus.RUNNING)))).all()
    if name:
        program = find_program(session, person, name)
        rows = [e for e in rows if program is not None and e.program_id == program.id]
    rows = [e for e in rows if live_match_of(session, e.program_id, person.id) is None]
    return rows[0] if rows else None


def _pending(session: Session, program_id: int, mentee_id: int) -> MentorRequest | None:
    return session.scalar(select(MentorRequest).where(
        MentorRequest.program_id == program_id, MentorRequest.mentee_id == mentee_id,
        MentorRequest.status == RequestStatus.PENDING))


def _suggest(session: Session, program: Program, mentee: Person, k: int,  # type: ignore[no-untyped-def]
             reader: str | None = None):
    """The mentee's k best mentors, explained for ``reader``; with the people and the loaded
    input, for explaining one of them to someone else."""
    answered = session.scalars(select(MentorRequest.mentor_id).where(
        MentorRequest.program_id == program.id, MentorRequest.mentee_id == mentee.id,
        MentorRequest.status != RequestStatus.PENDING)).all()
    loaded = load_program(session, program, today_of(session))
    return suggest_mentors(loaded.input, str(mentee.id), k=k, reader=reader,
                           exclude={str(i) for i in answered}), loaded.people, loaded.input


def suggest(session: Session, person: Person, actor: Actor, arg: str) -> list[Intent]:
    """``suggest [program]``: the top three mentors with reasons and an Ask button each."""
    enrollment = _open_mentee_enrollment(session, person, arg)
    if enrollment is None:
        return [Reply(texts.not_a_mentee(actor.platform))]
    program = enrollment.program
    waiting = _pending(session, program.id, person.id)
    if waiting is not None:
        mentor = session.get(Person, waiting.mentor_id)
        return [Reply(texts.already_waiting(mentor.name if mentor else texts.your_mentor()))]
    # The mentee reads these: "Luca is 3 levels above you".
    found, people, _ = _suggest(session, program, person, 3, reader="mentee")
    if not found:
        return [Reply(texts.no_suggestions(program.name))]
    rows = []
    for match in found:
        mentor = people[match.mentor_id]
        rows.append((mentor.id, mentor.name, f"{mentor.title}, {mentor.department}".strip(", "),
                     match.explanation))
    return [Reply(texts.suggestions(program.name, rows, actor.platform))]


def ask(session: Session, person: Person, actor: Actor, value: str) -> list[Intent]:
    """The mentee's Ask button: one pending request at a time, re-checked against the rules."""
    enrollment = _open_mentee_enrollment(session, person, "")
    mentor = get_by_id(session, Person, value)
    if enrollment is None or mentor is None or mentor.workspace_id != person.workspace_id:
        return [Reply(texts.no_longer_possible())]
    program = enrollment.program
    waiting = _pending(session, program.id, person.id)
    if waiting is not None:
        other = session.get(Person, waiting.mentor_id)
        return [Reply(texts.already_waiting(other.name if other else texts.your_mentor()))]
    found, _, loaded = _suggest(session, program, person, 50)
    allowed = {m.mentor_id: m for m in found}
    if str(mentor.id) not in allowed:
        return [Reply(texts.no_longer_possible())]
    # Stored by name (the match keeps them for admins); the mentor reads "you offer ...".
    reasons = allowed[str(mentor.id)].explanation
    why_you = next((m.explanation for m in suggest_mentors(
        loaded, str(person.id), k=len(loaded.enrollments), reader="mentor")
        if m.mentor_id == str(mentor.id)), reasons)
    request = MentorRequest(program_id=program.id, mentee_id=person.id, mentor_id=mentor.id,
                            reasons=[reasons])
    session.add(request)
    session.flush()
    details = ", ".join(x for x in (person.title, person.department) if x)
    with writing_to(mentor):
        for_mentor = texts.request_for_mentor(person.name, details, enrollment.goals, why_you,
                                              request.id)
    return [Reply(texts.asked(mentor.name)),
            DirectMessage(mentor.id, for_mentor, f"request:{request.id}")]


def _room(session: Session, program: Program, mentor_id: int) -> int:
    enrolled = session.scalar(select(Enrollment).where(
        Enrollment.program_id == program.id, Enrollment.person_id == mentor_id,
        Enrollment.role == Role.MENTOR, Enrollment.status == EnrollmentStatus.ACTIVE))
    if enrolled is None:
        return 0
    assigned = len(session.scalars(
        select(MatchMentee.id).join(Match, Match.id == MatchMentee.match_id).where(
            Match.program_id == program.id, Match.mentor_id == mentor_id,
            Match.status.in_(LIVE))).all())
    return mentor_capacity(program_rules(program), m.Enrollment(
        str(mentor_id), "mentor", enrolled.capacity, assigned=assigned))


def answer(session: Session, person: Person, actor: Actor, action: str,
           value: str, now: datetime) -> list[Intent]:
    """The mentor's Accept or Decline."""
    request = get_by_id(session, MentorRequest, value)
    if request is None or request.mentor_id != person.id:
        return [Reply(texts.no_longer_possible())]
    if request.status is not RequestStatus.PENDING:
        return [UpdateMessage(texts.answered_already())]
    mentee = session.get(Person, request.mentee_id)
    program = session.get(Program, request.program_id)
    assert mentee is not None and program is not None
    request.answered_at = now
    if action == "request.decline":
        request.status = RequestStatus.DECLINED
        with writing_to(mentee):
            told = texts.declined_for_mentee(person.name, actor.platform)
        return [UpdateMessage(texts.declined_for_mentor(mentee.name)),
                DirectMessage(mentee.id, told, f"request-answer:{request.id}")]
    taken = live_match_of(session, program.id, mentee.id) is not None
    if taken or _room(session, program, person.id) < 1:
        request.status = RequestStatus.EXPIRED
        with writing_to(mentee):
            told = texts.expired_for_mentee(person.name)
        return [UpdateMessage(texts.no_longer_possible()),
                DirectMessage(mentee.id, told, f"request-answer:{request.id}")]
    request.status = RequestStatus.ACCEPTED
    match = Match(program_id=program.id, mentor_id=person.id, status=MatchStatus.PROPOSED,
                  reasons=[r.strip() for text in request.reasons for r in text.split(";")
                           if r.strip()])
    match.mentees = [MatchMentee(person_id=mentee.id)]
    session.add(match)
    session.flush()
    activate(session, match, now=now, reason="accepted a mentee's request", actor=person)
    with writing_to(mentee):
        told = texts.accepted_for_mentee(person.name)
    return [UpdateMessage(texts.accepted_for_mentor(mentee.name)),
            DirectMessage(mentee.id, told, f"request-answer:{request.id}")]


def expire_requests(session: Session, now: datetime | None = None) -> list[DirectMessage]:
    """Requests unanswered for REQUEST_DAYS lapse; the mentee falls back to the admin run."""
    cutoff = (now or session_clock(session).now()) - timedelta(days=REQUEST_DAYS)
    stale = session.scalars(select(MentorRequest).where(
        MentorRequest.status == RequestStatus.PENDING,
        MentorRequest.created_at <= cutoff)).all()
    out = []
    for request in stale:
        request.status = RequestStatus.EXPIRED
        mentor = session.get(Person, request.mentor_id)
        with writing_to(session.get(Person, request.mentee_id)):
            told = texts.expired_for_mentee(mentor.name if mentor else texts.your_mentor())
        out.append(DirectMessage(request.mentee_id, told, f"request-answer:{request.id}"))
    return out
