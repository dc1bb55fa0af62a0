"""Self-select's command and buttons: suggestions, asking a mentor, the mentor's answer."""

from __future__ import annotations

from core.events import Intent
from core.i18n import N_
from core.routing import Action, Command, Routes, Turn
from core.self_select import flow


def _suggest(ctx: Turn, _word: str, arg: str) -> list[Intent]:
    return flow.suggest(ctx.session, ctx.person, ctx.actor, arg)


def _ask(ctx: Turn, _action: str, value: str) -> list[Intent]:
    return flow.ask(ctx.session, ctx.person, ctx.actor, value)


def _answer(ctx: Turn, action: str, value: str) -> list[Intent]:
    return flow.answer(ctx.session, ctx.person, ctx.actor, action, value, ctx.now)


ROUTES = Routes(
    "self_select",
    commands=(Command("suggest", _suggest, "suggest",
                      N_("see mentors suggested for you, and ask one"), ("suggestions",), 40),),
    actions=(Action("request.ask", _ask), Action("request.accept", _answer, makes_matches=True),
             Action("request.decline", _answer)),
)
