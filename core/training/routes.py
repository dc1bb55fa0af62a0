"""Mentor training's command and buttons."""

from __future__ import annotations

from core.events import Intent
from core.i18n import N_
from core.routing import Action, Command, Routes, Turn
from core.training import chat


def _command(ctx: Turn, _word: str, arg: str) -> list[Intent]:
    return chat.command(ctx.session, ctx.person, arg, ctx.platform)


def _button(ctx: Turn, action: str, value: str) -> list[Intent]:
    return chat.button(ctx.session, ctx.person, action, value, ctx.platform, ctx.now)


ROUTES = Routes(
    "training",
    commands=(Command("training", _command, "training",
                      N_("your mentor training: progress and the next module"), ("train",), 60),),
    actions=(Action("training.", _button),),
)
