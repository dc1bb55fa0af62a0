"""What the admin commands say."""

from __future__ import annotations

from core.enrollment.texts import prefix
from core.ui import Context, Message, Section


def admin_help(platform: str, note: str = "") -> Message:
    p = prefix(platform)
    lines = [
        f"`{p} admin match <program>` – preview matches, then Publish, Re-run or Download CSV",
        f"`{p} admin lock <mentor> <mentee> <program>` – keep this pair in every re-run",
        f"`{p} admin exclude <mentor> <mentee> <program>` – never propose this pair",
        f"`{p} admin swap <mentee> <mentee> <program>` – swap two mentees' mentors",
        f"`{p} admin grant <person>` – make someone an admin",
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
