"""A live match's commands, buttons and forms: pause, resume, end, rematch, plan."""

from __future__ import annotations

from typing import Any

from core.events import Intent
from core.i18n import N_
from core.relationships.actions import Relationships
from core.routing import Action, Command, Form, Routes, Turn

FORMS = ("meeting", "schedule", "end", "goal", "survey")


def _relationships(ctx: Turn) -> Relationships:
    return Relationships(ctx.session, ctx.person, ctx.actor, ctx.now)


def _verb(ctx: Turn, word: str, arg: str) -> list[Intent]:
    return _relationships(ctx).command(word, arg)


def _plan(ctx: Turn, _word: str, _arg: str) -> list[Intent]:
    return _relationships(ctx).plan()


def _button(ctx: Turn, action: str, value: str) -> list[Intent]:
    return _relationships(ctx).button(action, value)


def _plan_button(ctx: Turn, action: str, value: str) -> list[Intent]:
    return _relationships(ctx).plan_button(action, value)


def _submit(ctx: Turn, form: str, values: dict[str, Any], context: str) -> list[Intent]:
    return _relationships(ctx).submit(form, values, context)


ROUTES = Routes(
    "relationships",
    commands=(
        Command("plan", _plan, "plan", N_("your action plan (mentors see their mentees')"), (), 50),
        Command("pause", _verb, "pause <weeks>", N_("take a break from nudges"), (), 70,
                also=("resume",)),
        Command("resume", _verb, hidden=True),
        Command("end", _verb, "end", N_("end your match (no-fault) or ask for a new one"), (), 72,
                also=("rematch",)),
        Command("rematch", _verb, hidden=True),
    ),
    actions=(Action("rel.", _button), Action("plan.", _plan_button)),
    forms=tuple(Form(form_id, _submit) for form_id in FORMS),
)
