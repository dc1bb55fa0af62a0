"""Which programs a person may see and join."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import today_of
from core.models import Invitation, Person, Program, ProgramStatus


def is_invited(session: Session, program: Program, person: Person) -> bool:
    return (
        session.scalar(
            select(Invitation.id).where(
                Invitation.program_id == program.id, Invitation.person_id == person.id
            )
        )
        is not None
    )


def can_see(session: Session, program: Program, person: Person) -> bool:
    """Invite-only programs are invisible to everyone who was not invited."""
    return not program.invite_only or is_invited(session, program, person)


def is_enrollable(program: Program, today: date) -> bool:
    """Open, and inside its enrollment window on ``today``."""
    if program.status is not ProgramStatus.OPEN:
        return False
    if program.enrollment_opens and today < program.enrollment_opens:
        return False
    return not (program.enrollment_closes and today > program.enrollment_closes)


def open_programs_for(session: Session, person: Person) -> list[Program]:
    """Programs this person can join now, by name."""
    programs = session.scalars(
        select(Program)
        .where(Program.workspace_id == person.workspace_id, Program.status == ProgramStatus.OPEN)
        .order_by(Program.name)
    ).all()
    today = today_of(session)
    return [p for p in programs if is_enrollable(p, today) and can_see(session, p, person)]


def find_program(session: Session, person: Person, name: str) -> Program | None:
    """A program in the person's workspace by exact name, else by a unique prefix (any case)."""
    wanted = name.strip().strip("\"'“”").casefold()
    programs = session.scalars(
        select(Program).where(Program.workspace_id == person.workspace_id)
    ).all()
    exact = [p for p in programs if p.name.casefold() == wanted]
    if exact:
        return exact[0]
    prefix = [p for p in programs if p.name.casefold().startswith(wanted)]
    return prefix[0] if len(prefix) == 1 else None
