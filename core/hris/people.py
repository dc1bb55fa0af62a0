"""Create, update and deactivate people from HRIS records (CSV import and SCIM share this)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.admin.invitations import auto_invite
from core.hris.history import mark_left, mark_returned, record_level, redate_level
from core.hris.records import PersonRecord
from core.i18n import gettext as _
from core.identity_merge import merge_people
from core.language import writing_to
from core.models import (
    EndReason,
    Enrollment,
    EnrollmentStatus,
    Person,
    Program,
    Workspace,
)
from core.outbox import enqueue_dm
from core.relationships import lifecycle
from core.ui import Message, Section

Change = Literal["new", "changed", "unchanged", "deactivated"]
FIELDS = ("name", "email", "title", "department", "level", "location", "timezone", "hire_date")


def find(session: Session, workspace: Workspace, rec: PersonRecord) -> Person | None:
    """The person a record describes: by employee id, else by email."""
    person = session.scalar(select(Person).where(
        Person.workspace_id == workspace.id, Person.external_id == rec.external_id))
    if person is None and rec.email:
        person = session.scalar(select(Person).where(
            Person.workspace_id == workspace.id, func.lower(Person.email) == rec.email.lower()))
    return person


_UNSET = object()


def apply_record(session: Session, workspace: Workspace, rec: PersonRecord, *,
                 now: datetime, existing: Person | None | object = _UNSET,
                 flush: bool = True) -> tuple[Person, Change]:
    """Upsert one person; deactivate them when the record says they left.

    A bulk import passes ``existing`` (looked up in one query for the whole file) and
    ``flush=False`` so thousands of rows don't cost thousands of round trips.
    """
    person = find(session, workspace, rec) if existing is _UNSET else existing
    # A termination date that has passed means they left, whatever the status column says.
    active = rec.active and not (rec.left_on is not None and rec.left_on <= now.date())
    if person is None:
        person = Person(workspace_id=workspace.id, external_id=rec.external_id, active=True,
                        **{f: getattr(rec, f) for f in FIELDS})
        session.add(person)
        if flush or not active:
            session.flush()
        if not active:
            deactivate(session, person, now=now, on=rec.left_on)
        elif flush:  # a bulk import invites once, after its single flush
            auto_invite(session, person, now=now)
        return person, "new"
    assert isinstance(person, Person)
    if rec.email and (person.email or "").lower() != rec.email.lower():
        absorb_early_record(session, person, rec.email)
    changed = person.external_id != rec.external_id or any(
        getattr(person, f) != getattr(rec, f) for f in FIELDS)
    # Before the new level overwrites the old one: promotion reports need the step, dated
    # when it took effect if the file says so.
    if not record_level(session, person, rec.level, rec.level_since or now.date()) \
            and rec.level_since is not None:
        changed |= redate_level(session, person, rec.level, rec.level_since)
    person.external_id = rec.external_id
    for f in FIELDS:
        setattr(person, f, getattr(rec, f))
    if person.active and not active:
        deactivate(session, person, now=now, on=rec.left_on)
        return person, "deactivated"
    if not person.active and not active and rec.left_on is not None \
            and person.left_on != rec.left_on:
        # The HR system's own date replaces the day an earlier import first saw them gone.
        person.left_on, changed = rec.left_on, True
    if not person.active and active:
        person.active, changed = True, True
        mark_returned(person)
    if changed and flush:
        auto_invite(session, person, now=now)
    return person, "changed" if changed else "unchanged"


def absorb_early_record(session: Session, person: Person, email: str) -> None:
    """The HR record's email is now ``email``: a record made from chat with that email before
    the HR data knew it (no employee id) is the same person, and is merged into the HR
    record. Raises ``MergeRefused`` when that would break a rule."""
    other = session.scalar(select(Person).where(
        Person.workspace_id == person.workspace_id, func.lower(Person.email) == email.lower(),
        Person.id != person.id))
    if other is None or other.external_id is not None:
        return
    merge_people(session, keep=person, absorb=other,
                 actor_note=f"the HR system gives {email} to employee {person.external_id}")


def link_managers(session: Session, workspace: Workspace,
                  wanted: dict[int, str | None]) -> list[str]:
    """Point each person at their manager by employee id; report unknown ids and cycles."""
    by_external = dict(session.execute(select(Person.external_id, Person.id).where(
        Person.workspace_id == workspace.id, Person.external_id.is_not(None))).all())
    problems = []
    manager_of: dict[int, int | None] = {}
    for person_id, manager_ext in wanted.items():
        manager_id = by_external.get(manager_ext) if manager_ext else None
        if manager_ext and manager_id is None:
            problems.append(f"manager “{manager_ext}” of person {person_id} is not in the data")
        manager_of[person_id] = manager_id
    people = {p.id: p for p in session.scalars(select(Person).where(
        Person.id.in_(list(manager_of))))}
    for person_id, manager_id in manager_of.items():
        if person_id in people and people[person_id].manager_id != manager_id:
            people[person_id].manager_id = manager_id
    session.flush()
    problems += cycles(session, workspace)
    return problems


def cycles(session: Session, workspace: Workspace) -> list[str]:
    """Every loop in the reporting tree, once each, without following it forever."""
    manager = dict(session.execute(select(Person.id, Person.manager_id).where(
        Person.workspace_id == workspace.id)).all())
    names = dict(session.execute(select(Person.id, Person.name).where(
        Person.workspace_id == workspace.id)).all())
    seen: set[int] = set()
    found = []
    for start in manager:
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = start
        while node is not None and node not in seen:
            if node in on_path:
                loop = path[path.index(node):]
                found.append("reporting loop: " + " → ".join(names[i] for i in loop + [node]))
                break
            on_path.add(node)
            path.append(node)
            node = manager.get(node)
        seen.update(path)
    return found


def deactivate(session: Session, person: Person, *, now: datetime,
               on: date | None = None) -> int:
    """Someone left (on ``on``, else today): out of every pool, live matches end with reason
    "left", partners are told kindly and offered a rematch. History stays for reports.
    Returns matches ended."""
    person.active = False
    mark_left(person, on or now.date())
    for enrollment in session.scalars(select(Enrollment).where(
            Enrollment.person_id == person.id, Enrollment.status == EnrollmentStatus.ACTIVE)):
        enrollment.status = EnrollmentStatus.WITHDRAWN
    ended = 0
    for match in lifecycle.live_matches_for(session, person):
        program = session.get(Program, match.program_id)
        lifecycle.end(session, match, EndReason.LEFT, now=now)
        ended += 1
        for other_id in lifecycle.members(match):
            other = session.get(Person, other_id)
            if other is None or other.id == person.id or not other.active:
                continue
            with writing_to(other):  # the DM is in the reader's language
                text = _("{name} has left the company, so your mentoring in *{program}* has "
                         "ended. Thank you for the time you gave each other. You stay in the "
                         "program: `/mentor suggest` or the next matching run finds you a new "
                         "match.").format(name=person.name,
                                          program=program.name if program else _("your program"))
            enqueue_dm(session, other, Message(text, [Section(text)]),
                       f"left:{match.id}:{other.id}", kind="left", match_id=match.id, now=now)
    session.flush()
    return ended
