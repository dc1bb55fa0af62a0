"""The help people read: one line per command, drawn from the routing table."""

from __future__ import annotations

from core.enrollment.texts import prefix
from core.i18n import gettext as _
from core.routing import RoutingTable
from core.ui import Context, Message, Section


def help_message(platform: str, table: RoutingTable, note: str = "") -> Message:
    """Every command with its usage and what it does, in the features' declared order.
    Commands stay English; what they do is in the reader's language."""
    p = prefix(platform)
    lines = [" · ".join(f"`{p} {u}`" for u in (c.usage, *c.also)) + f" – {_(c.summary)}"
             for c in table.help_commands()]
    blocks = [Section(note)] if note else []
    blocks += [
        Section(_("*Mentorbot* runs your company's mentoring programs right here in chat.")),
        Section("\n".join(lines)),
        Context([_("Tip: `{command}` lists the programs that are open to you.").format(
            command=f"{p} join")]),
    ]
    return Message(text=(note + "\n" if note else "") + _("Mentorbot commands:") + "\n"
                   + "\n".join(lines), blocks=blocks)


def unknown_command(platform: str, table: RoutingTable, word: str) -> Message:
    """Help, introduced by what went wrong."""
    return help_message(platform, table, _(
        "Sorry, I don't know `{word}`. Here is what I can do:").format(word=word))


def usage(platform: str, text: str) -> Message:
    """How to type one command, with the way to every other."""
    body = text + " " + _("Type `{command}` for everything I can do.").format(
        command=f"{prefix(platform)} help")
    return Message(text=body, blocks=[Section(body)])
