"""A person's own corner: home (programs, matches, next nudge, plan) and their data.

Also the rule that keeps it theirs: an answer asked for in a channel or a group chat goes to
the person's 1:1 chat with the bot (``Privately``), and only "I've sent you a private message"
is said where they asked. Only commands declared ``public`` (help) answer in the open.
"""

from __future__ import annotations

from dataclasses import replace

from core.events import (
    CloseForm,
    FormErrors,
    Intent,
    OpenForm,
    Privately,
    Reply,
    SendFile,
    UpdateMessage,
)
from core.home import home
from core.i18n import N_
from core.i18n import gettext as _
from core.privacy import export_json
from core.routing import Command, Routes, Turn
from core.ui import Message, Section

# What is only for the person who asked; DMs and channel posts already go where they belong.
ANSWERS = (Reply, UpdateMessage, OpenForm, FormErrors, CloseForm, SendFile)


def sent_privately() -> Message:
    text = _("I've sent you a private message.")
    return Message(text=text, blocks=[Section(text)])


def no_private_chat() -> Message:
    text = _("That answer is only for you, and I couldn't open a private chat with you. "
             "Open Mentorbot's personal chat and ask me there.")
    return Message(text=text, blocks=[Section(text)])


def not_your_form() -> Message:
    text = _("This form was opened for someone else, or it is out of date, so I didn't save "
             "it. Ask me again and I'll send you your own.")
    return Message(text=text, blocks=[Section(text)])


def keep_private(intents: list[Intent], *, public: bool, shareable: bool) -> list[Intent]:
    """Move the answers of a request made in public into the person's 1:1 chat."""
    if not public or shareable:
        return intents
    answers = tuple(i for i in intents if isinstance(i, ANSWERS))
    if not answers:
        return intents
    rest = [i for i in intents if not isinstance(i, ANSWERS)]
    return [*rest, Privately(answers, sent_privately(), no_private_chat())]


def owned_by(intents: list[Intent], user_id: str) -> list[Intent]:
    """Stamp every form shown with the account it is shown to."""
    out: list[Intent] = []
    for intent in intents:
        if isinstance(intent, OpenForm):
            intent = OpenForm(replace(intent.form, owner=user_id))
        elif isinstance(intent, FormErrors):
            intent = FormErrors(intent.errors, replace(intent.form, owner=user_id))
        out.append(intent)
    return out


def _home(turn: Turn, _word: str, _arg: str) -> list[Intent]:
    return [Reply(home(turn.session, turn.person, turn.platform, turn.now, turn.admin_emails))]


def _my_data(turn: Turn, _word: str, _arg: str) -> list[Intent]:
    return [SendFile("my-mentorbot-data.json", export_json(turn.session, turn.person),
                     _("Everything Mentorbot stores about you"))]


ROUTES = Routes(
    "personal",
    commands=(
        Command("home", _home, "home", N_("your programs, matches, next nudge and plan"), (), 100),
        Command("my-data", _my_data, "my-data", N_("a copy of everything stored about you"),
                ("mydata",), 110),
    ),
)
