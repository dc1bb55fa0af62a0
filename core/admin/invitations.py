"""Invite-only programs: admin invitations, manager nominations, onboarding auto-invites."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.admin.rights import admin_people
from core.admin.texts import say
from core.models import (
    Invitation,
    Nomination,
    NominationStatus,
    Person,
    Program,
    ProgramPurpose,
    ProgramStatus,
)
from core.outbox import enqueue_dm
from core.ui import Button, Buttons, Message, Section


def invitation_message(program: Program, by: str = "") -> Message:
    who = f"{by} invited you" if by else "You're invited"
    text = (f"🎟️ {who} to *{program.name}*, an invitation-only mentoring program."
            + (f"\n{program.description}" if program.description else ""))
    return Message(text=text, blocks=[Section(text), Buttons([
        Button(f"Join {program.name}", "join.pick", str(program.id), "primary")])])


def invite(session: Session, program: Program, person: Person, *, now: datetime,
           by: Person | None = None) -> bool:
    """Invite once (a second invitation changes nothing) and DM a Join button."""
    exists = session.scalar(select(Invitation.id).where(
        Invitation.program_id == program.id, Invitation.person_id == person.id))
    if exists is not None:
        return False
    session.add(Invitation(program_id=program.id, person_id=person.id, created_at=now))
    session.flush()
    enqueue_dm(session, person, invitation_message(program, by.name if by else ""),
               f"invite:{program.id}:{person.id}", kind="invitation", now=now)
    return True


def nominate(session: Session, program: Program, nominee: Person, manager: Person, *,
             now: datetime) -> tuple[Nomination | None, str]:
    """A manager puts a direct report forward; every admin gets Approve/Decline."""
    if nominee.manager_id != manager.id:
        return None, f"You can nominate your own reports only, and {nominee.name} isn't one."
    if session.scalar(select(Invitation.id).where(Invitation.program_id == program.id,
                                                  Invitation.person_id == nominee.id)):
        return None, f"{nominee.name} is already invited to *{program.name}*."
    row = session.scalar(select(Nomination).where(Nomination.program_id == program.id,
                                                  Nomination.nominee_id == nominee.id))
    if row is not None:
        return None, f"{nominee.name} is already nominated for *{program.name}*."
    row = Nomination(program_id=program.id, nominee_id=nominee.id, nominated_by_id=manager.id,
                     created_at=now)
    session.add(row)
    session.flush()
    ask = f"{manager.name} nominates {nominee.name} ({nominee.title}) for *{program.name}*."
    for target in admin_people(session, program.workspace_id):
        enqueue_dm(session, target, Message(ask, [Section(ask), Buttons([
            Button("Approve", "nominate.approve", str(row.id), "primary"),
            Button("Decline", "nominate.decline", str(row.id))])]),
            f"nomination:{row.id}:{target.id}", kind="nomination", now=now)
    return row, (f"Thanks! I've asked the program admins to approve {nominee.name} for "
                 f"*{program.name}*. I'll let you know.")


def decide(session: Session, row: Nomination, approve: bool, admin: Person, *,
           now: datetime) -> Message:
    """An admin's answer: approval invites the nominee; either way the manager is told."""
    program = session.get(Program, row.program_id)
    nominee = session.get(Person, row.nominee_id)
    manager = session.get(Person, row.nominated_by_id) if row.nominated_by_id else None
    assert program is not None and nominee is not None
    if row.status is not NominationStatus.PENDING:
        return say(f"This nomination was already {row.status.value}.")
    row.status = NominationStatus.APPROVED if approve else NominationStatus.DECLINED
    row.decided_at = now
    if approve:
        invite(session, program, nominee, now=now, by=admin)
    if manager is not None:
        verdict = ("approved: they've been invited" if approve else
                   "not approved this time; the program team may explain why")
        enqueue_dm(session, manager, say(f"Your nomination of {nominee.name} for "
                                         f"*{program.name}* was {verdict}."),
                   f"nomination-decided:{row.id}", kind="nomination", now=now)
    return say(f"{'Approved' if approve else 'Declined'}: {nominee.name} for *{program.name}*.")


def onboarding_programs(session: Session, workspace_id: int) -> list[Program]:
    return list(session.scalars(select(Program).where(
        Program.workspace_id == workspace_id, Program.purpose == ProgramPurpose.ONBOARDING,
        Program.status.in_((ProgramStatus.OPEN, ProgramStatus.RUNNING)))))


def auto_invite(session: Session, person: Person, *, now: datetime,
                programs: list[Program] | None = None) -> int:
    """Onboarding programs invite new hires as they appear in the HRIS sync."""
    if not person.active:
        return 0
    invited = 0
    if programs is None:
        programs = onboarding_programs(session, person.workspace_id)
    for program in programs:
        days = program.auto_invite_hired_within_days
        recent = (days is not None and person.hire_date is not None
                  and person.hire_date >= (now - timedelta(days=days)).date())
        pattern = program.auto_invite_title_pattern
        titled = bool(pattern) and re.search(pattern, person.title or "", re.IGNORECASE)
        if (recent or titled) and invite(session, program, person, now=now):
            invited += 1
    return invited
