"""What the admin commands say."""

from __future__ import annotations

from core.enrollment.texts import prefix
from core.ui import Button, Buttons, Context, Message, Section


def admin_help(platform: str, note: str = "") -> Message:
    p = prefix(platform)
    lines = [
        f"`{p} admin match <program>` – preview matches, then Publish, Re-run or Download CSV",
        f"`{p} admin lock <mentor> <mentee> <program>` – keep this pair in every re-run",
        f"`{p} admin exclude <mentor> <mentee> <program>` – never propose this pair",
        f"`{p} admin swap <mentee> <mentee> <program>` – swap two mentees' mentors",
        f"`{p} admin program new|edit|open|close|list` – set up and run programs",
        f"`{p} admin program remind <program> #channel` – “enrollment closes in 3 days” post",
        f"`{p} admin invite <person>… <program>` – invite people to an invite-only program",
        f"`{p} admin announce [list]` – post to channels, now or later",
        f"`{p} admin training <program> on|off|starter|status` – require mentor training",
        f"`{p} admin report <program> [monthly on|off]` – a digest with a chart, now or monthly",
        f"`{p} admin grant|revoke <person>` – manage admins",
        f"`{p} admin web` – a sign-in link to the admin page for bulk work",
    ]
    blocks = ([Section(note)] if note else []) + [
        Section("*Admin commands*\n" + "\n".join(lines)),
        Context(["Name people by @mention or email."]),
    ]
    return Message(text=(note + "\n" if note else "") + "Admin commands:\n" + "\n".join(lines),
                   blocks=blocks)


def refused() -> Message:
    text = ("Sorry, that's for program admins. If you run a mentoring program, "
            "ask an admin to grant you access.")
    return Message(text=text, blocks=[Section(text)])


def say(text: str) -> Message:
    return Message(text=text, blocks=[Section(text)])


def templates(options: list) -> Message:  # type: ignore[type-arg]
    text = "Start from a template (you can change everything in the form):"
    buttons = [Button(t.label, "program.template", t.key) for t in options]
    buttons.append(Button("Blank", "program.template", "blank"))
    return Message(text=text, blocks=[Section(text), Buttons(buttons)])


def program_list(rows: list) -> Message:  # type: ignore[type-arg]
    if not rows:
        return say("No programs yet. Create one with `/mentor admin program new`.")
    lines = [f"*{p.name}* – {p.status.value}, {p.kind.value.replace('_', '-')}"
             f"{', invite-only' if p.invite_only else ''} · {n} enrolled" for p, n in rows]
    return Message(text="Programs:\n" + "\n".join(lines),
                   blocks=[Section("*Programs*"), Section("\n".join(lines))])


def program_saved(program, *, created: bool, platform: str) -> Message:  # type: ignore[no-untyped-def]
    p = prefix(platform)
    if created:
        return say(f"Created *{program.name}* as a draft. Open enrollment with "
                   f"`{p} admin program open {program.name}`.")
    return say(f"Saved *{program.name}*.")


def report_usage(platform: str) -> str:
    p = prefix(platform)
    return (f"Usage: `{p} admin report <program>` for a digest now, or "
            f"`{p} admin report <program> monthly on|off`.")
