"""Every word the enrollment dialog says, in one place."""

from __future__ import annotations

from core.models import Enrollment, EnrollmentStatus, Program, Role
from core.ui import Button, Buttons, Context, Divider, Fields, Message, Option, Section, Select


def prefix(platform: str) -> str:
    """How people type the command: a slash command in Slack and the web chat, a word in Teams."""
    return "mentor" if platform == "teams" else "/mentor"


def no_open_programs() -> Message:
    text = ("No mentoring programs are open for enrollment right now. "
            "I'll announce the next one here when it opens.")
    return Message(text=text, blocks=[Section(text)])


def choose_program(programs: list[Program]) -> Message:
    text = "Several programs are open. Which one would you like to join?"
    blocks = [Section(text)]
    for p in programs:
        blocks.append(Section(f"*{p.name}* – {_describe(p)}"))
    blocks.append(
        Select("join.pick", "Choose a program", [Option(str(p.id), p.name) for p in programs])
    )
    return Message(text=text + " " + ", ".join(p.name for p in programs), blocks=blocks)


def _describe(p: Program) -> str:
    kind = p.kind.value.replace("_", "-")
    facts = f"{kind} · every {p.cadence_days} days · {p.duration_weeks} weeks"
    return f"{p.description.rstrip('.')}. _{facts}_" if p.description else f"_{facts}_"


def program_not_found(name: str, open_names: list[str], platform: str) -> Message:
    text = f"I couldn't find a program called “{name}”."
    if open_names:
        text += " Open programs: " + ", ".join(f"“{n}”" for n in open_names) + "."
    else:
        text += " No programs are open right now."
    text += f" Try `{prefix(platform)} join` to pick from a list."
    return Message(text=text, blocks=[Section(text)])


def program_closed(program: Program) -> Message:
    reasons = {
        "draft": "hasn't opened for enrollment yet",
        "running": "is already running, so enrollment is closed",
        "ended": "has ended",
        "open": "is outside its enrollment window",
    }
    text = f"“{program.name}” {reasons[program.status.value]}. I'll announce the next round here."
    return Message(text=text, blocks=[Section(text)])


def by_invitation(name: str) -> Message:
    text = f"“{name}” is by invitation. If you think you should be in it, ask your program admin."
    return Message(text=text, blocks=[Section(text)])


def enrolled(e: Enrollment, program: Program, *, updated: bool, platform: str) -> Message:
    p = prefix(platform)
    head = (f"Your enrollment in *{program.name}* is updated."
            if updated else f"You're enrolled in *{program.name}* as a {e.role.value}. Welcome!")
    fields = [f"*Role*\n{e.role.value.title()}"]
    if e.role is Role.MENTOR:
        fields += [f"*Sharing*\n{', '.join(e.skills_offered)}", f"*Capacity*\n{e.capacity}"]
    else:
        fields.append(f"*Learning*\n{', '.join(e.skills_wanted)}")
    if e.availability:
        fields.append(f"*Availability*\n{e.availability.title()}")
    next_steps = ("When matching runs, I'll introduce you to your match and say why you were "
                  "paired.")
    blocks = [Section(head), Fields(fields)]
    if e.goals:
        blocks.append(Section(f"*Goals*\n{e.goals}"))
    blocks += [Section(next_steps),
               Context([f"Change anything with `{p} join {program.name}` · "
                        f"leave with `{p} leave {program.name}`"])]
    return Message(text=f"{head} {next_steps}", blocks=blocks)


def status(enrollments: list[Enrollment], platform: str) -> Message:
    if not enrollments:
        text = f"You're not enrolled in any program yet. Try `{prefix(platform)} join`."
        return Message(text=text, blocks=[Section(text)])
    blocks: list = [Section("*Your mentoring programs*")]
    lines = []
    for e in enrollments:
        state = "active" if e.status is EnrollmentStatus.ACTIVE else "withdrawn"
        skills = e.skills_offered if e.role is Role.MENTOR else e.skills_wanted
        line = f"*{e.program.name}* – {e.role.value}, {state}"
        if skills:
            line += f" · {', '.join(skills)}"
        lines.append(line)
        blocks.append(Section(line))
    blocks += [Divider(), Context([f"Edit with `{prefix(platform)} join <program>`."])]
    return Message(text="Your mentoring programs:\n" + "\n".join(lines), blocks=blocks)


def not_enrolled_anywhere(platform: str) -> Message:
    text = ("You're not enrolled in any program, so there's nothing to leave. "
            f"`{prefix(platform)} join` lists open ones.")
    return Message(text=text, blocks=[Section(text)])


def not_enrolled_in(program: Program) -> Message:
    text = f"You're not enrolled in “{program.name}”."
    return Message(text=text, blocks=[Section(text)])


def choose_leave(enrollments: list[Enrollment]) -> Message:
    text = "Which program would you like to leave?"
    buttons = [Button(e.program.name, "leave.ask", str(e.id)) for e in enrollments]
    return Message(text=text, blocks=[Section(text), Buttons(buttons)])


def confirm_leave(e: Enrollment) -> Message:
    text = (f"Leave “{e.program.name}”? Your enrollment is withdrawn and you won't be matched. "
            "You can join again while it's open.")
    return Message(text=text, blocks=[
        Section(text),
        Buttons([Button("Yes, leave", "leave.confirm", str(e.id), "danger"),
                 Button("Cancel", "leave.cancel", str(e.id))]),
    ])


def left(e: Enrollment) -> Message:
    text = f"You've left “{e.program.name}”."
    return Message(text=text, blocks=[Section(text),
                                      Buttons([Button("Undo", "leave.undo", str(e.id))])])


def leave_cancelled(e: Enrollment) -> Message:
    text = f"OK, you're still in “{e.program.name}”."
    return Message(text=text, blocks=[Section(text)])


def rejoined(e: Enrollment) -> Message:
    text = f"Welcome back – you're enrolled in “{e.program.name}” again."
    return Message(text=text, blocks=[Section(text)])


def stale_action() -> Message:
    text = "That button is out of date. Here's the current picture – try the command again."
    return Message(text=text, blocks=[Section(text)])


def something_went_wrong() -> Message:
    text = ("Sorry, something went wrong on my side and nothing was changed. "
            "Please try again in a minute.")
    return Message(text=text, blocks=[Section(text)])


def welcome(platform: str) -> Message:
    p = prefix(platform)
    text = (f"Hi! I'm Mentorbot. I run your company's mentoring programs here in chat. "
            f"Type `{p} join` to enroll, or `{p} help` to see everything I can do.")
    return Message(text=text, blocks=[Section(text)])
