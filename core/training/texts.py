"""Every word mentor training says, in one place, in the reader's language.

The course itself (module titles, bodies, quizzes) is data a program admin writes, and stays
as written."""

from __future__ import annotations

from core.enrollment.texts import prefix
from core.i18n import N_, ngettext
from core.i18n import gettext as _
from core.models import Person, Program, TrainingModule
from core.training.progress import Progress
from core.ui import LINK_ACTION, Block, Button, Buttons, Context, Message, Section
from core.ui.words import count


def _count(done: int, total: int) -> str:
    return _("{done} of {total} done").format(done=done, total=total)


def quiz_value(module: TrainingModule, choice: int) -> str:
    """A quiz button's value: the module and the 0-based choice."""
    return f"{module.id}:{choice}"


def module_message(module: TrainingModule, progress: Progress, platform: str, *,
                   intro: str = "", note: str = "") -> Message:
    """A module as a chat message: its text, an optional link, and either the quiz's choices
    or a "Mark as done" button (a quiz module is done when answered right)."""
    program = progress.program
    head = intro or _("*Mentor training for {program}* · module {number} of {total}").format(
        program=program.name, number=progress.number(module), total=progress.total)
    blocks: list[Block] = [Section(note)] if note else []
    # The course is the project's or an admin's text, so its labelled links are drawn.
    blocks += [Section(head), Section(f"*{module.title}*\n{module.body}", links=True)]
    if module.link:
        blocks.append(Buttons([Button(_("Open the reading"), LINK_ACTION, url=module.link)]))
    if module.quiz_question and module.quiz_choices:
        blocks.append(Section(_("*Quick check:* {question}").format(
            question=module.quiz_question)))
        blocks.append(Buttons([Button(choice, "training.quiz", quiz_value(module, i))
                               for i, choice in enumerate(module.quiz_choices)]))
        how = _("Pick an answer to finish this module")
    else:
        blocks.append(Buttons([Button(_("Mark as done"), "training.done", str(module.id),
                                      "primary")]))
        how = _("Mark it done when you've read it")
    anytime = _("`{command}` any time").format(command=f"{prefix(platform)} training")
    blocks.append(Context([f"{_count(progress.done, progress.total)} · {how} · {anytime}"]))
    text = (f"{note + ' ' if note else ''}{head}: {module.title}. "
            f"{_count(progress.done, progress.total)}.")
    return Message(text=text, blocks=blocks)


def daily_intro(module: TrainingModule, progress: Progress) -> str:
    """The first line of the daily DM."""
    return _("Here's today's mentor training for *{program}* (module {number} of {total}, "
             "about three minutes).").format(program=progress.program.name,
                                             number=progress.number(module),
                                             total=progress.total)


def overview(progresses: list[Progress], platform: str) -> Message | None:
    """`/mentor training`: each program's progress, then the next module (None if all done)."""
    lines = [f"• *{p.program.name}*: {_count(p.done, p.total)}"
             + (" ✅" if p.finished else "") for p in progresses]
    upcoming = next((p for p in progresses if p.next_module is not None), None)
    if upcoming is None or upcoming.next_module is None:
        return None
    title = _("Your mentor training")
    head = f"*{title}*\n" + "\n".join(lines)
    module = module_message(upcoming.next_module, upcoming, platform)
    return Message(text=f"{title}: {', '.join(line.lstrip('• ') for line in lines)}. "
                        + module.text, blocks=[Section(head), *module.blocks])


def all_done(progresses: list[Progress]) -> Message:
    names = ", ".join(f"*{p.program.name}*" for p in progresses)
    text = _("All done: you can be matched. You've finished every training module for "
             "{programs} ({progress}).").format(
        programs=names, progress=_count(progresses[0].done, progresses[0].total))
    return Message(text=text, blocks=[Section(text)])


def not_required(platform: str) -> Message:
    text = _("You have no training to do. Training is for mentors in programs that ask for it; "
             "if you'd like to mentor, `{command}` lists the open programs.").format(
        command=f"{prefix(platform)} join")
    return Message(text=text, blocks=[Section(text)])


def finished_module(module: TrainingModule, progress: Progress, platform: str, *,
                    right_answer: bool = False) -> Message:
    """After a module is marked done (or its quiz answered right)."""
    done = _("*{module}* is done: {progress}.").format(
        module=module.title, progress=_count(progress.done, progress.total))
    head = "✅ " + (_("That's right!") + " " if right_answer else "") + done
    if progress.finished:
        rest = "🎉 " + _("That's the whole course. You can now be matched in *{program}*.").format(
            program=progress.program.name)
        return Message(text=f"{head} {rest}", blocks=[Section(head), Section(rest)])
    rest = _("I'll send the next one tomorrow, or take it now with `{command}`.").format(
        command=f"{prefix(platform)} training")
    return Message(text=f"{head} {rest}", blocks=[
        Section(head), Section(rest),
        Buttons([Button(_("Next module"), "training.next", str(progress.program.id))])])


def already_done(module: TrainingModule) -> Message:
    text = _("You've already finished *{module}*. Nothing to do here.").format(
        module=module.title)
    return Message(text=text, blocks=[Section(text)])


# Notes above a module, translated where they are shown (``_(texts.NOT_QUITE)``).
NOT_QUITE = N_("Not quite, but that's what the quiz is for. Have another look and try again.")
ANSWER_FIRST = N_("This module ends with a quick question: pick an answer to finish it.")


def module_gone() -> Message:
    text = _("That training module no longer exists. Type `{command}` to see your course.").format(
        command="/mentor training")
    return Message(text=text, blocks=[Section(text)])


def held_back_reason(done: int, total: int) -> str:
    """Why a mentor was left out of a run; admins see it and the mentor is told it.
    Stored in English as the run keeps it; ``core.match_runs.reasons`` writes it in each
    reader's language where it is shown, so keep the wording in step with its shapes."""
    return (f"Held back: {done} of {total} training modules done. Finish the course with "
            "`/mentor training` to be included in the next run.")


def admin_status(program: Program, counts: dict[int, int], total: int,
                 people: dict[int, Person]) -> Message:
    """`admin training <program> status`: who has finished, who hasn't."""
    state = (_("required before matching") if program.training_required
             else _("not required"))
    head = _("*{program}* training: {state}, {modules}.").format(
        program=program.name, state=state, modules=count(total, "module", "modules"))
    if not counts:
        text = head + " " + _("No mentors are enrolled yet.")
        return Message(text=text, blocks=[Section(text)])
    finished = sum(1 for done in counts.values() if total and done >= total)
    summary = ngettext("{finished} of {n} mentor finished.", "{finished} of {n} mentors finished.",
                       len(counts)).format(finished=finished, n=len(counts))
    behind = sorted((done, people[pid].name) for pid, done in counts.items()
                    if done < total and pid in people)
    lines = [f"• {name}: {_count(done, total)}" for done, name in behind]
    blocks: list[Block] = [Section(head), Section(summary)]
    if lines:
        more = ("\n" + _("…and {n} more").format(n=len(lines) - 20)) if len(lines) > 20 else ""
        blocks.append(Section("*" + _("Still in training") + "*\n" + "\n".join(lines[:20])
                              + more))
    return Message(text=f"{head} {summary}", blocks=blocks)


def admin_usage() -> str:
    return _("Usage: `{command}`").format(command="admin training <program> on|off|starter|status")


def admin_toggled(program: Program, on: bool, total: int) -> Message:
    if on and total == 0:
        text = _("Training is now required in *{program}*, but it has no modules yet, so no one "
                 "is held back. Add the starter course with `{command}`.").format(
            program=program.name, command=f"/mentor admin training {program.name} starter")
    elif on:
        text = ngettext(
            "Training is now required in *{program}*: mentors get its {n} module and are "
            "matched once they finish.",
            "Training is now required in *{program}*: mentors get one of its {n} modules a day "
            "and are matched once they finish.", total).format(program=program.name, n=total)
    else:
        text = _("Training is no longer required in *{program}*; no mentor is held back.").format(
            program=program.name)
    return Message(text=text, blocks=[Section(text)])


def admin_starter(program: Program, added: int, total: int) -> Message:
    if added == 0:
        text = ngettext("*{program}* already has the starter course ({n} module).",
                        "*{program}* already has the starter course ({n} modules).",
                        total).format(program=program.name, n=total)
    else:
        added_text = count(added, "starter module", "starter modules")
        text = _("Added {added} to *{program}*; it now has {total}.").format(
            added=added_text, program=program.name, total=total)
    if not program.training_required:
        text += " " + _("Turn it on with `{command}`.").format(
            command=f"/mentor admin training {program.name} on")
    return Message(text=text, blocks=[Section(text)])
