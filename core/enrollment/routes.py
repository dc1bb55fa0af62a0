"""Enrollment's commands, buttons and form: join, status, leave, avoid."""

from __future__ import annotations

from typing import Any

from core.enrollment import avoid, dialog
from core.enrollment.form import FORM_ID
from core.events import Intent
from core.i18n import N_
from core.routing import Action, Command, Form, Routes, Turn


def _join(ctx: Turn, _word: str, arg: str) -> list[Intent]:
    return dialog.join(ctx.session, ctx.person, arg, ctx.platform)


def _status(ctx: Turn, _word: str, _arg: str) -> list[Intent]:
    return dialog.status(ctx.session, ctx.person, ctx.platform)


def _leave(ctx: Turn, _word: str, arg: str) -> list[Intent]:
    return dialog.leave(ctx.session, ctx.person, arg, ctx.platform)


def _avoid(ctx: Turn, _word: str, arg: str) -> list[Intent]:
    return avoid.avoid(ctx.session, ctx.person, ctx.actor, arg)


def _avoid_undo(ctx: Turn, _action: str, value: str) -> list[Intent]:
    return avoid.undo(ctx.session, ctx.person, value)


def _pick(ctx: Turn, _action: str, value: str) -> list[Intent]:
    return dialog.pick(ctx.session, ctx.person, value, ctx.platform)


def _leave_action(ctx: Turn, action: str, value: str) -> list[Intent]:
    return dialog.leave_action(ctx.session, ctx.person, action, value)


def _submit(ctx: Turn, _form: str, values: dict[str, Any], context: str) -> list[Intent]:
    return dialog.submit(ctx.session, ctx.person, values, context, ctx.platform)


ROUTES = Routes(
    "enrollment",
    commands=(
        Command("join", _join, "join [program]",
                N_("enroll as a mentor or mentee (run it again to edit)"), ("enroll", "edit"), 10),
        Command("status", _status, "status", N_("see your enrollments"), ("me",), 20),
        Command("leave", _leave, "leave [program]", N_("withdraw from a program"),
                ("withdraw",), 30),
        Command("avoid", _avoid, "avoid [person]",
                N_("people you'd rather not be matched with (private)"), (), 90),
    ),
    actions=(Action("avoid.undo", _avoid_undo), Action("join.pick", _pick),
             Action("leave.", _leave_action)),
    forms=(Form(FORM_ID, _submit),),
)
