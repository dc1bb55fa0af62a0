"""Every word mentor training says, in one place."""

from __future__ import annotations

from core.enrollment.texts import prefix
from core.models import Person, Program, TrainingModule
from core.training.progress import Progress
from core.ui import LINK_ACTION, Block, Button, Buttons, Context, Message, Section
from core.ui.words import count


def _count(done: int, total: int) -> str:
    return f"{done} of {total} done"


def quiz_value(module: TrainingModule, choice: int) -> str:
    """A quiz button's value: the module and the 0-based choice."""
    return f"{module.id}:{choice}"


def module_message(module: TrainingModule, progress: Progress, platform: str, *,
                   intro: str = "", note: str = "") -> Message:
    """A module as a chat message: its text, an optional link, and either the quiz's choices
    or a "Mark as done" button (a quiz module is done when answered right)."""
    program = progress.program
    head = intro or (f"*Mentor training for {program.name}* · module "
                     f"{progress.number(module)} of {progress.total}")
    blocks: list[Block] = [Section(note)] if note else []
    blocks += [Section(head), Section(f"*{module.title}*\n{module.body}")]
    if module.link:
        blocks.append(Buttons([Button("Open the reading", LINK_ACTION, url=module.link)]))
    if module.quiz_question and module.quiz_choices:
        blocks.append(Section(f"*Quick check:* {module.quiz_question}"))
        blocks.append(Buttons([Button(choice, "training.quiz", quiz_value(module, i))
                               for i, choice in enumerate(module.quiz_choices)]))
        how = "Pick an answer to finish this module"
    else:
        blocks.append(Buttons([Button("Mark as done", "training.done", str(module.id),
                                      "primary")]))
        how = "Mark it done when you've read it"
    blocks.append(Context([f"{_count(progress.done, progress.total)} · {how} · "
                           f"`{prefix(platform)} training` any time"]))
    text = (f"{note + ' ' if note else ''}{head}: {module.title}. "
            f"{_count(progress.done, progress.total)}.")
    return Message(text=text, blocks=blocks)


def daily_intro(module: TrainingModule, progress: Progress) -> str:
    """The first line of the daily DM."""
    return (f"Here's today's mentor training for *{progress.program.name}* "
            f"(module {progress.number(module)} of {progress.total}, about three minutes).")


def overview(progresses: list[Progress], platform: str) -> Message | None:
    """`/mentor training`: each program's progress, then the next module (None if all done)."""
    lines = [f"• *{p.program.name}*: {_count(p.done, p.total)}"
             + (" ✅" if p.finished else "") for p in progresses]
    upcoming = next((p for p in progresses if p.next_module is not None), None)
    if upcoming is None or upcoming.next_module is None:
        return None
    head = "*Your mentor training*\n" + "\n".join(lines)
    module = module_message(upcoming.next_module, upcoming, platform)
    return Message(text=f"Your mentor training: {', '.join(line.lstrip('• ') for line in lines)}. "
                        + module.text, blocks=[Section(head), *module.blocks])


def all_done(progresses: list[Progress]) -> Message:
    names = ", ".join(f"*{p.program.name}*" for p in progresses)
    text = (f"All done: you can be matched. You've finished every training module for {names} "
            f"({_count(progresses[0].done, progresses[0].total)}).")
    return Message(text=text, blocks=[Section(text)])


def not_required(platform: str) -> Message:
    text = ("You have no training to do. Training is for mentors in programs that ask for it; "
            f"if you'd like to mentor, `{prefix(platform)} join` lists the open programs.")
    return Message(text=text, blocks=[Section(text)])


def finished_module(module: TrainingModule, progress: Progress, platform: str, *,
                    right_answer: bool = False) -> Message:
    """After a module is marked done (or its quiz answered right)."""
    opener = "✅ That's right! " if right_answer else "✅ "
    head = f"{opener}*{module.title}* is done: {_count(progress.done, progress.total)}."
    if progress.finished:
        rest = (f"🎉 That's the whole course. You can now be matched in "
                f"*{progress.program.name}*.")
        return Message(text=f"{head} {rest}", blocks=[Section(head), Section(rest)])
    rest = (f"I'll send the next one tomorrow, or take it now with "
            f"`{prefix(platform)} training`.")
    return Message(text=f"{head} {rest}", blocks=[
        Section(head), Section(rest),
        Buttons([Button("Next module", "training.next", str(progress.program.id))])])


def already_done(module: TrainingModule) -> Message:
    text = f"You've already finished *{module.title}*. Nothing to do here."
    return Message(text=text, blocks=[Section(text)])


NOT_QUITE = "Not quite, but that's what the quiz is for. Have another look and try again."
ANSWER_FIRST = "This module ends with a quick question: pick an answer to finish it."


def module_gone() -> Message:
    text = "That training module no longer exists. Type `/mentor training` to see your course."
    return Message(text=text, blocks=[Section(text)])


def held_back_reason(done: int, total: int) -> str:
    """Why a mentor was left out of a run; admins see it and the mentor is told it."""
    return (f"Held back: {done} of {total} training modules done. Finish the course with "
            "`/mentor training` to be included in the next run.")


def admin_status(program: Program, counts: dict[int, int], total: int,
                 people: dict[int, Person]) -> Message:
    """`admin training <program> status`: who has finished, who hasn't."""
    state = "required before matching" if program.training_required else "not required"
    head = f"*{program.name}* training: {state}, {count(total, 'module', 'modules')}."
    if not counts:
        text = f"{head} No mentors are enrolled yet."
        return Message(text=text, blocks=[Section(text)])
    finished = sum(1 for done in counts.values() if total and done >= total)
    summary = f"{finished} of {len(counts)} mentors finished."
    behind = sorted((done, people[pid].name) for pid, done in counts.items()
                    if done < total and pid in people)
    lines = [f"• {name}: {_count(done, total)}" for done, name in behind]
    blocks: list[Block] = [Section(head), Section(summary)]
    if lines:
        blocks.append(Section("*Still in training*\n" + "\n".join(lines[:20])
                              + (f"\n…and {len(lines) - 20} more" if len(lines) > 20 else "")))
    return Message(text=f"{head} {summary}", blocks=blocks)


def admin_usage() -> str:
    return "Usage: `admin training <program> on|off|starter|status`"


def admin_toggled(program: Program, on: bool, total: int) -> Message:
    if on and total == 0:
        text = (f"Training is now required in *{program.name}*, but it has no modules yet, so "
                f"no one is held back. Add the starter course with "
                f"`/mentor admin training {program.name} starter`.")
    elif on:
        text = (f"Training is now required in *{program.name}*: mentors get one of its {total} "
                "modules a day and are matched once they finish.")
    else:
        text = f"Training is no longer required in *{program.name}*; no mentor is held back."
    return Message(text=text, blocks=[Section(text)])


def admin_starter(program: Program, added: int, total: int) -> Message:
    if added == 0:
        text = f"*{program.name}* already has the starter course ({total} modules)."
    else:
        added_text = count(added, "starter module", "starter modules")
        text = f"Added {added_text} to *{program.name}*; it now has {total}."
    if not program.training_required:
        text += f" Turn it on with `/mentor admin training {program.name} on`."
    return Message(text=text, blocks=[Section(text)])
