"""Every word the enrollment dialog says, in one place, in the reader's language."""

from __future__ import annotations

from core.i18n import N_
from core.i18n import gettext as _
from core.models import Enrollment, EnrollmentStatus, Program, Role
from core.ui import Button, Buttons, Context, Divider, Fields, Message, Option, Section, Select

ROLES = {Role.MENTOR: N_("mentor"), Role.MENTEE: N_("mentee")}
KINDS = {"one_on_one": N_("one-on-one"), "group": N_("group"), "peer": N_("peer"),
         "reverse": N_("reverse")}
AVAILABILITY = {"mornings": N_("Mornings"), "afternoons": N_("Afternoons"),
                "flexible": N_("Flexible")}


def prefix(platform: str) -> str:
    """How people type the command: a slash command in Slack and the web chat, a word in Teams."""
    return "mentor" if platform == "teams" else "/mentor"


def role_name(role: Role) -> str:
    return _(ROLES[role])


def quoted(name: str) -> str:
    return _("“{name}”").format(name=name)


def _field(label: str, value: str) -> str:
    return f"*{label}*\n{value}"


def no_open_programs() -> Message:
    text = _("No mentoring programs are open for enrollment right now. "
             "I'll announce the next one here when it opens.")
    return Message(text=text, blocks=[Section(text)])


def choose_program(programs: list[Program]) -> Message:
    text = _("Several programs are open. Which one would you like to join?")
    blocks = [Section(text)]
    for p in programs:
        blocks.append(Section(f"*{p.name}* – {_describe(p)}"))
    blocks.append(
        Select("join.pick", _("Choose a program"),
               [Option(str(p.id), p.name) for p in programs])
    )
    return Message(text=text + " " + ", ".join(p.name for p in programs), blocks=blocks)


def _describe(p: Program) -> str:
    kind = _(KINDS.get(p.kind.value, p.kind.value))
    facts = _("{kind} · every {days} days · {weeks} weeks").format(
        kind=kind, days=p.cadence_days, weeks=p.duration_weeks)
    return f"{p.description.rstrip('.')}. _{facts}_" if p.description else f"_{facts}_"


def program_not_found(name: str, open_names: list[str], platform: str) -> Message:
    text = _("I couldn't find a program called {name}.").format(name=quoted(name))
    if open_names:
        text += " " + _("Open programs: {names}.").format(
            names=", ".join(quoted(n) for n in open_names))
    else:
        text += " " + _("No programs are open right now.")
    text += " " + _("Try `{command}` to pick from a list.").format(
        command=f"{prefix(platform)} join")
    return Message(text=text, blocks=[Section(text)])


def program_closed(program: Program) -> Message:
    reasons = {
        "draft": N_("{program} hasn't opened for enrollment yet."),
        "running": N_("{program} is already running, so enrollment is closed."),
        "ended": N_("{program} has ended."),
        "open": N_("{program} is outside its enrollment window."),
    }
    text = (_(reasons[program.status.value]).format(program=quoted(program.name)) + " "
            + _("I'll announce the next round here."))
    return Message(text=text, blocks=[Section(text)])


def by_invitation(name: str) -> Message:
    text = _("{program} is by invitation. If you think you should be in it, ask your "
             "program admin.").format(program=quoted(name))
    return Message(text=text, blocks=[Section(text)])


def enrolled(e: Enrollment, program: Program, *, updated: bool, platform: str) -> Message:
    p = prefix(platform)
    head = (_("Your enrollment in *{program}* is updated.").format(program=program.name)
            if updated else
            _("You're enrolled in *{program}* as a {role}. Welcome!").format(
                program=program.name, role=role_name(e.role)))
    role = role_name(e.role)
    fields = [_field(_("Role"), role[:1].upper() + role[1:])]
    if e.role is Role.MENTOR:
        fields += [_field(_("Sharing"), ", ".join(e.skills_offered)),
                   _field(_("Capacity"), str(e.capacity))]
    else:
        fields.append(_field(_("Learning"), ", ".join(e.skills_wanted)))
    if e.availability:
        label = AVAILABILITY.get(e.availability)
        fields.append(_field(_("Availability"),
                             _(label) if label else e.availability.title()))
    next_steps = _("When matching runs, I'll introduce you to your match and say why you were "
                   "paired.")
    blocks = [Section(head), Fields(fields)]
    if e.goals:
        blocks.append(Section(_field(_("Goals"), e.goals)))
    blocks += [Section(next_steps),
               Context([_("Change anything with `{join}` · leave with `{leave}`").format(
                   join=f"{p} join {program.name}", leave=f"{p} leave {program.name}")])]
    return Message(text=f"{head} {next_steps}", blocks=blocks)


def status(enrollments: list[Enrollment], platform: str) -> Message:
    if not enrollments:
        text = _("You're not enrolled in any program yet. Try `{command}`.").format(
            command=f"{prefix(platform)} join")
        return Message(text=text, blocks=[Section(text)])
    title = _("Your mentoring programs")
    blocks: list = [Section(f"*{title}*")]
    lines = []
    for e in enrollments:
        state = _("active") if e.status is EnrollmentStatus.ACTIVE else _("withdrawn")
        skills = e.skills_offered if e.role is Role.MENTOR else e.skills_wanted
        line = f"*{e.program.name}* – {role_name(e.role)}, {state}"
        if skills:
            line += f" · {', '.join(skills)}"
        lines.append(line)
        blocks.append(Section(line))
    blocks += [Divider(), Context([_("Edit with `{command}`.").format(
        command=f"{prefix(platform)} join <program>")])]
    return Message(text=f"{title}:\n" + "\n".join(lines), blocks=blocks)


def not_enrolled_anywhere(platform: str) -> Message:
    text = _("You're not enrolled in any program, so there's nothing to leave. "
             "`{command}` lists open ones.").format(command=f"{prefix(platform)} join")
    return Message(text=text, blocks=[Section(text)])


def not_enrolled_in(program: Program) -> Message:
    text = _("You're not enrolled in {program}.").format(program=quoted(program.name))
    return Message(text=text, blocks=[Section(text)])


def choose_leave(enrollments: list[Enrollment]) -> Message:
    text = _("Which program would you like to leave?")
    buttons = [Button(e.program.name, "leave.ask", str(e.id)) for e in enrollments]
    return Message(text=text, blocks=[Section(text), Buttons(buttons)])


def confirm_leave(e: Enrollment) -> Message:
    text = _("Leave {program}? Your enrollment is withdrawn and you won't be matched. "
             "You can join again while it's open.").format(program=quoted(e.program.name))
    return Message(text=text, blocks=[
        Section(text),
        Buttons([Button(_("Yes, leave"), "leave.confirm", str(e.id), "danger"),
                 Button(_("Cancel"), "leave.cancel", str(e.id))]),
    ])


def left(e: Enrollment) -> Message:
    text = _("You've left {program}.").format(program=quoted(e.program.name))
    return Message(text=text, blocks=[Section(text),
                                      Buttons([Button(_("Undo"), "leave.undo", str(e.id))])])


def leave_cancelled(e: Enrollment) -> Message:
    text = _("OK, you're still in {program}.").format(program=quoted(e.program.name))
    return Message(text=text, blocks=[Section(text)])


def rejoined(e: Enrollment) -> Message:
    text = _("Welcome back – you're enrolled in {program} again.").format(
        program=quoted(e.program.name))
    return Message(text=text, blocks=[Section(text)])


def stale_action() -> Message:
    text = _("That button is out of date. Here's the current picture – try the command again.")
    return Message(text=text, blocks=[Section(text)])


def something_went_wrong() -> Message:
    text = _("Sorry, something went wrong on my side and nothing was changed. "
             "Please try again in a minute.")
    return Message(text=text, blocks=[Section(text)])


def form_from_command(platform: str, text: str) -> Message:
    """Where a typed message can't open a form: how to get it with the command."""
    said = _("That opens a form, and forms open from the command: type `{command}` in any "
             "message box.").format(command=f"{prefix(platform)} {text}".strip())
    return Message(text=said, blocks=[Section(said)])


def loading() -> Message:
    """Shown for the moment a form takes to build."""
    return Message(text=_("Loading…"))


def channel_hello(platform: str) -> Message:
    """Said once, in public, when the bot is added to a channel."""
    p = prefix(platform)
    text = _("Hi! I'm Mentorbot. I run this organisation's mentoring programs. Type `{join}` "
             "to enroll as a mentor or mentee, or `{help}` to see everything I can do. I "
             "answer you privately.").format(join=f"{p} join", help=f"{p} help")
    return Message(text=text, blocks=[Section(text)])


def welcome(platform: str) -> Message:
    p = prefix(platform)
    text = _("Hi! I'm Mentorbot. I run your company's mentoring programs here in chat. "
             "Type `{join}` to enroll, or `{help}` to see everything I can do.").format(
        join=f"{p} join", help=f"{p} help")
    return Message(text=text, blocks=[Section(text)])
