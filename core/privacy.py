"""Data rights: a person's export of everything stored about them, and erasure on request."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, String, or_, select
from sqlalchemy.orm import Session

from core.db import Base
from core.models import (
    AuditEntry,
    Checkin,
    DoNotMatch,
    Enrollment,
    Goal,
    Invitation,
    Match,
    MatchMentee,
    Meeting,
    MentorRequest,
    Nomination,
    OutboxMessage,
    Person,
    PlatformIdentity,
    ProtectedAttribute,
    SurveyResponse,
)

REDACTED = "[removed at the person's request]"


def _row(obj: Any, *skip: str) -> dict[str, Any]:
    out = {}
    for column in obj.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() if hasattr(value, "isoformat") else (
            value.value if hasattr(value, "value") else value)
    return out


def export(session: Session, person: Person) -> dict[str, Any]:
    """Everything stored about ``person``, as JSON-ready data (their `/mentor my-data`)."""
    pid = person.id
    mine = select(MatchMentee.match_id).where(MatchMentee.person_id == pid)
    matches = session.scalars(select(Match).where(or_(Match.mentor_id == pid,
                                                      Match.id.in_(mine)))).all()

    def rows(model: Any, *where: Any) -> list[dict[str, Any]]:
        return [_row(r) for r in session.scalars(select(model).where(*where))]

    return {
        "person": _row(person),
        "accounts": [_row(i, "conversation_ref") for i in session.scalars(
            select(PlatformIdentity).where(PlatformIdentity.person_id == pid))],
        "protected_attributes": rows(ProtectedAttribute, ProtectedAttribute.person_id == pid),
        "enrollments": rows(Enrollment, Enrollment.person_id == pid),
        "matches": [_row(m) | {"mentees": [x.person_id for x in m.mentees]} for m in matches],
        "sessions_logged": rows(Meeting, Meeting.logged_by_id == pid),
        "check_ins": rows(Checkin, Checkin.person_id == pid),
        "goals": rows(Goal, Goal.owner_id == pid),
        "surveys": rows(SurveyResponse, SurveyResponse.person_id == pid),
        "mentor_requests": rows(MentorRequest, or_(MentorRequest.mentee_id == pid,
                                                   MentorRequest.mentor_id == pid)),
        "invitations": rows(Invitation, Invitation.person_id == pid),
        "nominations": rows(Nomination, Nomination.nominee_id == pid),
        "do_not_match": rows(DoNotMatch, DoNotMatch.person_id == pid),
        "messages_sent_to_you": [o.payload.get("text", "") for o in session.scalars(
            select(OutboxMessage).where(OutboxMessage.person_id == pid))],
    }


def export_json(session: Session, person: Person) -> str:
    return json.dumps(export(session, person), indent=2, ensure_ascii=False, default=str)


def _scrub(value: Any, needles: list[str]) -> tuple[Any, bool]:
    """Replace any string mentioning the person; reports whether anything changed."""
    if isinstance(value, str):
        hit = any(n and n.lower() in value.lower() for n in needles)
        return (REDACTED, True) if hit else (value, False)
    if isinstance(value, list):
        out, changed = [], False
        for item in value:
            new, hit = _scrub(item, needles)
            out.append(new)
            changed |= hit
        return out, changed
    if isinstance(value, dict):
        result, changed = {}, False
        for k, item in value.items():
            new, hit = _scrub(item, needles)
            result[k] = new
            changed |= hit
        return result, changed
    return value, False


def forget(session: Session, person: Person, *, now: datetime) -> int:
    """Erase or anonymise the person across every table; keep counts for aggregate reports.

    Their own rows that only matter as counts stay, stripped of words; every text or JSON
    value anywhere that mentions their name, email or a platform id is redacted.
    """
    pid = person.id
    needles = [person.name, person.email or "", person.external_id or ""]
    needles += [i.user_id for i in session.scalars(
        select(PlatformIdentity).where(PlatformIdentity.person_id == pid))]
    needles = [n for n in needles if n and len(n) >= 3]
    for model, column in ((PlatformIdentity, PlatformIdentity.person_id),
                          (ProtectedAttribute, ProtectedAttribute.person_id),
                          (DoNotMatch, DoNotMatch.person_id), (DoNotMatch, DoNotMatch.other_id),
                          (OutboxMessage, OutboxMessage.person_id)):
        for row in session.scalars(select(model).where(column == pid)):
            session.delete(row)
    for meeting in session.scalars(select(Meeting).where(Meeting.logged_by_id == pid)):
        meeting.topics, meeting.private_notes = "", ""
    for goal in session.scalars(select(Goal).where(Goal.owner_id == pid)):
        goal.text = REDACTED
    for survey in session.scalars(select(SurveyResponse).where(SurveyResponse.person_id == pid)):
        survey.comment, survey.consent_to_quote = "", False
    for enrollment in session.scalars(select(Enrollment).where(Enrollment.person_id == pid)):
        enrollment.goals, enrollment.availability = "", ""
    person.name = f"Former participant #{pid}"
    person.email = person.external_id = None
    person.title = person.location = ""
    session.flush()
    redacted = _redact_everywhere(session, needles)
    session.add(AuditEntry(workspace_id=person.workspace_id, actor_id=None, action="forget",
                           detail={"person_id": pid, "values_redacted": redacted}, at=now))
    session.flush()
    return redacted


def _redact_everywhere(session: Session, needles: list[str]) -> int:
    """Walk every mapped table's text and JSON columns; redact what mentions the person."""
    count = 0
    for mapper in Base.registry.mappers:
        model = mapper.class_
        columns = [c.key for c in model.__table__.columns if _safe_python_type(c)]
        if not columns:
            continue
        for obj in session.scalars(select(model)):
            for key in columns:
                new, hit = _scrub(getattr(obj, key), needles)
                if hit:
                    setattr(obj, key, new)
                    count += 1
    return count


def _safe_python_type(column: Any) -> bool:
    """Text and JSON columns: where a name can hide. Enums are strings too, but never names."""
    kind = column.type
    return isinstance(kind, JSON) or (isinstance(kind, String) and not isinstance(kind, Enum))
