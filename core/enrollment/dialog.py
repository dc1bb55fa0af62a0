"""The enrollment conversation: join, status, leave, and the form's submission."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import today_of
from core.enrollment import texts
from core.enrollment.form import enrollment_form, role_errors
from core.enrollment.programs import (
    can_see,
    find_program,
    is_enrollable,
    open_programs_for,
)
from core.events import CloseForm, DirectMessage, FormErrors, Intent, OpenForm, Reply, UpdateMessage
from core.i18n import gettext as _
from core.ids import get_by_id, parse_id
from core.models import Enrollment, EnrollmentStatus, Person, Program, Role
from core.ui import validate

_EDITABLE = ("role", "skills_offered", "skills_wanted", "goals", "capacity", "availability")


def _existing(session: Session, person: Person, program: Program) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).where(
            Enrollment.person_id == person.id, Enrollment.program_id == program.id
        )
    )


def _open_form(session: Session, person: Person, program: Program) -> list[Intent]:
    return [OpenForm(enrollment_form(program, _existing(session, person, program)))]


def _gate(session: Session, person: Person, program: Program | None, name: str,
          platform: str) -> Intent | None:
    """Why this person can't join this program now, as a reply; ``None`` if they can."""
    if program is None or (program.invite_only and not can_see(session, program, person)
                           and not name):
        names = [p.name for p in open_programs_for(session, person)]
        return Reply(texts.program_not_found(name, names, platform))
    if not can_see(session, program, person):
        return Reply(texts.by_invitation(program.name))
    if not is_enrollable(program, today_of(session)):
        return Reply(texts.program_closed(program))
    return None


def join(session: Session, person: Person, arg: str, platform: str) -> list[Intent]:
    """``join [program]``: open the form, or offer a choice when several programs are open."""
    if arg:
        program = find_program(session, person, arg)
        refusal = _gate(session, person, program, arg, platform)
        if refusal:
            return [refusal]
        assert program is not None
        return _open_form(session, person, program)
    programs = open_programs_for(session, person)
    if not programs:
        return [Reply(texts.no_open_programs())]
    if len(programs) == 1:
        return _open_form(session, person, programs[0])
    return [Reply(texts.choose_program(programs))]


def pick(session: Session, person: Person, program_id: str, platform: str) -> list[Intent]:
    """A program chosen from the ``join`` list."""
    pk = parse_id(program_id)
    program = session.get(Program, pk) if pk is not None else None
    # Another workspace's program, or an invite-only one this person may not see, answers
    # exactly as a missing id: a guessed id never reveals a name.
    if program is not None and (program.workspace_id != person.workspace_id
                                or not can_see(session, program, person)):
        program = None
    refusal = _gate(session, person, program, program.name if program else program_id[:60],
                    platform)
    return [refusal] if refusal else _open_form(session, person, program)  # type: ignore[arg-type]


def submit(session: Session, person: Person, values: dict[str, Any], context: str,
           platform: str) -> list[Intent]:
    """Validate and save the form; a second submit edits the same enrollment."""
    pk = parse_id(context)
    program = session.get(Program, pk) if pk is not None else None
    if program is None or program.workspace_id != person.workspace_id \
            or not can_see(session, program, person):
        return [Reply(texts.stale_action())]
    existing = _existing(session, person, program)
    form = enrollment_form(program, existing)
    clean, errors = validate(form, values)
    if clean.get("role") == Role.MENTEE.value:
        errors.pop("capacity", None)  # a mentee's capacity is always 1: not their problem
    # Every problem in one round: rules across fields next to each field's own errors.
    errors = {**role_errors(clean), **errors}
    closed = not can_see(session, program, person) or not is_enrollable(program, today_of(session))
    if not errors and closed:
        errors = {"role": _("{program} is no longer open for enrollment.").format(
            program=texts.quoted(program.name))}
    if errors:
        return [FormErrors(errors, form)]
    enrollment, changed, updated = upsert_enrollment(session, person, program, clean)
    intents: list[Intent] = [CloseForm()]
    if changed:
        message = texts.enrolled(enrollment, program, updated=updated, platform=platform)
        key = f"enrolled:{enrollment.id}:rev{enrollment.revision}"
        intents.append(DirectMessage(person.id, message, key))
    return intents


def upsert_enrollment(session: Session, person: Person, program: Program,
                      clean: dict[str, Any]) -> tuple[Enrollment, bool, bool]:
    """Create or edit the one enrollment of ``person`` in ``program`` from validated values.

    Returns (enrollment, changed, was_existing).
    """
    values = {k: clean.get(k) for k in _EDITABLE}
    if values["role"] == Role.MENTEE.value:
        values["capacity"] = 1
    values["capacity"] = values["capacity"] or 1
    values["skills_offered"] = values["skills_offered"] or []
    values["skills_wanted"] = values["skills_wanted"] or []
    values["goals"] = values["goals"] or ""
    values["availability"] = values["availability"] or ""
    values["role"] = Role(values["role"])
    existing = _existing(session, person, program)
    if existing is None:
        try:
            with session.begin_nested():
                enrollment = Enrollment(person_id=person.id, program_id=program.id, **values)
                session.add(enrollment)
            return enrollment, True, False
        except IntegrityError:
            # A double-clicked submit raced us: fall through and edit the row it created.
            existing = _existing(session, person, program)
            assert existing is not None
    changed = existing.status is not EnrollmentStatus.ACTIVE or any(
        getattr(existing, k) != v for k, v in values.items())
    if changed:
        for k, v in values.items():
            setattr(existing, k, v)
        existing.status = EnrollmentStatus.ACTIVE
        existing.revision += 1
    return existing, changed, True


def status(session: Session, person: Person, platform: str) -> list[Intent]:
    rows = session.scalars(
        select(Enrollment).where(Enrollment.person_id == person.id).order_by(Enrollment.id)
    ).all()
    return [Reply(texts.status(list(rows), platform))]


def leave(session: Session, person: Person, arg: str, platform: str) -> list[Intent]:
    """``leave [program]``: always asks for confirmation first."""
    active = session.scalars(
        select(Enrollment).where(
            Enrollment.person_id == person.id, Enrollment.status == EnrollmentStatus.ACTIVE
        ).order_by(Enrollment.id)
    ).all()
    if arg:
        program = find_program(session, person, arg)
        if program is None or not can_see(session, program, person):
            return [Reply(texts.program_not_found(arg, [e.program.name for e in active], platform))]
        mine = [e for e in active if e.program_id == program.id]
        if not mine:
            return [Reply(texts.not_enrolled_in(program))]
        return [Reply(texts.confirm_leave(mine[0]))]
    if not active:
        return [Reply(texts.not_enrolled_anywhere(platform))]
    if len(active) == 1:
        return [Reply(texts.confirm_leave(active[0]))]
    return [Reply(texts.choose_leave(list(active)))]


def _own(session: Session, person: Person, enrollment_id: str) -> Enrollment | None:
    e = get_by_id(session, Enrollment, enrollment_id)
    return e if e is not None and e.person_id == person.id else None


def leave_action(session: Session, person: Person, action: str, value: str) -> list[Intent]:
    """The buttons of the leave flow: ask, confirm, cancel and undo."""
    e = _own(session, person, value)
    if e is None:
        return [UpdateMessage(texts.stale_action())]
    if action == "leave.ask":
        return [UpdateMessage(texts.confirm_leave(e))]
    if action == "leave.cancel":
        return [UpdateMessage(texts.leave_cancelled(e))]
    if action == "leave.confirm":
        if e.status is EnrollmentStatus.ACTIVE:
            e.status = EnrollmentStatus.WITHDRAWN
            e.revision += 1
        return [UpdateMessage(texts.left(e))]
    if action == "leave.undo":
        if e.status is not EnrollmentStatus.ACTIVE:
            if not is_enrollable(e.program, today_of(session)):
                return [UpdateMessage(texts.program_closed(e.program))]
            e.status = EnrollmentStatus.ACTIVE
            e.revision += 1
        return [UpdateMessage(texts.rejoined(e))]
    return [UpdateMessage(texts.stale_action())]
