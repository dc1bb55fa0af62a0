"""What the admin commands say."""

from __future__ import annotations

from core import i18n
from core.enrollment.texts import KINDS, prefix
from core.i18n import N_, format_date, format_number, format_weekday, ngettext
from core.i18n import gettext as _
from core.ui import Button, Buttons, Context, Message, Section

ADMIN_COMMANDS = (
    ("admin match <program>", N_("preview matches, then Publish, Re-run or Download CSV")),
    ("admin lock <mentor> <mentee> <program>", N_("keep this pair in every re-run")),
    ("admin exclude <mentor> <mentee> <program>", N_("never propose this pair")),
    ("admin swap <mentee> <mentee> <program>", N_("swap two mentees' mentors")),
    ("admin program new|edit|open|close|list", N_("set up and run programs")),
    ("admin program remind <program> #channel", N_("“enrollment closes in 3 days” post")),
    ("admin invite <person>… <program>", N_("invite people to an invite-only program")),
    ("admin announce [list]", N_("post to channels, now or later")),
    ("admin training <program> on|off|starter|status", N_("require mentor training")),
    ("admin report <program> [monthly on|off]", N_("a digest with a chart, now or monthly")),
    ("admin grant|revoke <person>", N_("manage admins")),
    ("admin web", N_("a sign-in link to the admin page for bulk work")),
)


def admin_help(platform: str, note: str = "") -> Message:
    p = prefix(platform)
    lines = [f"`{p} {usage}` – {_(what)}" for usage, what in ADMIN_COMMANDS]
    title = _("Admin commands")
    blocks = ([Section(note)] if note else []) + [
        Section(f"*{title}*\n" + "\n".join(lines)),
        Context([_("Name people by @mention or email.")]),
    ]
    return Message(text=(note + "\n" if note else "") + f"{title}:\n" + "\n".join(lines),
                   blocks=blocks)


STATUSES = {"draft": N_("draft"), "open": N_("open"), "running": N_("running"),
            "ended": N_("ended")}


def refused() -> Message:
    text = _("Sorry, that's for program admins. If you run a mentoring program, "
             "ask an admin to grant you access.")
    return Message(text=text, blocks=[Section(text)])


def say(text: str) -> Message:
    return Message(text=text, blocks=[Section(text)])


def templates(options: list) -> Message:  # type: ignore[type-arg]
    text = _("Start from a template (you can change everything in the form):")
    buttons = [Button(_(t.label), "program.template", t.key) for t in options]
    buttons.append(Button(_("Blank"), "program.template", "blank"))
    return Message(text=text, blocks=[Section(text), Buttons(buttons)])


def program_list(rows: list) -> Message:  # type: ignore[type-arg]
    if not rows:
        return say(_("No programs yet. Create one with `{command}`.").format(
            command="/mentor admin program new"))
    invite_only = _("invite-only")
    lines = [f"*{p.name}* – {_(STATUSES[p.status.value])}, {_(KINDS[p.kind.value])}"
             + (f", {invite_only}" if p.invite_only else "") + " · "
             + ngettext("{n} enrolled", "{n} enrolled", n).format(n=format_number(n))
             for p, n in rows]
    title = _("Programs")
    return Message(text=f"{title}:\n" + "\n".join(lines),
                   blocks=[Section(f"*{title}*"), Section("\n".join(lines))])


def program_saved(program, *, created: bool, platform: str) -> Message:  # type: ignore[no-untyped-def]
    p = prefix(platform)
    if created:
        return say(_("Created *{program}* as a draft. Open enrollment with `{command}`.").format(
            program=program.name, command=f"{p} admin program open {program.name}"))
    return say(_("Saved *{program}*.").format(program=program.name))


def report_usage(platform: str) -> str:
    p = prefix(platform)
    return _("Usage: `{now}` for a digest now, or `{monthly}`.").format(
        now=f"{p} admin report <program>", monthly=f"{p} admin report <program> monthly on|off")


def usage(command: str) -> str:
    """How a command is written, after a wrong one."""
    return _("Usage: `{command}`").format(command=command)


def not_found(token: str) -> str:
    return _("I couldn't find “{name}”.").format(name=token.strip())


def no_program(name: str) -> str:
    return _("I couldn't find a program called “{name}”.").format(name=name.strip())


def invited(program, added: int, already: int, missing: list[str]) -> str:  # type: ignore[no-untyped-def]
    """What `admin invite` did: who was invited, who already was, who wasn't found."""
    text = ngettext("Invited {n} person to *{program}*; they got a Join button.",
                    "Invited {n} people to *{program}*; they each got a Join button.",
                    added).format(n=format_number(added), program=program.name)
    if already:
        text += " " + ngettext("{n} already had an invitation.",
                               "{n} already had an invitation.", already).format(
            n=format_number(already))
    if missing:
        text += " " + _("I couldn't find: {names}.").format(names=", ".join(missing))
    return text


def closing_soon(program) -> str:  # type: ignore[no-untyped-def]
    """The "enrollment closes in 3 days" channel post, in the workspace's language (a channel
    has many readers; the post is stored and sent later as written)."""
    from core.language import shared_language  # core.language imports the routes

    with i18n.reading(shared_language([])):
        closes = program.enrollment_closes
        return "⏳ " + _("Enrollment in *{program}* closes in 3 days, on {weekday}, {date}. "
                        "Join now!").format(program=program.name, weekday=format_weekday(closes),
                                            date=format_date(closes, "long"))
