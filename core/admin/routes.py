"""Admin's commands, buttons and forms, and a manager's nomination."""

from __future__ import annotations

from typing import Any

from core.admin import invitations
from core.admin import texts as admin_texts
from core.admin.announcements import FORM_ID as ANNOUNCE_FORM
from core.admin.commands import AdminCommands
from core.admin.programs import FORM_ID as PROGRAM_FORM
from core.enrollment.programs import find_program
from core.events import Intent, Reply
from core.help import usage
from core.i18n import N_
from core.people_refs import find_person
from core.routing import Action, Command, Form, Routes, Turn
from core.ui import Message, Section


def _admin(turn: Turn) -> AdminCommands:
    return AdminCommands(turn.session, turn.person, turn.actor, turn.admin_emails, turn.now,
                         turn.public_url)


def _command(turn: Turn, _word: str, arg: str) -> list[Intent]:
    return _admin(turn).command(arg)


def _nominate(turn: Turn, _word: str, arg: str) -> list[Intent]:
    """A manager nominates a report for an invite-only program: `nominate @x <program>`."""
    who, _, name = arg.partition(" ")
    nominee = find_person(turn.session, turn.person, who, turn.platform, turn.actor.tenant_id)
    program = find_program(turn.session, turn.person, name) if name else None
    if nominee is None or program is None:
        return [Reply(usage(turn.platform, admin_texts.usage(
            "nominate <@person or email> <program>")))]
    _, text = invitations.nominate(turn.session, program, nominee, turn.person, now=turn.now)
    return [Reply(Message(text, [Section(text)]))]


def _nomination(turn: Turn, action: str, value: str) -> list[Intent]:
    return _admin(turn).nomination_action(action, value)


def _announcement(turn: Turn, action: str, value: str) -> list[Intent]:
    return _admin(turn).announcement_action(action, value)


def _template(turn: Turn, _action: str, value: str) -> list[Intent]:
    return _admin(turn).program_template(value)


def _match(turn: Turn, action: str, value: str) -> list[Intent]:
    return _admin(turn).action(action, value)


def _submit_announcement(turn: Turn, _form: str, values: dict[str, Any],
                         context: str) -> list[Intent]:
    return _admin(turn).submit_announcement(values, context)


def _submit_program(turn: Turn, _form: str, values: dict[str, Any], context: str) -> list[Intent]:
    return _admin(turn).submit_program(values, context)


ROUTES = Routes(
    "admin",
    commands=(
        Command("nominate", _nominate, "nominate <person> <program>",
                N_("put a report forward for an invite-only program"), (), 80),
        Command("admin", _command, "admin help", N_("for program admins"), (), 130),
    ),
    actions=(
        Action("nominate.", _nomination),
        Action("announce.", _announcement),
        Action("program.template", _template),
        Action("match.publish", _match, makes_matches=True),
        Action("match.", _match),
    ),
    forms=(Form(ANNOUNCE_FORM, _submit_announcement), Form(PROGRAM_FORM, _submit_program)),
)
