"""Invite-only programs: admin invitations, manager nominations, onboarding auto-invites."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.admin.rights import admin_people
from core.admin.texts import say
from core.i18n import gettext as _
from core.language import writing_to
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
    """The invitation DM, in the reader's language (callers write it inside ``writing_to``)."""
    text = "🎟️ " + (_("{name} invited you to *{program}*, an invitation-only mentoring program.")
                    if by else
                    _("You're invited to *{program}*, an invitation-only mentoring program.")
                    ).format(name=by, program=program.name)
    text += f"\n{program.description}" if program.description else ""
    return Message(text=text, blocks=[Section(text), Buttons([
        Button(_("Join {program}").format(program=program.name), "join.pick", str(program.id),
               "primary")])])


def invite(session: Session, program: Program, person: Person, *, now: datetime,
           by: Person | None = None) -> bool:
    """Invite once (a second invitation changes nothing) and DM a Join button."""
    exists = session.scalar(select(Invitation.id).where(
        Invitation.program_id == program.id, Invitation.person_id == person.id))
    if exists is not None:
        return False
    session.add(Invitation(program_id=program.id, person_id=person.id, created_at=now))
    session.flush()
    with writing_to(person):
        message = invitation_message(program, by.name if by else "")
    enqueue_dm(session, person, message, f"invite:{program.id}:{person.id}", kind="invitation",
               now=now)
    return True


def nominate(session: Session, program: Program, nominee: Person, manager: Person, *,
             now: datetime) -> tuple[Nomination | None, str]:
    """A manager puts a direct report forward; every admin gets Approve/Decline."""
    if nominee.manager_id != manager.id:
        return None, _("You can nominate your own reports only, and {name} isn't one.").format(
            name=nominee.name)
    if session.scalar(select(Invitation.id).where(Invitation.program_id == program.id,
                                                  Invitation.person_id == nominee.id)):
        return None, _("{name} is already invited to *{program}*.").format(
            name=nominee.name, program=program.name)
    row = session.scalar(select(Nomination).where(Nomination.program_id == program.id,
                                                  Nomination.nominee_id == nominee.id))
    if row is not None:
        return None, _("{name} is already nominated for *{program}*.").format(
            name=nominee.name, program=program.name)
    row = Nomination(program_id=program.id, nominee_id=nominee.id, nominated_by_id=manager.id,
                     created_at=now)
    session.add(row)
    session.flush()
    for target in admin_people(session, program.workspace_id):
        with writing_to(target):  # each admin reads it in their own language
            ask = _("{manager} nominates {nominee} ({title}) for *{program}*.").format(
                manager=manager.name, nominee=nominee.name, title=nominee.title,
                program=program.name)
            buttons = Buttons([Button(_("Approve"), "nominate.approve", str(row.id), "primary"),
                               Button(_("Decline"), "nominate.decline", str(row.id))])
        enqueue_dm(session, target, Message(ask, [Section(ask), buttons]),
                   f"nomination:{row.id}:{target.id}", kind="nomination", now=now)
    return row, _("Thanks! I've asked the program admins to approve {name} for *{program}*. "
                  "I'll let you know.").format(name=nominee.name, program=program.name)


def decide(session: Session, row: Nomination, approve: bool, admin: Person, *,
           now: datetime) -> Message:
    """An admin's answer: approval invites the nominee; either way the manager is told."""
    program = session.get(Program, row.program_id)
    nominee = session.get(Person, row.nominee_id)
    manager = session.get(Person, row.nominated_by_id) if row.nominated_by_id else None
    assert program is not None and nominee is not None
    if row.status is not NominationStatus.PENDING:
        return say(_("This nomination was already approved.")
                   if row.status is NominationStatus.APPROVED
                   else _("This nomination was already declined."))
    row.status = NominationStatus.APPROVED if approve else NominationStatus.DECLINED
    row.decided_at = now
    if approve:
        invite(session, program, nominee, now=now, by=admin)
    if manager is not None:
        with writing_to(manager):
            told = say((_("Your nomination of {name} for *{program}* was approved: they've been "
                          "invited.") if approve else
                        _("Your nomination of {name} for *{program}* was not approved this "
                          "time; the program team may explain why.")).format(
                name=nominee.name, program=program.name))
        enqueue_dm(session, manager, told, f"nomination-decided:{row.id}", kind="nomination",
                   now=now)
    return say((_("Approved: {name} for *{program}*.") if approve else
                _("Declined: {name} for *{program}*.")).format(name=nominee.name,
                                                                 program=program.name))


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
